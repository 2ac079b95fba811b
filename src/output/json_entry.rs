//! The JSON entries every document shares: a diagnostic, and one revision of a run.

use serde::Serialize;

use super::Step;
use crate::diagnostic::{Diagnostic, Kind};

#[derive(Serialize)]
pub(super) struct StepEntry<'a> {
    id: &'a str,
    file: &'a str,
    direction: &'static str,
    status: &'static str,
    ms: u128,
}

#[derive(Serialize)]
pub(super) struct Entry<'a> {
    name: &'static str,
    family: &'static str,
    id: &'static str,
    kind: &'static str,
    severity: &'static str,
    message: &'a str,
    path: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    help: &'a str,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    path: &'a str,
    line: usize,
}

/// One revision of a run.
pub(super) fn step(s: &Step) -> StepEntry<'_> {
    StepEntry {
        id: &s.id,
        file: &s.file,
        direction: s.direction.as_str(),
        status: s.status.as_str(),
        ms: s.took.as_millis(),
    }
}

pub(super) fn entry(d: &Diagnostic) -> Entry<'_> {
    Entry {
        name: d.rule.name(),
        family: d.rule.family_name(),
        id: d.rule.id(),
        kind: match d.rule.kind() {
            Kind::Finding => "finding",
            Kind::Refusal => "refusal",
            Kind::Failure => "failure",
        },
        severity: d.severity().as_str(),
        message: &d.message,
        path: d.location.as_ref().map(|l| l.path.as_str()),
        line: d.location.as_ref().map(|l| l.line),
        column: d.location.as_ref().map(|l| l.column),
        help: &d.help,
        related: d
            .related
            .iter()
            .map(|r| Related {
                path: &r.path,
                line: r.line,
            })
            .collect(),
    }
}
