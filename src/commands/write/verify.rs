//! `migrate verify [TARGET]`: on a scratch database, every revision goes up, comes back down
//! and goes up again, and the catalog is compared after each step: a down section that forgets
//! an index or a grant is found in review, not on the night it is needed.

use std::time::Duration;

use super::scratch::{open_scratch, run_server};
use super::steps;
use super::verify_plan::{self, revisions_to, unbound};
use super::verify_roles;
use super::verify_step::run_step;
use super::verify_words::{downgrade_findings, repeat_message, section_location};
use super::{Action, Files, load_valid};
use crate::Error;
use crate::cli::VerifyArgs;
use crate::database::apply::Runner;
use crate::database::history::{Direction, State, Tables};
use crate::database::plan::AppliedRevision;
use crate::database::snapshot::{self, Scope, Snapshot};
use crate::database::{self, ConnInfo, interrupt};
use crate::diagnostic::{Diagnostic, Location, Rule, Severity, plural};
use crate::output::{Body, Progress, Report, Run};
use crate::revision::Timeouts;
use crate::settings::Settings;
use crate::sql::Variables;

pub(in crate::commands) fn run(
    settings: &Settings,
    args: &VerifyArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let name = format!("migrate_verify_{}", crate::unique::hex12());
    let mut pairs = args.set.clone();
    pairs.extend(args.database_variable.iter().map(|v| format!("{v}={name}")));
    let variables = Variables::from_pairs(&pairs).map_err(Error::Usage)?;
    let files = match load_valid(settings, "verify")? {
        Ok(files) => files,
        Err(refusal) => return Ok(refusal),
    };
    let order = revisions_to(&files, &args.target)?;
    // Every variable every section needs has a value, before anything is made or run.
    if let Some(refused) = unbound(&files, &order, &variables) {
        return Ok(refused);
    }
    let (_cluster, mut scratch) =
        open_scratch(settings, &name, args.postgres.as_deref(), progress)?;
    let known_roles = scratch.known_roles.clone();
    let info = scratch.info();
    let mut client = database::connect(&info)?;
    let server = run_server(&mut client, &scratch)?;
    let _watch = interrupt::Watch::start(client.cancel_token(), &info, false)?;
    progress.note(&format!(
        "verify on {info}: {} up, down and up again",
        plural(order.len(), "revision")
    ));
    let tables = Tables::new(&settings.history_table);
    let prepared = tables.writer_setup(&mut client, false, true)?;
    let skip = history_tables(&tables);
    let scope = Scope {
        skip_tables: &skip,
        known_roles: &known_roles,
        spent: std::cell::Cell::default(),
    };
    let mut runner = scratch_runner(&mut client, &tables, prepared, &variables, &info);
    let mut report = Report::new("verify", Body::Nothing);
    let mut run = Run {
        database: info.to_string(),
        steps: Vec::new(),
        elapsed: std::time::Duration::ZERO,
        server: Some(server),
        before: Vec::new(),
    };
    let started = std::time::Instant::now();
    let state = State::default();
    let mut verified = 0;
    // The catalog after one revision's second upgrade is the catalog before the next one's.
    let mut last: Option<Snapshot> = None;
    for &node in &order {
        if let Some(signal) = interrupt::received() {
            return Err(Error::Interrupted(signal));
        }
        let before = match last.take() {
            Some(snapshot) => snapshot,
            None => snapshot::take(runner.client, &scope)?,
        };
        let step_started = std::time::Instant::now();
        let (found, after) = verify_one(
            &mut runner,
            &files,
            (&state, &variables),
            node,
            &scope,
            &before,
            &mut scratch.sent,
            progress,
        )?;
        last = after;
        let stop = found.iter().any(|d| d.severity() == Severity::Error);
        verified += usize::from(!stop);
        run.steps.push(verify_plan::step(
            &files.project.revisions[node],
            stop,
            step_started.elapsed(),
        ));
        report.diagnostics.extend(found);
        if stop && !args.keep_going {
            break;
        }
    }
    run.elapsed = started.elapsed();
    report.body = Body::Run(run);
    let reached = verified == order.len();
    if reached && !(settings.verify_fixtures.is_empty() && settings.verify_cleanup.is_empty()) {
        report.diagnostics.extend(super::fixtures::check(
            runner.client,
            &settings.verify_fixtures,
            &settings.verify_cleanup,
            &skip,
        )?);
    }
    drop(runner);
    drop(client);
    drop(scratch);
    let (snapshots, spent) = scope.spent.get();
    progress.hint(&format!(
        "verified {} of {}: up, down and up again, the catalog compared after each step ({} in {} ms)",
        plural(verified, "revision"),
        order.len(),
        plural(snapshots, "catalog snapshot"),
        spent.as_millis()
    ));
    Ok(report)
}

/// A runner on the scratch database: no other runner to wait for, one try each.
pub(super) fn scratch_runner<'a>(
    client: &'a mut postgres::Client,
    tables: &'a Tables,
    prepared: Option<crate::database::history_writer::Prepared>,
    variables: &'a Variables,
    info: &'a ConnInfo,
) -> Runner<'a> {
    Runner {
        client,
        tables,
        prepared,
        variables,
        single: false,
        info,
        watcher: None,
        timeouts: Timeouts {
            lock: Some(Duration::from_secs(2)),
            statement: None,
        },
        retries: 0,
        guard: None,
    }
}

/// The history tables' unqualified names, which the snapshot leaves out.
pub(super) fn history_tables(tables: &Tables) -> Vec<&str> {
    [tables.history_name(), tables.companion_name()]
        .into_iter()
        .map(|name| name.rsplit('.').next().unwrap_or(name))
        .collect()
}

/// One revision up, down and up, from the catalog `before` it: a finding for each difference,
/// and the catalog it leaves when it went through cleanly.
#[allow(
    clippy::too_many_arguments,
    reason = "one revision's whole context, passed once"
)]
fn verify_one(
    runner: &mut Runner<'_>,
    files: &Files,
    (state, variables): (&State, &Variables),
    node: usize,
    scope: &Scope<'_>,
    before: &Snapshot,
    sent: &mut Vec<String>,
    progress: &mut Progress,
) -> Result<(Vec<Diagnostic>, Option<Snapshot>), Error> {
    let revision = &files.project.revisions[node];
    let file = revision.file_name().to_owned();
    let mut found = Vec::new();
    let up = match steps::step(files, state, &Action::Up(node), variables) {
        Ok(step) => step,
        Err(problem) => return Ok((vec![*problem], None)),
    };
    sent.extend(up.script.as_ref().map(|s| s.bound.text.clone()));
    progress.start("verifying", &file);
    let started = std::time::Instant::now();
    let finish = |progress: &mut Progress, found: &[Diagnostic]| {
        let status = if found.iter().any(|d| d.severity() == Severity::Error) {
            "failed"
        } else {
            "verified"
        };
        progress.finish(status, &file, started.elapsed());
    };
    if let Some(failed) = run_step(runner, &up, Direction::Up, Rule::UpgradeFailed, "upgrade") {
        finish(progress, std::slice::from_ref(&failed));
        return Ok((vec![failed], None));
    }
    let after_up = snapshot::take(runner.client, scope)?;
    if revision.down.is_none() {
        let mut warning = Diagnostic::new(
            Rule::IrreversibleRevision,
            Location::file(&revision.path),
            format!(
                "`{file}` has no `-- migrate:down` section with SQL to run: it was run up once, and its downgrade is not verified"
            ),
            "write the down section, or leave the revision irreversible on purpose",
        );
        warning.configured = Some(Severity::Warning);
        finish(progress, &[]);
        return Ok((vec![warning], Some(after_up)));
    }
    let applied = AppliedRevision {
        version: files.identities[node].version,
        node: Some(node),
        applied_on: String::new(),
    };
    let down = match steps::step(files, state, &Action::Down(applied), variables) {
        Ok(step) => step,
        Err(problem) => return Ok((vec![*problem], None)),
    };
    sent.extend(down.script.as_ref().map(|s| s.bound.text.clone()));
    let texts: Vec<&str> = [&up, &down]
        .iter()
        .filter_map(|step| step.script.as_ref().map(|s| s.bound.text.as_str()))
        .collect();
    let mine = |differences, progress: &mut Progress| {
        verify_roles::ours(differences, &texts, &file, progress)
    };
    if let Some(failed) = run_step(
        runner,
        &down,
        Direction::Down,
        Rule::DowngradeFailed,
        "downgrade",
    ) {
        finish(progress, std::slice::from_ref(&failed));
        return Ok((vec![failed], None));
    }
    let after_down = snapshot::take(runner.client, scope)?;
    let down_at = section_location(revision, false);
    found.extend(downgrade_findings(
        mine(after_down.differences(before), progress),
        &file,
        &down_at,
    ));
    if !found.is_empty() {
        finish(progress, &found);
        return Ok((found, None));
    }
    if let Some(failed) = run_step(
        runner,
        &up,
        Direction::Up,
        Rule::UpgradeFailed,
        "second upgrade",
    ) {
        finish(progress, std::slice::from_ref(&failed));
        return Ok((vec![failed], None));
    }
    let again = snapshot::take(runner.client, scope)?;
    let up_at = section_location(revision, true);
    for difference in mine(again.differences(&after_up), progress) {
        found.push(Diagnostic::new(
            Rule::UpgradeNotRepeatable,
            up_at.clone(),
            repeat_message(&difference, &file),
            "make the up section depend only on what its down section leaves, not on what ran before it",
        ));
    }
    finish(progress, &found);
    let clean = found.is_empty();
    Ok((found, clean.then_some(again)))
}
