//! Carrying out the steps under the lock, one revision at a time, with progress as each one
//! starts and ends; a failure stops the run and says what stays applied.

use std::time::Instant;

use super::Action;
use super::steps::Step;
use crate::Error;
use crate::database::apply::Runner;
use crate::database::history::{Direction, State};
use crate::database::interrupt;
use crate::diagnostic::{Diagnostic, plural, refusal};
use crate::output::{self, Progress, Run, StepStatus};

/// Runs the steps into `run`; `Ok(Some(_))` is the refusal of a revision that failed.
pub(super) fn run(
    runner: &mut Runner<'_>,
    steps: &[Step<'_>],
    state: &State,
    run: &mut Run,
    progress: &mut Progress,
) -> Result<Option<Diagnostic>, Error> {
    let started = Instant::now();
    if !steps.is_empty() {
        runner.begin_run()?;
    }
    let mut done: Vec<String> = Vec::new();
    for step in steps {
        if let Some(signal) = interrupt::received() {
            runner.abandon_run();
            run.elapsed = started.elapsed();
            // In one transaction, what ran before is rolled back with it.
            if runner.single {
                done.clear();
            }
            return Ok(Some(refusal::interrupted_before(
                signal,
                &step.label,
                &done,
            )));
        }
        let (doing, status, direction) = match step.action {
            Action::Up(_) => ("applying", StepStatus::Applied, Direction::Up),
            Action::Down(_) => ("reverting", StepStatus::Reverted, Direction::Down),
            Action::StampUp(_) => ("stamping", StepStatus::Stamped, Direction::Up),
            Action::StampDown(_) => ("unstamping", StepStatus::Unstamped, Direction::Down),
        };
        progress.start(doing, &step.label);
        let step_started = Instant::now();
        let progress_row = state.progress_of(step.record.version);
        let result = match (&step.action, &step.script) {
            (Action::Up(_) | Action::Down(_), Some(script)) => runner
                .run(
                    script,
                    &step.record,
                    direction,
                    progress_row,
                    &mut |line: &str| {
                        progress.note(line);
                    },
                )
                .map(drop),
            _ => runner.stamp(&step.record, direction),
        };
        let took = step_started.elapsed();
        let ended = match result {
            Ok(()) => status,
            Err(_) => StepStatus::Failed,
        };
        progress.finish(ended.as_str(), &step.label, took);
        run.steps.push(output::Step {
            id: step.id.clone(),
            file: step.label.clone(),
            direction,
            status: ended,
            took,
        });
        if let Err(failure) = result {
            runner.abandon_run();
            run.elapsed = started.elapsed();
            // In one transaction, what ran before the failure was rolled back with it.
            if runner.single {
                done.clear();
            }
            let verb = if matches!(step.action, Action::Up(_)) {
                "applied"
            } else {
                "done"
            };
            let mut diagnostic = match interrupt::received() {
                Some(signal) => refusal::interrupted(signal, &step.label, &failure.text, &done),
                None => refusal::revision_failed(&step.label, &failure.text, &done, verb),
            };
            if let Some(location) = failure.location() {
                diagnostic.location = Some(location);
            }
            return Ok(Some(diagnostic));
        }
        done.push(step.label.clone());
    }
    if !steps.is_empty() {
        runner.commit_run()?;
    }
    run.elapsed = started.elapsed();
    progress.hint(&format!(
        "{} in {}",
        plural(run.steps.len(), "revision"),
        output::human_duration(run.elapsed)
    ));
    Ok(None)
}
