//! The guard's part of a run on a path that may move the session: each revision's transaction
//! opens with the guard, the expected history follows each revision, and a guard's stop is a
//! failure the run can wait out or plan again from.

use super::apply::{Failure, Runner};
use super::guard::{fingerprint, opening, stop_of};
use super::history::Direction;

impl Runner<'_> {
    /// The guard's statement for the next revision, when the run is guarded.
    pub(super) fn guard_opening(&self) -> Option<String> {
        self.guard.as_ref().map(|guard| {
            opening(
                self.tables,
                &guard.lock,
                &fingerprint(guard.applied.iter().copied()),
            )
        })
    }

    /// A revision went through: the history the guard expects next follows it.
    pub(super) fn guard_passed(&mut self, version: i32, direction: Direction) {
        if let Some(guard) = &mut self.guard {
            match direction {
                Direction::Up => guard.applied.insert(version),
                Direction::Down => guard.applied.remove(&version),
            };
        }
    }

    /// When the guard stopped the revision: the transaction rolled back, and why, as a failure.
    pub(super) fn guard_stop(&mut self, error: &postgres::Error) -> Option<Failure> {
        let stop = stop_of(error)?;
        self.rollback();
        Some(Failure {
            place: None,
            text: super::describe(error),
            stop: Some(stop),
            sqlstate: None,
        })
    }
}
