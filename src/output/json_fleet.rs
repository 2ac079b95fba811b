//! The JSON fields of a command run on many targets: one entry per target (the target with no
//! password, its status, where it was and is, the revisions run with their times, and its
//! diagnostics), and the fleet's counts.

use std::collections::BTreeMap;

use serde::Serialize;

use super::json_entry::{Entry, StepEntry, entry, step};
use super::{Fleet, FleetTarget, TargetStatus};

#[derive(Serialize)]
pub(super) struct FleetFields<'a> {
    targets: Vec<TargetEntry<'a>>,
    fleet: Counts<'a>,
}

#[derive(Serialize)]
struct TargetEntry<'a> {
    target: &'a str,
    status: &'static str,
    from: &'a [String],
    to: &'a [String],
    revisions: Vec<StepEntry<'a>>,
    ms: u128,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changed: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_heads: Option<bool>,
    diagnostics: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Counts<'a> {
    /// Targets in this run (this shard's).
    total: usize,
    /// Targets the list held before the shard.
    listed: usize,
    shard: Option<&'a str>,
    /// Why targets were left unstarted: `canary-failed`, `max-failures`, `signal`.
    stopped: Option<&'static str>,
    /// Targets that ended at each position, by its revisions (`base` for none).
    at: BTreeMap<String, usize>,
    failed: usize,
    interrupted: usize,
    not_started: usize,
    ms: u128,
}

pub(super) fn fields(fleet: &Fleet) -> FleetFields<'_> {
    FleetFields {
        targets: fleet.targets.iter().map(target).collect(),
        fleet: Counts {
            total: fleet.targets.len(),
            listed: fleet.listed,
            shard: fleet.shard.as_deref(),
            stopped: fleet.stop.map(super::FleetStop::as_str),
            at: fleet.at().into_iter().collect(),
            failed: fleet.count(TargetStatus::Failed),
            interrupted: fleet.count(TargetStatus::Interrupted),
            not_started: fleet.count(TargetStatus::NotStarted),
            ms: fleet.elapsed.as_millis(),
        },
    }
}

fn target(t: &FleetTarget) -> TargetEntry<'_> {
    TargetEntry {
        target: &t.target,
        status: t.status.as_str(),
        from: &t.from,
        to: &t.to,
        revisions: t.steps.iter().map(step).collect(),
        ms: t.elapsed.as_millis(),
        pending: t.position.map(|p| p.pending),
        unknown: t.position.map(|p| p.unknown),
        changed: t.position.map(|p| p.changed),
        at_heads: t.position.map(|p| p.at_heads),
        diagnostics: t.diagnostics.iter().map(entry).collect(),
    }
}
