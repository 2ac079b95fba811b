//! A command on many targets: `upgrade`, `downgrade`, `rollback`, `stamp` and `current` with
//! `--targets`, `--targets-query` or `--schemas-query`. Each target gets exactly what one
//! database gets (its own lock, one transaction per revision, interrupts, pooler refusal);
//! the targets' own history tables are the only state, so a rerun resumes, and two runners
//! on one list apply each revision once. No coordinator: shards split the list by hash.

mod progress;
mod schedule;
mod targets;
mod work;

use std::time::{Duration, Instant};

use postgres::Client;

use super::write;
use crate::Error;
use crate::cli::{CurrentArgs, FleetArgs};
use crate::database::{ConnInfo, interrupt};
use crate::diagnostic::refusal;
use crate::output::{Body, Fleet, FleetStop, FleetTarget, Progress, Report, TargetStatus};
use crate::project::Project;
use crate::settings::Settings;

pub(super) use targets::source;

/// The command a fleet runs on each target.
#[derive(Clone, Copy)]
pub(super) enum FleetCommand<'a> {
    Write(write::Command<'a>),
    Current(&'a CurrentArgs),
}

impl FleetCommand<'_> {
    fn name(self) -> &'static str {
        match self {
            FleetCommand::Write(command) => command.name(),
            FleetCommand::Current(_) => "current",
        }
    }
}

/// What every target's run shares: the files, loaded once, and how to reach schemas.
pub(super) struct Shared<'a> {
    pub settings: &'a Settings,
    pub command: FleetCommand<'a>,
    /// The `--database-url` a schema target's connection opens.
    pub control: Option<ConnInfo>,
    pub loaded: Loaded,
    /// The servers (`host:port`) a connection of this run was proven direct to: the same path
    /// is direct for every connection, and the proof reads all of this process's sockets.
    pub direct: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// The files, as the command needs them.
pub(super) enum Loaded {
    Write(Box<write::Prepared>),
    Current(Box<Project>),
}

/// Runs `command` on the targets `source` names.
pub(super) fn run(
    settings: &Settings,
    command: FleetCommand<'_>,
    args: &FleetArgs,
    source: &targets::Source,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let name = command.name();
    let started = Instant::now();
    let loaded = match command {
        FleetCommand::Write(write_command) => {
            if write_command.write().sql {
                return Err(Error::Usage(
                    "--sql prints one script, for one database: it does not take a target list"
                        .to_owned(),
                ));
            }
            match write::prepare(settings, write_command)? {
                Ok(prepared) => Loaded::Write(Box::new(prepared)),
                Err(refused) => return Ok(refused),
            }
        }
        FleetCommand::Current(_) => Loaded::Current(Box::new(Project::load(settings)?)),
    };
    let mut control: Option<(Client, ConnInfo)> = None;
    let listed = match targets::resolve(settings, source, &mut control)? {
        Ok(listed) => listed,
        Err(refused) => return Ok(Report::refused(name, refused)),
    };
    let count = listed.len();
    let chosen = targets::shard(listed, args.shard);
    // The query's connection is not kept: the workers' are the only ones open from here on.
    let control = control.map(|(_, info)| info);
    let shared = Shared {
        settings,
        command,
        control,
        loaded,
        direct: std::sync::Mutex::default(),
    };
    let policy = schedule::Policy {
        jobs: args.jobs.unwrap_or(4) as usize,
        canary: args.canary.unwrap_or(0) as usize,
        // `current` only reads: every target is read unless a limit is given.
        max_failures: args.max_failures.map_or(
            match command {
                FleetCommand::Write(_) => 1,
                FleetCommand::Current(_) => usize::MAX,
            },
            |n| n as usize,
        ),
    };
    progress.note(&format!(
        "{name} on {} target{}{}, {} at a time{}",
        chosen.len(),
        if chosen.len() == 1 { "" } else { "s" },
        args.shard
            .map_or_else(String::new, |s| format!(" (shard {s} of {count})")),
        policy.jobs,
        if policy.canary > 0 {
            format!(
                ", the first {} alone first",
                policy.canary.min(chosen.len())
            )
        } else {
            String::new()
        }
    ));
    // A first signal starts no new target and cancels the running ones; a second exits.
    let _watch = interrupt::Watch::signals_only()?;
    let board = progress::Board::new(progress, chosen.len(), policy);
    let work = |index: usize, pass: schedule::Pass, slot: &mut Option<Client>| {
        work::one(&shared, &chosen[index], pass, slot)
    };
    let done = |_: usize, result: &FleetTarget, failed: bool| board.done(result, failed);
    let (results, stop) = schedule::run(chosen.len(), policy, &work, &done);
    board.end();
    let targets: Vec<FleetTarget> = results
        .into_iter()
        .zip(&chosen)
        .map(|(result, target)| result.unwrap_or_else(|| FleetTarget::unstarted(&target.shown)))
        .collect();
    Ok(report(
        name,
        targets,
        count,
        args,
        stop,
        started.elapsed(),
        &shared,
    ))
}

/// The fleet's report: every target's diagnostics, each naming its target, then why the run
/// stopped starting targets.
fn report(
    name: &'static str,
    targets: Vec<FleetTarget>,
    listed: usize,
    args: &FleetArgs,
    stop: Option<schedule::Stop>,
    elapsed: Duration,
    shared: &Shared<'_>,
) -> Report {
    let mut diagnostics = Vec::new();
    for target in &targets {
        for diagnostic in &target.diagnostics {
            let mut named = diagnostic.clone();
            named.message = format!("on {}: {}", target.target, diagnostic.message);
            diagnostics.push(named);
        }
    }
    let stop = stop.map(|stop| match stop {
        schedule::Stop::Canary => FleetStop::Canary,
        schedule::Stop::MaxFailures => FleetStop::MaxFailures,
        schedule::Stop::Signal => FleetStop::Signal,
    });
    let fleet = Fleet {
        targets,
        listed,
        shard: args.shard.map(|s| s.to_string()),
        stop,
        elapsed,
    };
    let unstarted = fleet.count(TargetStatus::NotStarted);
    match stop {
        Some(FleetStop::Canary) => diagnostics.push(refusal::fleet_stopped(
            &format!(
                "a canary target failed: {} not touched",
                crate::words::plural(unstarted, "other target")
            ),
            "fix the failure the canary reports, then run again: targets at head are skipped",
        )),
        Some(FleetStop::MaxFailures) => diagnostics.push(refusal::fleet_stopped(
            &format!(
                "{} failed (--max-failures {}): {} not started",
                crate::words::plural(fleet.count(TargetStatus::Failed), "target"),
                args.max_failures.unwrap_or(1),
                crate::words::plural(unstarted, "target")
            ),
            "fix the failures, then run again: each target goes on from where it stopped",
        )),
        Some(FleetStop::Signal) | None => {}
    }
    let sources = match &shared.loaded {
        Loaded::Write(prepared) => &prepared.files.project.sources,
        Loaded::Current(project) => &project.sources,
    };
    Report::new(name, Body::Fleet(Box::new(fleet))).with_findings(sources, diagnostics)
}
