//! `rebase --dry-run`'s changes as git writes them: rename lines, then a unified diff.

use std::fmt::Write as _;

use super::Change;
use crate::escape::one_line;

/// The changes as one patch, as `git diff -M` would print it.
pub(super) fn patch(changes: &[Change]) -> String {
    let mut text = String::new();
    for change in changes {
        // A name is one line of the patch, whatever it holds.
        let (from_name, to_name) = (one_line(&change.from), one_line(&change.to));
        let from = if change.existed {
            format!("a/{from_name}")
        } else {
            "/dev/null".to_owned()
        };
        let _ = writeln!(text, "diff --git a/{from_name} b/{to_name}");
        if change.from != change.to {
            let _ = writeln!(text, "rename from {from_name}\nrename to {to_name}");
        }
        if change.before != change.after {
            let diff = similar::TextDiff::from_lines(&change.before, &change.after);
            let _ = write!(
                text,
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&from, &format!("b/{to_name}"))
            );
        }
    }
    text
}
