//! The fleet's progress on stderr: targets done out of the total, failures, the wave, and an
//! estimate of the time left; redrawn in place on a terminal, one plain line each in a log.

use std::sync::Mutex;
use std::time::Instant;

use super::schedule::Policy;
use crate::output::{FleetTarget, Progress, TargetStatus, human_duration};

/// The counters, behind a lock the workers share.
pub(super) struct Board<'a> {
    inner: Mutex<Inner<'a>>,
    total: usize,
    policy: Policy,
    started: Instant,
}

struct Inner<'a> {
    progress: &'a mut Progress,
    done: usize,
    failed: usize,
}

impl<'a> Board<'a> {
    pub(super) fn new(progress: &'a mut Progress, total: usize, policy: Policy) -> Board<'a> {
        Board {
            inner: Mutex::new(Inner {
                progress,
                done: 0,
                failed: 0,
            }),
            total,
            policy,
            started: Instant::now(),
        }
    }

    /// A target ended.
    pub(super) fn done(&self, target: &FleetTarget, failed: bool) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.done += 1;
        inner.failed += usize::from(failed);
        let done = inner.done;
        // The canary is wave 0; the rest go `--jobs` at a time.
        let canary = self.policy.canary.min(self.total);
        let jobs = self.policy.jobs.max(1);
        let rest = self.total - canary;
        let waves = rest.div_ceil(jobs);
        let wave = if done <= canary {
            "canary".to_owned()
        } else {
            format!("wave {}/{waves}", (done - canary).div_ceil(jobs))
        };
        let elapsed = self.started.elapsed();
        // Targets are counted in the thousands at most: u32 holds them, and f64 exactly.
        let ratio = f64::from(u32::try_from(self.total - done).unwrap_or(u32::MAX))
            / f64::from(u32::try_from(done).unwrap_or(u32::MAX).max(1));
        let left = elapsed.mul_f64(ratio);
        let status = match target.status {
            TargetStatus::Done => "done",
            TargetStatus::Failed => "FAILED",
            TargetStatus::Interrupted => "interrupted",
            TargetStatus::NotStarted => "not started",
        };
        let text = format!(
            "[{done}/{}] {status} {} · {} failed · {wave} · about {} left",
            self.total,
            target.target,
            inner.failed,
            human_duration(left)
        );
        inner.progress.status(&text);
    }

    /// The run is over: a live line gets its end.
    pub(super) fn end(&self) {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .progress
            .end_status();
    }
}
