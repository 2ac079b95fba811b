//! `migrate stamp TARGET`: make the history say TARGET, without running any SQL.

use super::Outcome;
use super::write::{self, Action, Kind, Options};
use crate::Error;
use crate::cli::StampArgs;
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, args: &StampArgs) -> Result<Outcome, Error> {
    let options = Options {
        name: "stamp",
        target: &args.target,
        write: &args.write,
        single_transaction: false,
        guard: false,
        allow_unknown: true,
        kind: Kind::Stamp,
        sql_from: "base",
    };
    write::write(settings, &options, &|planner, target| {
        let plan = planner.stamp(target)?;
        Ok(plan
            .remove
            .into_iter()
            .map(Action::StampDown)
            .chain(plan.add.into_iter().map(Action::StampUp))
            .collect())
    })
}
