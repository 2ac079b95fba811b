//! One step of `verify` or `schema` on the scratch database, and its failure as a finding:
//! the SQL's fault at its file and line, or not the SQL's fault at all (an interrupt, a full
//! disk), said as such.

use super::steps::Step;
use crate::database::apply::Runner;
use crate::database::history::Direction;
use crate::database::{ConnInfo, interrupt};
use crate::diagnostic::{Diagnostic, Rule};

/// PostgreSQL's `disk_full`.
const DISK_FULL: &str = "53100";

/// Runs one step; its failure as a finding at its file and line.
pub(super) fn run_step(
    runner: &mut Runner<'_>,
    step: &Step<'_>,
    direction: Direction,
    rule: Rule,
    what: &str,
) -> Option<Diagnostic> {
    let script = step.script.as_ref()?;
    let failure = runner
        .run(script, &step.record, direction, None, &mut |_| {})
        .err()?;
    let label = &step.label;
    let mut diagnostic = if let Some(signal) = interrupt::received() {
        Diagnostic::general(
            Rule::Interrupted,
            format!(
                "interrupted by {} while the {what} of `{label}` ran: {}",
                signal.name(),
                failure.text
            ),
            "verify stopped there; the scratch database is dropped, and nothing else was touched",
        )
    } else if failure.sqlstate.as_deref() == Some(DISK_FULL) {
        let disk = disk_of(runner.info);
        Diagnostic::general(
            rule,
            format!(
                "the {what} of `{label}` failed because the disk of {disk} is full: {}",
                failure.text
            ),
            format!("free space on the disk of {disk}, then rerun: the SQL is not at fault"),
        )
    } else {
        Diagnostic::general(
            rule,
            format!("the {what} of `{label}` failed: {}", failure.text),
            "fix the SQL; `migrate verify` runs it on a scratch database, nothing else was touched",
        )
    };
    if let Some(location) = failure.location() {
        diagnostic.location = Some(location);
    }
    Some(diagnostic)
}

/// Where the scratch database's files are, as far as `migrate` can tell: the throwaway
/// cluster's directory (under `TMPDIR`), else the server's own data directory.
fn disk_of(info: &ConnInfo) -> String {
    let throwaway = info.config.get_hosts().iter().find_map(|host| match host {
        postgres::config::Host::Unix(dir) if dir.to_string_lossy().contains("migrate-verify-") => {
            Some(dir.display().to_string())
        }
        _ => None,
    });
    match throwaway {
        Some(dir) => {
            format!("the throwaway cluster in `{dir}` (set TMPDIR to put it on another disk)")
        }
        None => format!("the server at {info} (its data directory)"),
    }
}
