//! Carrying out the steps under the lock, one revision at a time, with progress as each one
//! starts and ends; a failure stops the run and says what stays applied. On a guarded run (a
//! path that may move the session), a revision whose guard finds the lock taken waits and is
//! tried again, and one whose guard finds the history changed sends the run back to planning.

use std::time::{Duration, Instant};

use super::Action;
use super::steps::Step;
use crate::Error;
use crate::database::apply::{Failure, Runner};
use crate::database::guard::Stop;
use crate::database::history::{Direction, State};
use crate::database::{interrupt, lock};
use crate::diagnostic::{Diagnostic, plural, refusal};
use crate::output::{self, Progress, Run, StepStatus};

/// How a run of the steps ended.
pub(super) enum Outcome {
    /// Every step went through.
    Done,
    /// A revision failed, or a signal stopped the run: the refusal says what stays applied.
    Failed(Diagnostic),
    /// A guard found the history changed by another runner: plan again from the new history.
    Replan,
}

/// Runs the steps into `run`; a guarded run waits for the lock up to `wait`.
pub(super) fn run(
    runner: &mut Runner<'_>,
    steps: &[Step<'_>],
    state: &State,
    run: &mut Run,
    progress: &mut Progress,
    wait: Duration,
) -> Result<Outcome, Error> {
    let started = Instant::now();
    let mut waiting = Waiting::new(wait);
    if !steps.is_empty() {
        loop {
            match runner.begin_run()? {
                None => break,
                Some(Stop::Busy) => waiting.pause(progress)?,
                Some(Stop::Changed) => return Ok(Outcome::Replan),
            }
        }
    }
    let mut done: Vec<String> = Vec::new();
    let mut index = 0;
    while let Some(step) = steps.get(index) {
        if let Some(signal) = interrupt::received() {
            runner.abandon_run();
            run.elapsed = started.elapsed();
            // In one transaction, what ran before is rolled back with it.
            if runner.single {
                done.clear();
            }
            return Ok(Outcome::Failed(refusal::interrupted_before(
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
        let result = carry_out(runner, step, state, direction, progress);
        let took = step_started.elapsed();
        match result.as_ref().err().and_then(|failure| failure.stop) {
            Some(Stop::Busy) => {
                progress.finish("waiting for the lock before", &step.label, took);
                waiting.pause(progress)?;
                continue;
            }
            Some(Stop::Changed) => {
                progress.finish("not applied, the history changed before", &step.label, took);
                run.elapsed = started.elapsed();
                return Ok(Outcome::Replan);
            }
            None => {}
        }
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
            return Ok(Outcome::Failed(failed(step, &failure, &done)));
        }
        done.push(step.label.clone());
        waiting = Waiting::new(wait);
        index += 1;
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
    Ok(Outcome::Done)
}

/// One step's SQL with its history row, or the history row alone for `stamp`.
fn carry_out(
    runner: &mut Runner<'_>,
    step: &Step<'_>,
    state: &State,
    direction: Direction,
    progress: &mut Progress,
) -> Result<(), Failure> {
    match (&step.action, &step.script) {
        (Action::Up(_) | Action::Down(_), Some(script)) => runner
            .run(
                script,
                &step.record,
                direction,
                state.progress_of(step.record.version),
                &mut |line: &str| {
                    progress.note(line);
                },
            )
            .map(drop),
        _ => runner.stamp(&step.record, direction),
    }
}

/// The refusal of a step that failed, or that a signal stopped, with what stays `done`.
fn failed(step: &Step<'_>, failure: &Failure, done: &[String]) -> Diagnostic {
    let verb = if matches!(step.action, Action::Up(_)) {
        "applied"
    } else {
        "done"
    };
    let mut diagnostic = match interrupt::received() {
        Some(signal) => refusal::interrupted(signal, &step.label, &failure.text, done),
        None => refusal::revision_failed(&step.label, &failure.text, done, verb),
    };
    if let Some(location) = failure.location() {
        diagnostic.location = Some(location);
    }
    diagnostic
}

/// A guarded run's wait for the lock another runner holds: jittered pauses from 20 ms doubling
/// to 1 s, a note when it starts and every ten seconds, and an end after `wait`.
pub(super) struct Waiting {
    wait: Duration,
    since: Option<Instant>,
    delay: Duration,
    told: Option<Instant>,
}

impl Waiting {
    pub(super) fn new(wait: Duration) -> Waiting {
        Waiting {
            wait,
            since: None,
            delay: Duration::from_millis(20),
            told: None,
        }
    }

    pub(super) fn pause(&mut self, progress: &mut Progress) -> Result<(), Error> {
        let since = *self.since.get_or_insert_with(Instant::now);
        if self
            .told
            .is_none_or(|at| at.elapsed() >= Duration::from_secs(10))
        {
            progress.note(&format!(
                "waiting up to {} for the migration lock, held by another runner's revision",
                humantime::format_duration(self.wait)
            ));
            self.told = Some(Instant::now());
        }
        let elapsed = since.elapsed();
        if elapsed >= self.wait {
            return Err(Error::Database(format!(
                "another runner held the migration lock for {}; gave up (raise it with `--lock-wait`)",
                humantime::format_duration(self.wait)
            )));
        }
        let until =
            Instant::now() + lock::jittered(self.delay).min(self.wait.saturating_sub(elapsed));
        while Instant::now() < until {
            if let Some(signal) = interrupt::received() {
                return Err(Error::Interrupted(signal));
            }
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(50)));
        }
        self.delay = (self.delay * 2).min(Duration::from_secs(1));
        Ok(())
    }
}
