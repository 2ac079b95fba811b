//! Retrying a statement that ran out of `lock_timeout`: a jittered, growing pause, and a line
//! naming who was in the way, so the queue behind the table drains between tries.

use std::time::Instant;

use super::apply::{Runner, Script};
use super::first_cell;

impl Runner<'_> {
    /// Whether `error` is a lock wait that ran out of `lock_timeout`, with a try left.
    pub(super) fn may_retry(&self, error: &postgres::Error, attempt: u32) -> bool {
        error.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE)
            && attempt < self.retries
            && super::interrupt::received().is_none()
    }

    /// Says who holds locks, waits a jittered, growing while, and tells whether to try again
    /// (not when a signal came meanwhile).
    pub(super) fn before_retry(
        &mut self,
        script: &Script<'_>,
        attempt: u32,
        retrying: &mut dyn FnMut(&str),
    ) -> bool {
        let delay =
            super::lock::jittered(RETRY_BASE * 2u32.saturating_pow(attempt - 1)).min(RETRY_MAX);
        // The watcher saw who blocked the try that just ran out; before the first retry there
        // was none, and the sessions that hold locks in an open transaction are the suspects.
        let blocked_by = self
            .watcher
            .as_ref()
            .and_then(super::blockers::Watcher::take);
        let who = if let Some(blockers) = blocked_by {
            format!("blocked by {blockers}")
        } else {
            let holders = first_cell(self.client, HOLDERS)
                .ok()
                .flatten()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "none seen now".to_owned());
            format!("sessions holding locks: {holders}")
        };
        if self.watcher.is_none()
            && let Some(backend) = first_cell(self.client, "SELECT pg_backend_pid()")
                .ok()
                .flatten()
                .and_then(|pid| pid.parse().ok())
        {
            self.watcher = super::blockers::Watcher::start(self.info, backend);
        }
        retrying(&format!(
            "{}: a lock wait ran out of lock_timeout; try {} of {} in {}; {who}",
            script.origin,
            attempt + 1,
            self.retries + 1,
            crate::words::human_duration(delay)
        ));
        let until = Instant::now() + delay;
        while Instant::now() < until {
            if super::interrupt::received().is_some() {
                return false;
            }
            std::thread::sleep((until - Instant::now()).min(std::time::Duration::from_millis(50)));
        }
        super::interrupt::received().is_none()
    }
}

/// The first wait before a retry, doubled each time up to `RETRY_MAX`.
const RETRY_BASE: std::time::Duration = std::time::Duration::from_millis(200);
const RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(5);

/// The sessions of this database holding relation locks in an open transaction: who is likely
/// in the way of a statement that timed out waiting for a lock.
const HOLDERS: &str = "SELECT string_agg(format('pid %s (%s: %s)', a.pid, a.state, \
    left(regexp_replace(a.query, '\\s+', ' ', 'g'), 60)), ', ' ORDER BY a.xact_start) \
    FROM pg_stat_activity a WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() \
    AND a.xact_start IS NOT NULL AND a.pid IN (SELECT pid FROM pg_locks WHERE granted AND relation IS NOT NULL)";
