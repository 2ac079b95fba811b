//! How `verify` says what differs: the place it points at and the words of each finding.

use crate::database::privileges;
use crate::database::snapshot::Difference;
use crate::diagnostic::{Diagnostic, Location, Rule};

/// The findings of a downgrade that did not restore `before`: a privilege left behind in words,
/// one finding a grantee; any other difference as it is.
pub(super) fn downgrade_findings(
    differences: Vec<Difference>,
    file: &str,
    at: &Location,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for difference in differences {
        let said = match &difference {
            Difference::Changed {
                kind,
                name,
                before,
                after,
            } => privileges::privilege_changes(kind, name, before, after),
            _ => Vec::new(),
        };
        let messages = if said.is_empty() {
            vec![trace_message(&difference, file)]
        } else {
            said.into_iter()
                .map(|s| format!("{s} after the downgrade of {file}"))
                .collect()
        };
        for message in messages {
            found.push(Diagnostic::new(
                Rule::DowngradeLeavesTrace,
                at.clone(),
                message,
                "make the down section undo exactly what the up section does",
            ));
        }
    }
    found
}

pub(super) fn section_location(revision: &crate::revision::Revision, up: bool) -> Location {
    let section = if up { &revision.up } else { &revision.down };
    match section {
        Some(section) => {
            let marker = if up {
                "-- migrate:up"
            } else {
                "-- migrate:down"
            };
            Location::span(&revision.path, section.line, 1, marker.len())
        }
        None => Location::file(&revision.path),
    }
}

fn trace_message(difference: &Difference, file: &str) -> String {
    match difference {
        Difference::Added { kind, name } => {
            format!("{kind} {name} is still present after the downgrade of {file}")
        }
        Difference::Removed { kind, name } => {
            format!(
                "{kind} {name}, there before the upgrade of {file}, is gone after its downgrade"
            )
        }
        Difference::Changed {
            kind,
            name,
            before,
            after,
        } => differs(
            kind,
            name,
            before,
            after,
            &format!("the downgrade of {file}"),
        ),
    }
}

pub(super) fn repeat_message(difference: &Difference, file: &str) -> String {
    match difference {
        Difference::Added { kind, name } => {
            format!("{kind} {name} appears only on the second upgrade of {file}")
        }
        Difference::Removed { kind, name } => {
            format!("{kind} {name} is missing after the second upgrade of {file}")
        }
        Difference::Changed {
            kind,
            name,
            before,
            after,
        } => differs(
            kind,
            name,
            before,
            after,
            &format!("the second upgrade of {file}"),
        ),
    }
}

/// The words of an object described differently before and after `step`.
fn differs(kind: &str, name: &str, before: &str, after: &str, step: &str) -> String {
    format!("{kind} {name} differs after {step}: it was `{before}`, it is `{after}`")
}
