//! `migrate upgrade [TARGET]`: apply the pending revisions up to TARGET, under the lock.

use super::Outcome;
use super::write::{self, Action, Kind, Options};
use crate::Error;
use crate::cli::UpgradeArgs;
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, args: &UpgradeArgs) -> Result<Outcome, Error> {
    let options = Options {
        name: "upgrade",
        target: &args.target,
        write: &args.write,
        single_transaction: args.single_transaction,
        guard: true,
        allow_unknown: args.allow_unknown,
        kind: Kind::Upgrade,
        sql_from: "base",
    };
    write::write(settings, &options, &|planner, target| {
        Ok(planner
            .upgrade(target)?
            .into_iter()
            .map(Action::Up)
            .collect())
    })
}
