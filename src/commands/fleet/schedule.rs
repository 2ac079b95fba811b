//! The order targets run in: the canary alone first, then the rest by `--jobs` workers, no
//! new target once `--max-failures` have failed or a signal came, and the targets another
//! runner held locked tried again at the end, waiting for their lock this time.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::database::interrupt;

/// Which try of a target this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// The first: a target another runner holds is left for later at once.
    First,
    /// At the end, for the targets that were held: wait for the lock as one database would.
    Held,
}

/// How one try of a target ended.
pub(super) enum Tried<R> {
    /// It ran to an end, good or bad (`failed` says which).
    Ran { result: R, failed: bool },
    /// Another runner held its lock; nothing was done.
    Held,
}

/// Why targets were left unstarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A canary target failed.
    Canary,
    /// `--max-failures` targets failed.
    MaxFailures,
    /// SIGINT or SIGTERM.
    Signal,
}

/// The policy of a run.
#[derive(Debug, Clone, Copy)]
pub(super) struct Policy {
    pub jobs: usize,
    pub canary: usize,
    pub max_failures: usize,
}

/// What `work` gives each worker to keep between targets: a connection, in schema mode.
pub(super) type Slot<C> = Option<C>;

/// One try of one target, by its index.
pub(super) type Work<'a, R, C> = dyn Fn(usize, Pass, &mut Slot<C>) -> Tried<R> + Sync + 'a;

/// Runs `work` on every target index of `0..count` under `policy`; `done` hears each result
/// as it comes (for progress). Returns each target's result (`None`: never started) and why
/// the run stopped starting targets, if it did.
pub(super) fn run<R: Send, C>(
    count: usize,
    policy: Policy,
    work: &Work<'_, R, C>,
    done: &(dyn Fn(usize, &R, bool) + Sync),
) -> (Vec<Option<R>>, Option<Stop>) {
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..count).map(|_| None).collect());
    let failures = AtomicUsize::new(0);
    let canary = policy.canary.min(count);
    let shared = Shared {
        policy,
        work,
        done,
        results: &results,
        failures: &failures,
    };
    shared.phase((0..canary).collect());
    let mut stop = None;
    if canary > 0 && failures.load(Ordering::SeqCst) > 0 {
        stop = Some(Stop::Canary);
    } else {
        shared.phase((canary..count).collect());
    }
    if interrupt::received().is_some() {
        stop = Some(Stop::Signal);
    } else if stop.is_none() && failures.load(Ordering::SeqCst) >= policy.max_failures {
        stop = Some(Stop::MaxFailures);
    }
    let results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let stop = stop.filter(|_| results.iter().any(Option::is_none));
    (results, stop)
}

struct Shared<'a, R, C> {
    policy: Policy,
    work: &'a Work<'a, R, C>,
    done: &'a (dyn Fn(usize, &R, bool) + Sync),
    results: &'a Mutex<Vec<Option<R>>>,
    failures: &'a AtomicUsize,
}

impl<R: Send, C> Shared<'_, R, C> {
    /// Runs `indices` with the workers, then those another runner held, waiting this time.
    fn phase(&self, indices: Vec<usize>) {
        let held = self.workers(indices, Pass::First);
        if !held.is_empty() {
            self.workers(held, Pass::Held);
        }
    }

    /// Whether a new target may start.
    fn may_start(&self) -> bool {
        interrupt::received().is_none()
            && self.failures.load(Ordering::SeqCst) < self.policy.max_failures
    }

    /// Runs `indices` on up to `jobs` threads; returns the indices that were held.
    fn workers(&self, indices: Vec<usize>, pass: Pass) -> Vec<usize> {
        let threads = self.policy.jobs.min(indices.len());
        let queue = Mutex::new(VecDeque::from(indices));
        let held = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let mut slot: Slot<C> = None;
                    loop {
                        if !self.may_start() {
                            break;
                        }
                        let next = queue
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .pop_front();
                        let Some(index) = next else { break };
                        match (self.work)(index, pass, &mut slot) {
                            Tried::Held => held
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .push(index),
                            Tried::Ran { result, failed } => {
                                if failed {
                                    self.failures.fetch_add(1, Ordering::SeqCst);
                                }
                                (self.done)(index, &result, failed);
                                self.results
                                    .lock()
                                    .unwrap_or_else(std::sync::PoisonError::into_inner)[index] =
                                    Some(result);
                            }
                        }
                    }
                });
            }
        });
        let mut held = held
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        held.sort_unstable();
        held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(jobs: usize, canary: usize, max_failures: usize) -> Policy {
        Policy {
            jobs,
            canary,
            max_failures,
        }
    }

    #[test]
    fn a_failing_canary_starts_nothing_else() {
        let started = AtomicUsize::new(0);
        let work = |i: usize, _: Pass, _: &mut Slot<()>| {
            started.fetch_add(1, Ordering::SeqCst);
            Tried::Ran {
                result: i,
                failed: i == 1,
            }
        };
        let (results, stop) = run(10, policy(4, 3, 5), &work, &|_, _, _| {});
        assert_eq!(stop, Some(Stop::Canary));
        assert_eq!(started.load(Ordering::SeqCst), 3);
        assert!(results[3..].iter().all(Option::is_none));
    }

    #[test]
    fn max_failures_stops_new_targets_and_held_ones_come_back_last() {
        let order = Mutex::new(Vec::new());
        let work = |i: usize, pass: Pass, _: &mut Slot<()>| {
            order.lock().unwrap().push((i, pass));
            if i == 2 && pass == Pass::First {
                return Tried::Held;
            }
            Tried::Ran {
                result: i,
                failed: false,
            }
        };
        let (results, stop) = run(5, policy(1, 0, 1), &work, &|_, _, _| {});
        assert_eq!(stop, None);
        assert!(results.iter().all(Option::is_some));
        assert_eq!(order.lock().unwrap().last(), Some(&(2, Pass::Held)));

        let work = |i: usize, _: Pass, _: &mut Slot<()>| Tried::Ran {
            result: i,
            failed: i >= 2,
        };
        let (results, stop) = run(10, policy(1, 0, 2), &work, &|_, _, _| {});
        assert_eq!(stop, Some(Stop::MaxFailures));
        assert_eq!(results.iter().filter(|r| r.is_some()).count(), 4);
    }

    #[test]
    fn workers_keep_their_slot_between_targets() {
        let opened = AtomicUsize::new(0);
        let work = |i: usize, _: Pass, slot: &mut Slot<usize>| {
            if slot.is_none() {
                *slot = Some(opened.fetch_add(1, Ordering::SeqCst));
            }
            Tried::Ran {
                result: i,
                failed: false,
            }
        };
        let (results, _) = run(50, policy(3, 0, 1), &work, &|_, _, _| {});
        assert!(results.iter().all(Option::is_some));
        assert!(opened.load(Ordering::SeqCst) <= 3);
    }
}
