//! A writing run on a path that may move the session between server connections (a
//! transaction pooler, or nothing proving otherwise): no session lock, no prepared statement,
//! no session setting. Each revision runs in its own transaction, which never leaves its
//! server connection, opened by the guard: the transaction-scoped lock and the history read
//! again (`database::guard`). A guard that finds the history changed sends the run back here
//! to plan again from the new history; so each revision is applied once, whatever the pooler
//! does. A `transaction:false` section needs a session that stays put, and is refused.

use postgres::Client;

use super::execute::{self, Outcome, Waiting};
use super::steps::Step;
use super::{Command, Context, planned};
use crate::Error;
use crate::database::apply::Runner;
use crate::database::guard::Guard;
use crate::database::history::State;
use crate::database::{guard, lock};
use crate::diagnostic::refusal;
use crate::output::{Body, Progress, Report, Run};

/// How often the run plans again before it gives up: each time another runner changed the
/// history, which a deploy of many runners does a few times at most.
const MAX_PLANS: usize = 100;

/// The run; `why` says how the path is known to move sessions, for the refusal of a
/// `transaction:false` section.
pub(super) fn run(
    pooled: &Context<'_>,
    why: &str,
    client: &mut Client,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let name = pooled.command.name();
    let tables = pooled.tables;
    let xact_lock = lock::try_xact_sql(tables.history_name());
    let wait = pooled.command.write().lock_wait;
    let mut run = Run {
        server: None,
        database: pooled.info.to_string(),
        steps: Vec::new(),
        elapsed: std::time::Duration::ZERO,
        before: Vec::new(),
    };
    let mut told = false;
    for _ in 0..MAX_PLANS {
        let state = tables.read(client)?;
        if !told {
            run.before = super::applied_nodes(&state, pooled.files);
        }
        let steps = match plan(pooled, why, &state)? {
            Ok(steps) => steps,
            Err(refusal) => return Ok(refusal),
        };
        let clear = matches!(pooled.command, Command::Stamp(_)) && !state.progress.is_empty();
        if !told {
            progress.note(&format!(
                "{name} on {}: {}; each revision in its own transaction under a transaction-scoped lock ({})",
                pooled.info,
                if steps.is_empty() {
                    "nothing to do".to_owned()
                } else {
                    crate::diagnostic::plural(steps.len(), "revision")
                },
                why
            ));
            told = true;
        }
        if steps.is_empty() && !clear {
            return Ok(Report::new(name, Body::Run(run)));
        }
        if !steps.is_empty() {
            locked(client, &xact_lock, &tables.ensure_sql(), wait, progress)?;
        }
        let mut runner = Runner {
            client,
            tables,
            prepared: None,
            variables: pooled.variables,
            single: pooled.command.single_transaction(),
            info: pooled.info,
            watcher: None,
            timeouts: pooled.timeouts,
            retries: pooled.retries,
            guard: Some(Guard {
                lock: xact_lock.clone(),
                applied: state.applied.iter().map(|a| a.version).collect(),
            }),
        };
        match execute::run(&mut runner, &steps, &state, &mut run, progress, wait)? {
            Outcome::Done => {
                if clear {
                    locked(
                        client,
                        &xact_lock,
                        &tables.clear_progress_sql(),
                        wait,
                        progress,
                    )?;
                }
                return Ok(Report::new(name, Body::Run(run)));
            }
            Outcome::Failed(failure) => {
                let mut report = Report::new(name, Body::Run(run));
                report.diagnostics.push(failure);
                return Ok(report);
            }
            Outcome::Replan => {
                progress.note("another runner changed the history meanwhile: planning again");
            }
        }
    }
    Err(Error::Database(format!(
        "the history of {} changed under this run {MAX_PLANS} times: other runners keep changing it; rerun when they are done",
        tables.history_name()
    )))
}

/// The steps from `state` to the target, or the report of a refusal: the checks of a direct
/// run, and a `transaction:false` section, which needs a session that stays put.
fn plan<'a>(
    pooled: &Context<'a>,
    why: &str,
    state: &'a State,
) -> Result<Result<Vec<Step<'a>>, Report>, Error> {
    let steps = match planned(
        pooled.files,
        state,
        pooled.command,
        pooled.target,
        pooled.variables,
    )? {
        Ok(steps) => steps,
        Err(refusals) => return Ok(Err(refusals)),
    };
    if let Some(step) = steps
        .iter()
        .find(|s| s.script.as_ref().is_some_and(|script| !script.transaction))
    {
        return Ok(Err(Report::refused(
            pooled.command.name(),
            refusal::pooled_session_needed(&pooled.info.to_string(), &step.label, why),
        )));
    }
    Ok(Ok(steps))
}

/// Runs `body` in one transaction under the transaction-scoped lock, waiting up to `wait`
/// while another runner holds it.
fn locked(
    client: &mut Client,
    xact_lock: &str,
    body: &str,
    wait: std::time::Duration,
    progress: &mut Progress,
) -> Result<(), Error> {
    let sql = format!("BEGIN;\n{}{body}\nCOMMIT;", guard::lock_only(xact_lock));
    let mut waiting = Waiting::new(wait);
    loop {
        match client.batch_execute(&sql) {
            Ok(()) => return Ok(()),
            Err(error) => {
                let _ = client.batch_execute("ROLLBACK");
                if guard::stop_of(&error) == Some(guard::Stop::Busy) {
                    waiting.pause(progress)?;
                } else {
                    return Err(crate::database::history::db_error(
                        "prepare the history tables",
                        &error,
                    ));
                }
            }
        }
    }
}
