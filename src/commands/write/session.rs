//! A writing run on a session that stays on one server connection (direct, or a session
//! pooler): under the session advisory lock, taken in the first round trip when it could be,
//! with the history read in the same round trip as the try that takes it.

use postgres::Client;

use super::{Command, Context, applied_nodes, execute, planned};
use crate::Error;
use crate::database::history::{State, Tables};
use crate::database::history_read::{FirstLook, Look};
use crate::database::{self, lock};
use crate::output::{Body, Progress, Report, Run};

/// The run on a session that stays put: under the session lock, taken in the first round trip
/// when it could be.
pub(super) fn run(
    context: &Context<'_>,
    client: &mut Client,
    first: FirstLook,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let Context {
        command,
        files,
        tables,
        info,
        variables,
        target,
        timeouts,
        retries,
        lock_wait,
    } = *context;
    let name = command.name();
    let table = tables.history_name().to_owned();
    let direct = first.direct;
    let look = first.look;
    let state = if first.locked == Some(true) {
        tables.parse_state(&look, &first.read)?
    } else {
        locked_state(client, tables, &look, lock_wait, progress)?
    };
    let steps = match planned(files, &state, command, target, variables)? {
        Ok(steps) => steps,
        Err(refusals) => return Ok(refusals),
    };
    progress.note(&format!(
        "{name} on {info}: {}",
        if steps.is_empty() {
            "nothing to do".to_owned()
        } else {
            crate::diagnostic::plural(steps.len(), "revision")
        }
    ));
    let clear = matches!(command, Command::Stamp(_)) && !state.progress.is_empty();
    let mut run = Run {
        server: None,
        database: info.to_string(),
        steps: Vec::new(),
        elapsed: std::time::Duration::ZERO,
        before: applied_nodes(&state, files),
    };
    if steps.is_empty() && !clear {
        // Closing the connection releases the lock on a direct one; through anything in
        // between, the lock is let go of first, in case the server connection lives on.
        if !direct {
            lock::release(client, &table)?;
        }
        return Ok(Report::new(name, Body::Run(run)));
    }
    // Only now, with a plan that passed every check, is anything created.
    // Transactional revisions send their history rows with their SQL; only `transaction:false`
    // sections use prepared statements, to record progress after each statement.
    let outside = steps
        .iter()
        .any(|s| s.script.as_ref().is_some_and(|script| !script.transaction));
    let exist = look.has_history && look.has_companion;
    let prepared = tables.writer_setup(client, exist, outside)?;
    let mut runner = database::apply::Runner {
        client,
        tables,
        prepared,
        variables,
        single: command.single_transaction(),
        info,
        watcher: None,
        timeouts,
        retries,
        guard: None,
    };
    let failure = match execute::run(
        &mut runner,
        &steps,
        &state,
        &mut run,
        progress,
        command.write().lock_wait,
    )? {
        execute::Outcome::Failed(failure) => Some(failure),
        // Unguarded, the history cannot change under the session lock.
        execute::Outcome::Done | execute::Outcome::Replan => None,
    };
    if failure.is_none() {
        if clear {
            tables.clear_progress(client)?;
        }
        lock::release(client, &table)?;
    } else if !client.is_closed() {
        // After a failure the refusal says what happened; the lock goes with the session if
        // this does not reach the server, so an error here would only hide the real one.
        let _ = lock::release(client, &table);
    }
    let mut report = Report::new(name, Body::Run(run));
    report.diagnostics.extend(failure);
    Ok(report)
}

/// Takes the lock, and reads the history in the same round trip as the try that takes it.
fn locked_state(
    client: &mut Client,
    tables: &Tables,
    look: &Look,
    wait: std::time::Duration,
    progress: &mut Progress,
) -> Result<State, Error> {
    let table = tables.history_name().to_owned();
    let read = lock::acquire(
        client,
        &table,
        wait,
        &tables.read_sql(look),
        &mut |holder| {
            progress.note(&format!(
                "waiting up to {} for the migration lock on {table}, held by {holder}",
                humantime::format_duration(wait)
            ));
        },
    )?;
    // Tables another runner created while this one waited were not in the read.
    if look.has_history && look.has_companion {
        tables.parse_state(look, &read)
    } else {
        tables.read(client)
    }
}
