//! How revisions are written for people, in Alembic's forms: the one-line history entry and the verbose block.

use std::fmt::Write as _;

use crate::escape::one_line;
use crate::graph::RevisionGraph;
use crate::revision::{DirFormat, Revises, Revision};

/// What follows the id in `heads`: Alembic's branch labels, then `(head)`, or `(effective head)`
/// for a head that other revisions depend on.
fn head_markers(revision: &Revision, graph: &RevisionGraph, node: usize) -> String {
    let mut text = String::new();
    if !revision.shown_labels.is_empty() {
        text.push_str(" (");
        text.push_str(&labels(revision));
        text.push(')');
    }
    if graph.is_real_head(node) {
        text.push_str(" (head)");
    } else if graph.children(node).is_empty() {
        text.push_str(" (effective head)");
    }
    text
}

/// The labels shown on a revision, each on one line: a label read from a constant can hold a
/// newline, which would start a line of its own (a forged annotation in a CI log).
fn labels(revision: &Revision) -> String {
    let shown: Vec<_> = revision.shown_labels.iter().map(|l| one_line(l)).collect();
    shown.join(", ")
}

/// The markers after a revision's id in `history`: the head markers, then `(branchpoint)` and
/// `(mergepoint)`, in Alembic's order.
fn markers(revision: &Revision, graph: &RevisionGraph, node: usize) -> String {
    let mut text = head_markers(revision, graph, node);
    if graph.children(node).len() > 1 {
        text.push_str(" (branchpoint)");
    }
    if revision.parent_ids().len() > 1 {
        text.push_str(" (mergepoint)");
    }
    text
}

/// The parents as written in the header: `<base>` for a root, `040, 041` for a merge, and
/// Alembic's dependencies in brackets after them: `040 (shop) -> 041`.
fn down_revisions(revision: &Revision) -> String {
    let parents = parent_list(revision);
    if revision.depends_on.is_empty() {
        return parents;
    }
    let dependencies: Vec<&str> = revision.depends_on.iter().map(|d| d.id.as_str()).collect();
    format!("{parents} ({})", dependencies.join(", "))
}

fn parent_list(revision: &Revision) -> String {
    match &revision.revises {
        Revises::Root => "<base>".to_owned(),
        Revises::Unknown => "<unknown>".to_owned(),
        Revises::Parents(parents) => parents
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `039 -> 041 (head), add readonly role`.
#[must_use]
pub(crate) fn line(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    format!(
        "{} -> {}{}, {}",
        down_revisions(revision),
        revision.id,
        markers(revision, graph, node),
        revision.message()
    )
}

/// `040 (head)`: the id and its markers, as `heads` prints them.
#[must_use]
pub(crate) fn head(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    format!("{}{}", revision.id, head_markers(revision, graph, node))
}

/// The verbose block. An Alembic revision's is Alembic's `log_entry`, line for line; a
/// native revision's adds whether it can be reverted.
#[must_use]
pub(crate) fn verbose(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    if revision.format == DirFormat::Alembic {
        return log_entry(revisions, graph, node);
    }
    let parents_label = if graph.parents(node).len() > 1 {
        "Merges"
    } else {
        "Parent"
    };
    let mut lines = vec![
        format!("Rev: {}{}", revision.id, markers(revision, graph, node)),
        format!("{parents_label}: {}", parent_list(revision)),
    ];
    let children = graph.children(node);
    if children.len() > 1 {
        let ids: Vec<&str> = children.iter().map(|&c| revisions[c].id.as_str()).collect();
        lines.push(format!("Branches into: {}", ids.join(", ")));
    }
    lines.push(format!("Path: {}", one_line(&revision.path)));
    let reversible = if revision.down.is_some() {
        "yes"
    } else {
        "no (no `-- migrate:down` section with SQL to run)"
    };
    lines.push(format!("Reversible: {reversible}"));
    lines.push(String::new());
    let description: Vec<&str> = revision
        .description
        .iter()
        .map(String::as_str)
        .skip_while(|l| l.trim().is_empty())
        .collect();
    if description.is_empty() {
        lines.push(format!("    {}", revision.message()));
    }
    lines.extend(
        description
            .iter()
            .map(|line| format!("    {line}").trim_end().to_owned()),
    );
    lines.push(String::new());
    lines.join("\n")
}

/// Alembic's `Script.log_entry`: here `(head)` means no revision follows this one, whatever
/// depends on it, and the docstring is `longdoc`, split as Python's `splitlines` splits.
fn log_entry(revisions: &[Revision], graph: &RevisionGraph, node: usize) -> String {
    let revision = &revisions[node];
    let children = graph.children(node);
    let mut text = format!("Rev: {}", revision.id);
    if children.is_empty() {
        text.push_str(" (head)");
    }
    if children.len() > 1 {
        text.push_str(" (branchpoint)");
    }
    let merge = revision.parent_ids().len() > 1;
    if merge {
        text.push_str(" (mergepoint)");
    }
    let label = if merge { "Merges" } else { "Parent" };
    let _ = write!(text, "\n{label}: {}\n", parent_list(revision));
    if !revision.depends_on.is_empty() {
        let ids: Vec<&str> = revision.depends_on.iter().map(|d| d.id.as_str()).collect();
        let _ = writeln!(text, "Also depends on: {}", ids.join(", "));
    }
    if children.len() > 1 {
        let ids: Vec<&str> = children.iter().map(|&c| revisions[c].id.as_str()).collect();
        let _ = writeln!(text, "Branches into: {}", ids.join(", "));
    }
    if !revision.shown_labels.is_empty() {
        let _ = writeln!(text, "Branch names: {}", labels(revision));
    }
    let _ = write!(text, "Path: {}\n\n", one_line(&revision.path));
    let body: Vec<String> = python_lines(revision.long_message())
        .map(|line| format!("    {line}"))
        .collect();
    text.push_str(&body.join("\n"));
    text.push('\n');
    text
}

/// Python's `str.splitlines()`: every line break Python knows, `\r\n` as one.
fn python_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(at) = rest.find([
            '\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}',
            '\u{2029}',
        ]) else {
            let line = rest;
            rest = "";
            return Some(line);
        };
        let line = &rest[..at];
        let width = if rest[at..].starts_with("\r\n") {
            2
        } else {
            rest[at..].chars().next().map_or(1, char::len_utf8)
        };
        rest = &rest[at + width..];
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::python_lines;

    #[test]
    fn lines_split_as_python_splits_them() {
        let lines: Vec<&str> = python_lines("a\r\nb\rc\u{2028}d\n\ne").collect();
        assert_eq!(lines, ["a", "b", "c", "d", "", "e"]);
        assert_eq!(python_lines("").count(), 0);
        assert_eq!(python_lines("one\n").collect::<Vec<_>>(), ["one"]);
    }
}
