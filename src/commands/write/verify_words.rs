//! How `verify` says what differs: the place it points at and the words of each finding.

use crate::database::snapshot::Difference;
use crate::diagnostic::Location;

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

pub(super) fn trace_message(difference: &Difference, file: &str) -> String {
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
        } => format!(
            "{kind} {name} differs after the downgrade of {file}: it was `{before}`, it is `{after}`"
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
        } => format!(
            "{kind} {name} differs after the second upgrade of {file}: it was `{before}`, it is `{after}`"
        ),
    }
}
