//! One target's run: its connection (a schema target reuses its worker's), the command as on
//! one database, and its result as a fleet entry.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use postgres::Client;

use super::schedule::{Pass, Tried};
use super::targets::{Place, Target};
use super::{FleetCommand, Loaded, Shared};
use crate::Error;
use crate::database::{self, ConnInfo};
use crate::diagnostic::{Diagnostic, Rule, refusal};
use crate::output::{Body, FleetTarget, Progress, StepStatus, TargetStatus};
use crate::project::Project;
use crate::settings::{HistoryTable, Settings};
use crate::sql::quote;

/// Runs the command on `target`.
pub(super) fn one(
    shared: &Shared<'_>,
    target: &Target,
    pass: Pass,
    slot: &mut Option<Client>,
) -> Tried<FleetTarget> {
    let started = Instant::now();
    let mut entry = FleetTarget::unstarted(&target.shown);
    entry.status = TargetStatus::Done;
    let ran = connect(shared, target, slot).and_then(|(info, settings)| {
        let client = slot
            .as_mut()
            .ok_or_else(|| Error::Database("no connection".to_owned()))?;
        match (&shared.loaded, shared.command) {
            (Loaded::Write(prepared), FleetCommand::Write(command)) => {
                let wait = match pass {
                    Pass::First => Duration::ZERO,
                    Pass::Held => command.write().lock_wait,
                };
                let needs_session = matches!(target.place, Place::Schema(_));
                let known_direct = known_direct(shared, client, &info)?;
                // Each target's own progress would interleave with the others': the fleet's
                // board says what happens.
                let mut quiet = Progress::stderr(true);
                super::write::run_connected(
                    &settings,
                    command,
                    prepared,
                    client,
                    &info,
                    super::write::Waits {
                        lock: wait,
                        needs_session,
                        known_direct,
                    },
                    &mut quiet,
                )
                .map(|report| written(&mut entry, &prepared.files.project, report))
            }
            (Loaded::Current(project), FleetCommand::Current(args)) => {
                super::super::current::standing(&settings, project, client).map(|standing| {
                    entry.to = labels(project, &standing.at);
                    entry.position = Some(standing.position);
                    entry.diagnostics = standing.diagnostics;
                    if args.check_heads && !standing.position.at_heads {
                        entry
                            .diagnostics
                            .push(refusal::not_at_heads(project.format));
                    }
                })
            }
            _ => Ok(()),
        }
    });
    release(target, slot, ran.is_ok());
    match ran {
        Err(Error::LockHeld(_)) if pass == Pass::First => return Tried::Held,
        Err(Error::Interrupted(_)) => entry.status = TargetStatus::Interrupted,
        Err(e) => {
            entry.status = TargetStatus::Failed;
            entry.diagnostics.push(refusal::failure(&e));
        }
        Ok(()) => {}
    }
    // `current` reads: a target behind or drifted is read fine, and its diagnostics say so.
    if entry.status == TargetStatus::Done && entry.position.is_none() {
        entry.status = judged(&entry.diagnostics);
    }
    entry.elapsed = started.elapsed();
    let failed = entry.status != TargetStatus::Done;
    Tried::Ran {
        result: entry,
        failed,
    }
}

/// Opens or keeps the target's connection in `slot`, and returns how to reach it and the
/// settings it runs with: a database's own connection, or the worker's connection to the
/// `--database-url` database with `search_path` set to the schema and the history table in it.
fn connect<'s>(
    shared: &Shared<'s>,
    target: &Target,
    slot: &mut Option<Client>,
) -> Result<(ConnInfo, Cow<'s, Settings>), Error> {
    match &target.place {
        Place::Database(info) => {
            *slot = Some(connect_bounded(info)?);
            Ok(((**info).clone(), Cow::Borrowed(shared.settings)))
        }
        Place::Schema(schema) => {
            let info = shared
                .control
                .clone()
                .ok_or_else(|| Error::Usage("--schemas-query needs --database-url".to_owned()))?;
            if slot.as_ref().is_none_or(Client::is_closed) {
                *slot = Some(connect_bounded(&info)?);
            }
            if let Some(client) = slot.as_mut() {
                client
                    .batch_execute(&format!("SET search_path TO {}", quote::identifier(schema)))
                    .map_err(|e| {
                        Error::Database(format!(
                            "cannot set search_path to schema {schema}: {}",
                            database::describe(&e)
                        ))
                    })?;
            }
            let mut settings = shared.settings.clone();
            settings.history_table = HistoryTable {
                schema: schema.clone(),
                name: shared.settings.history_table.name.clone(),
            };
            Ok((info, Cow::Owned(settings)))
        }
    }
}

/// How long a target may take to connect when its URL sets no `connect_timeout`: one
/// unreachable or silent server must not hold a worker, and the fleet, forever.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects within the target's `connect_timeout` (else `CONNECT_TIMEOUT`), the whole
/// connection included, as libpq bounds it: the driver bounds only the socket's connect, and a
/// server that accepts and never answers would hang the worker. A connection given up on is
/// left to its thread, which ends when the socket does.
fn connect_bounded(info: &ConnInfo) -> Result<Client, Error> {
    let mut info = info.clone();
    let limit = *info
        .config
        .get_connect_timeout()
        .unwrap_or(&CONNECT_TIMEOUT);
    info.config.connect_timeout(limit);
    let shown = info.to_string();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(database::connect(&info));
    });
    // Waited for in short steps, so that a signal gives up on a connection still on its way.
    let deadline = Instant::now() + limit + Duration::from_millis(500);
    loop {
        match receiver.recv_timeout(Duration::from_millis(100)) {
            Ok(connected) => return connected,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::Database(format!("cannot connect to {shown}")));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Some(signal) = crate::database::interrupt::received() {
            return Err(Error::Interrupted(signal));
        }
        if Instant::now() >= deadline {
            return Err(Error::Database(format!(
                "{shown} did not answer within {} while connecting; set connect_timeout in its URL to wait longer",
                humantime::format_duration(limit)
            )));
        }
    }
}

/// Whether the connection's server was proven direct, by this connection or another: proven
/// once per server, since the proof reads every socket of this process (`/proc/self/fd` and
/// `/proc/net/tcp`), a cost per target that grew with the number of workers.
fn known_direct(shared: &Shared<'_>, client: &mut Client, info: &ConnInfo) -> Result<bool, Error> {
    let server = info.hosts().join(",");
    let proven = |set: &std::sync::Mutex<std::collections::HashSet<String>>| {
        set.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&server)
    };
    if proven(&shared.direct) {
        return Ok(true);
    }
    if database::pooler::proven_direct(client, info)? {
        shared
            .direct
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(server);
    }
    // Not proven: the run judges the path as one database's run does.
    Ok(false)
}

/// After a target: a database's connection closes; a schema's is made fit for the next
/// schema (no lock, no `search_path`), or dropped when that fails.
fn release(target: &Target, slot: &mut Option<Client>, ok: bool) {
    match target.place {
        Place::Database(_) => *slot = None,
        Place::Schema(_) => {
            let reset = ok
                && slot.as_mut().is_some_and(|client| {
                    client
                        .batch_execute("SELECT pg_advisory_unlock_all(); RESET ALL")
                        .is_ok()
                });
            if !reset {
                *slot = None;
            }
        }
    }
}

/// Fills `entry` from a write command's report.
fn written(entry: &mut FleetTarget, project: &Project, report: crate::output::Report) {
    entry.diagnostics = report.diagnostics;
    if let Body::Run(run) = report.body {
        let before: BTreeSet<usize> = run.before.iter().copied().collect();
        let mut after = before.clone();
        for step in &run.steps {
            let Some(node) = project
                .revisions
                .iter()
                .position(|r| r.id.to_string() == step.id)
            else {
                continue;
            };
            match step.status {
                StepStatus::Applied | StepStatus::Stamped => {
                    after.insert(node);
                }
                StepStatus::Reverted | StepStatus::Unstamped => {
                    after.remove(&node);
                }
                StepStatus::Verified | StepStatus::Failed => {}
            }
        }
        entry.from = labels(project, &tips(project, &before));
        entry.to = labels(project, &tips(project, &after));
        entry.steps = run.steps;
    }
}

/// The applied revisions none of whose children is applied.
fn tips(project: &Project, applied: &BTreeSet<usize>) -> Vec<usize> {
    applied
        .iter()
        .copied()
        .filter(|&n| {
            !project
                .graph
                .children(n)
                .iter()
                .any(|c| applied.contains(c))
        })
        .collect()
}

fn labels(project: &Project, nodes: &[usize]) -> Vec<String> {
    nodes
        .iter()
        .map(|&n| project.revisions[n].id.to_string())
        .collect()
}

/// A target's status from its diagnostics: an interrupt, else any error, fails it.
fn judged(diagnostics: &[Diagnostic]) -> TargetStatus {
    if diagnostics.iter().any(|d| d.rule == Rule::Interrupted) {
        TargetStatus::Interrupted
    } else if diagnostics
        .iter()
        .any(|d| d.severity() == crate::diagnostic::Severity::Error)
    {
        TargetStatus::Failed
    } else {
        TargetStatus::Done
    }
}
