//! `migrate downgrade TARGET`: revert applied revisions down to TARGET, under the lock.

use super::Outcome;
use super::write::{self, Action, Kind, Options};
use crate::Error;
use crate::cli::DowngradeArgs;
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, args: &DowngradeArgs) -> Result<Outcome, Error> {
    let options = Options {
        name: "downgrade",
        target: &args.target,
        write: &args.write,
        single_transaction: args.single_transaction,
        guard: false,
        allow_unknown: true,
        kind: Kind::Downgrade,
        sql_from: "head",
    };
    write::write(settings, &options, &|planner, target| {
        Ok(planner
            .downgrade(target)?
            .into_iter()
            .map(Action::Down)
            .collect())
    })
}
