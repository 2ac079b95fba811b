//! Renumbering: the new ids of the moved revisions, and the new names and `-- migrate:revises`
//! lines of their files.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::padding_width;
use crate::project::Project;
use crate::revision::{Revision, RevisionId};

/// New ids for the moved revisions, in graph order after the highest kept one. A revision keeps
/// its number when it is already above everything before it, so a branch that only needs its
/// parent fixed is not renamed.
pub(crate) fn new_ids(
    tree: &Project,
    kept: &[usize],
    moved: &BTreeSet<usize>,
) -> BTreeMap<usize, RevisionId> {
    let width = padding_width(kept.iter().map(|&n| &tree.revisions[n].id))
        .or_else(|| padding_width(tree.revisions.iter().map(|r| &r.id)))
        .unwrap_or(1);
    let mut new_ids = BTreeMap::new();
    let mut last = kept.iter().map(|&n| &tree.revisions[n].id).max().cloned();
    for node in tree.graph.topological_order() {
        if !moved.contains(&node) {
            continue;
        }
        let current = &tree.revisions[node].id;
        let id = match &last {
            // An id that is not a number (Alembic's hex ids) has no order: only its parent moves.
            Some(last) if current.is_number() && current <= last => last.successor(width),
            _ => current.clone(),
        };
        last = Some(id.clone());
        new_ids.insert(node, id);
    }
    new_ids
}

/// A revision's file name with a new number.
pub(crate) fn renamed(revision: &Revision, id: &RevisionId) -> String {
    let name = revision.file_name();
    let rest = name.trim_start_matches(|c: char| c.is_ascii_digit());
    format!("{id}{rest}")
}

/// A displayed path with its last component replaced.
pub(crate) fn replace_name(path: &str, name: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{name}"),
        None => name.to_owned(),
    }
}

/// The file's text with its `-- migrate:revises` line naming `parents`.
pub(crate) fn rewrite_revises(text: &str, revision: &Revision, parents: &[String]) -> String {
    let Some(line_number) = revision.revises_line else {
        return text.to_owned();
    };
    let value = if parents.is_empty() {
        "none".to_owned()
    } else {
        parents.join(" ")
    };
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line_number
            && let Some(at) = line.find("migrate:revises")
        {
            let newline = if line.ends_with('\n') { "\n" } else { "" };
            out.push_str(&line[..at + "migrate:revises".len()]);
            out.push(' ');
            out.push_str(&value);
            out.push_str(newline);
        } else {
            out.push_str(line);
        }
    }
    out
}
