//! The result of a command run on many targets: one entry per target, in the list's order,
//! what stopped the run from starting more, and the summary grouped by revision.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Step;
use crate::diagnostic::Diagnostic;

/// `upgrade`, `downgrade`, `stamp` or `current` on a target list.
#[derive(Debug)]
pub(crate) struct Fleet {
    pub targets: Vec<FleetTarget>,
    /// How many targets the list held before `--shard` took this runner's share.
    pub listed: usize,
    /// `--shard`, as `I/N`.
    pub shard: Option<String>,
    /// Why targets were left unstarted, when some were.
    pub stop: Option<FleetStop>,
    pub elapsed: Duration,
}

/// Why a fleet run started no more targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FleetStop {
    /// A canary target failed: no other target was touched.
    Canary,
    /// `--max-failures` targets failed.
    MaxFailures,
    /// SIGINT or SIGTERM.
    Signal,
}

impl FleetStop {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FleetStop::Canary => "canary-failed",
            FleetStop::MaxFailures => "max-failures",
            FleetStop::Signal => "signal",
        }
    }
}

/// One target's result.
#[derive(Debug)]
pub(crate) struct FleetTarget {
    /// `user@host:port/db` with no password, or the schema.
    pub target: String,
    pub status: TargetStatus,
    /// Where it was before the run, and after: the revisions none of whose children it has.
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub steps: Vec<Step>,
    pub diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// `current`: how it stands against the files.
    pub position: Option<TargetPosition>,
}

impl FleetTarget {
    /// A target that has not run (yet).
    pub(crate) fn unstarted(target: &str) -> FleetTarget {
        FleetTarget {
            target: target.to_owned(),
            status: TargetStatus::NotStarted,
            from: Vec::new(),
            to: Vec::new(),
            steps: Vec::new(),
            diagnostics: Vec::new(),
            elapsed: Duration::ZERO,
            position: None,
        }
    }
}

/// How a target ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetStatus {
    /// Ran to its end (for `current`: read).
    Done,
    Failed,
    /// A signal stopped it: rolled back, its lock let go.
    Interrupted,
    /// Never started: a canary failed, `--max-failures` was reached, or a signal came first.
    NotStarted,
}

impl TargetStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Done => "done",
            TargetStatus::Failed => "failed",
            TargetStatus::Interrupted => "interrupted",
            TargetStatus::NotStarted => "not-started",
        }
    }
}

/// `current` on one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TargetPosition {
    pub pending: usize,
    /// Applied revisions no file here knows.
    pub unknown: usize,
    /// Applied revisions whose file changed since (checksum drift).
    pub changed: usize,
    pub at_heads: bool,
}

impl Fleet {
    /// How many targets ended at each position, most first (ties by label), for "180 at 042".
    pub(crate) fn at(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for target in &self.targets {
            if target.status == TargetStatus::Done {
                *counts.entry(position_label(&target.to)).or_default() += 1;
            }
        }
        let mut at: Vec<(String, usize)> = counts.into_iter().collect();
        at.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
        at
    }

    /// How many targets have `status`.
    pub(crate) fn count(&self, status: TargetStatus) -> usize {
        self.targets.iter().filter(|t| t.status == status).count()
    }

    /// The summary line: `180 at 042, 19 at 041, 1 failed`.
    pub(crate) fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .at()
            .into_iter()
            .map(|(label, n)| format!("{n} at {label}"))
            .collect();
        for (status, word) in [
            (TargetStatus::Failed, "failed"),
            (TargetStatus::Interrupted, "interrupted"),
            (TargetStatus::NotStarted, "not started"),
        ] {
            let n = self.count(status);
            if n > 0 {
                parts.push(format!("{n} {word}"));
            }
        }
        if parts.is_empty() {
            "no target".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// A position as one word: its revisions joined by `+`, or `base` for none.
pub(crate) fn position_label(revisions: &[String]) -> String {
    if revisions.is_empty() {
        "base".to_owned()
    } else {
        revisions.join("+")
    }
}
