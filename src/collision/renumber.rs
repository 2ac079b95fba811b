//! Renumbering: the new ids of the moved revisions, and the new names and `-- migrate:revises`
//! lines of their files.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::padding_width;
use crate::layout::Layout;
use crate::project::Project;
use crate::revision::{DirFormat, Revision, RevisionId};

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
            // Numbers move (migrate's and a numbered Alembic tree's), and every version of
            // another tool's line (dbmate's digits compared as written, Flyway's dotted ones).
            Some(last)
                if current <= last
                    && (current.is_number() || matches!(tree.format, DirFormat::Linear(_))) =>
            {
                let next = next_version(tree.format, last, width);
                // dbmate's and diesel's versions are text: the new one is too.
                if matches!(
                    tree.format,
                    DirFormat::Linear(Layout::Dbmate | Layout::Diesel)
                ) {
                    RevisionId::name(next.as_str())
                } else {
                    next
                }
            }
            // An id that is not a number (Alembic's hex ids) has no order: only its parent moves.
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
    // diesel's revision is its directory: `2024-01-01-120000_x/up.sql` becomes
    // `<new version>_x/up.sql`, with dashes when the old name had them, as diesel writes them.
    if revision.format == DirFormat::Linear(Layout::Diesel) {
        let (dir, file) = name.split_once('/').unwrap_or((name, "up.sql"));
        let slug = dir.split_once('_').map_or("", |(_, slug)| slug);
        let digits = id.as_str();
        let version = if dir.contains('-') && digits.len() == TIMESTAMP.len() {
            format!(
                "{}-{}-{}-{}",
                &digits[..4],
                &digits[4..6],
                &digits[6..8],
                &digits[8..]
            )
        } else {
            digits.to_owned()
        };
        return format!("{version}_{slug}/{file}");
    }
    // Flyway's and refinery's `V` (or `U`) stays in front of the version.
    let (prefix, name) = match revision.format {
        DirFormat::Linear(Layout::Flyway | Layout::Refinery) => name.split_at(1),
        _ => ("", name),
    };
    let rest = if prefix.is_empty() {
        name.trim_start_matches(|c: char| c.is_ascii_digit())
    } else {
        // `V1_2__x.sql`: the version ends where `__` begins.
        name.find("__").map_or(name, |at| &name[at..])
    };
    format!("{prefix}{id}{rest}")
}

/// The version after `last` for a revision moved above it: the next number (zero-padded to
/// `width`) for migrate's own trees and sequential versions; for a tool that names new files
/// by the time, the current UTC time when it is above `last` (as the tool's own `new` would
/// write), else the next number; for Flyway, the next major version.
fn next_version(format: DirFormat, last: &RevisionId, width: usize) -> RevisionId {
    // dbmate's versions are kept as written: counted on as numbers here.
    let counted = RevisionId::parse(last.as_str());
    let last = counted.as_ref().unwrap_or(last);
    match format {
        DirFormat::Linear(Layout::Flyway | Layout::Refinery) => last.next_major(),
        DirFormat::Linear(layout) if layout.timestamps() && last.width() == TIMESTAMP.len() => {
            let now: String = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            match RevisionId::parse(&now) {
                Some(now) if now.width() == TIMESTAMP.len() && now > *last => now,
                _ => last.successor(width),
            }
        }
        _ => last.successor(width),
    }
}

/// The shape of a timestamp version, `YYYYMMDDHHMMSS`.
const TIMESTAMP: &str = "20060102150405";

/// The old and new names of the other half of a renamed pair (`.down.sql` beside `.up.sql`,
/// Flyway's `U` undo file beside its `V` file): a pair split across two versions would be two
/// findings.
pub(crate) fn partner_names(revision: &Revision, new_name: &str) -> Option<(String, String)> {
    let partner = |name: &str| -> Option<String> {
        match revision.format {
            DirFormat::Linear(Layout::GolangMigrate | Layout::Sqlx) => name
                .strip_suffix(".up.sql")
                .map(|stem| format!("{stem}.down.sql")),
            DirFormat::Linear(Layout::Flyway) => {
                name.strip_prefix('V').map(|rest| format!("U{rest}"))
            }
            _ => None,
        }
    };
    Some((partner(revision.file_name())?, partner(new_name)?))
}

/// The other files of a renamed diesel directory, old and new names: its `down.sql` and
/// `metadata.toml` move with its `up.sql`.
pub(crate) fn directory_companions(revision: &Revision, new_name: &str) -> Vec<(String, String)> {
    if revision.format != DirFormat::Linear(Layout::Diesel) {
        return Vec::new();
    }
    let dir = |name: &str| {
        name.split_once('/')
            .map_or(String::new(), |(d, _)| d.to_owned())
    };
    let (old, new) = (dir(revision.file_name()), dir(new_name));
    ["down.sql", "metadata.toml"]
        .iter()
        .map(|file| (format!("{old}/{file}"), format!("{new}/{file}")))
        .collect()
}

/// A displayed path with its last component replaced.
pub(crate) fn replace_name(path: &str, name: &str) -> String {
    // A name with its directory (diesel's `<version>_x/up.sql`) replaces as many components.
    let parts = name.matches('/').count() + 1;
    match path.rmatch_indices('/').nth(parts - 1) {
        Some((at, _)) => format!("{}/{name}", &path[..at]),
        None => name.to_owned(),
    }
}

/// A file's path on disk with its last components replaced by `name`, as `replace_name` does
/// for the displayed path.
#[must_use]
pub(crate) fn replace_path(full: &std::path::Path, name: &str) -> std::path::PathBuf {
    let parts = name.matches('/').count() + 1;
    let mut base = full.to_path_buf();
    for _ in 0..parts {
        base.pop();
    }
    base.join(name)
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
