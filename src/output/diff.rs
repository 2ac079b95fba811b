//! `rebase --dry-run`'s changes as git writes them: rename lines, then a unified diff.

use std::fmt::Write as _;

use super::Change;

/// The changes as one patch, as `git diff -M` would print it.
pub(super) fn patch(changes: &[Change]) -> String {
    let mut text = String::new();
    for change in changes {
        let from = if change.existed {
            format!("a/{}", change.from)
        } else {
            "/dev/null".to_owned()
        };
        let _ = writeln!(text, "diff --git a/{} b/{}", change.from, change.to);
        if change.from != change.to {
            let _ = writeln!(text, "rename from {}\nrename to {}", change.from, change.to);
        }
        if change.before != change.after {
            let diff = similar::TextDiff::from_lines(&change.before, &change.after);
            let _ = write!(
                text,
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&from, &format!("b/{}", change.to))
            );
        }
    }
    text
}
