//! Reading another tool's numbered files (goose, golang-migrate, sqlx, dbmate, Flyway,
//! refinery, diesel) into revisions whose parent is the version before them.
//!
//! No file names its parent: the order is the version. So `link` gives each revision the
//! next lower version as its parent, over whatever set of revisions is in hand (this branch's,
//! or this branch's and the base's merged), and the graph rules then see two files of one
//! version as a duplicate and a version merged below the base's newest as `behind-base`.

pub(crate) mod detect;
pub(crate) mod name;
mod sections;

use std::collections::BTreeMap;
use std::path::Path;

use walkdir::WalkDir;

use super::{Entry, Loaded, bounded, sql_file, unreadable};
use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::layout::Layout;
use crate::revision::{DirFormat, ParentRef, Revises, Revision, RevisionId};
use crate::{Error, relpath};
use name::{Role, Verdict};

/// One file as read: its name under the tree's directory (`sub/V2__x.sql`, diesel's
/// `<dir>/up.sql`), its displayed path, and its bytes or why they could not be read.
type Read = (String, String, Result<Vec<u8>, String>);

/// Reads the tree of `layout` at `dir`, subdirectories included where the tool reads them.
pub(crate) fn load(dir: &Path, display_dir: &str, layout: Layout) -> Result<Loaded, Error> {
    let depth = if layout.directories() {
        2
    } else if layout.recursive() {
        usize::MAX
    } else {
        1
    };
    let mut read = Vec::new();
    let mut others = Vec::new();
    // diesel's migrations that `metadata.toml` runs outside a transaction.
    let mut outside = std::collections::BTreeSet::new();
    let mut walk = WalkDir::new(dir).min_depth(1).max_depth(depth).into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.map_err(|e| Error::Io {
            action: "list",
            path: display_dir.to_owned(),
            source: e.into(),
        })?;
        let relative = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let kind = entry.file_type();
        if kind.is_dir() {
            if entry.depth() == 1 {
                others.push(Entry {
                    name: entry.file_name().to_owned(),
                    kind,
                });
            }
            // Caches and hidden directories are no tool's migrations.
            if entry.file_name().to_string_lossy().starts_with('.') {
                walk.skip_current_dir();
            }
            continue;
        }
        if matches!(name::judge(layout, &relative), Verdict::Other) {
            if entry.depth() == 1 {
                others.push(Entry {
                    name: entry.file_name().to_owned(),
                    kind,
                });
            }
            continue;
        }
        let shown = relpath::join(display_dir, &relative);
        if layout == Layout::Diesel
            && relative.ends_with("/up.sql")
            && let Some(parent) = entry.path().parent()
            && !diesel_in_transaction(parent)
        {
            outside.insert(shown.clone());
        }
        // A FIFO or device named like a migration is refused unread, never waited on.
        let bytes = bounded::read_listed(entry.path(), kind);
        read.push((relative, shown, bytes));
    }
    read.sort_by(|a, b| a.0.cmp(&b.0));
    let mut loaded = build(layout, read);
    for revision in &mut loaded.revisions {
        if outside.contains(&revision.path)
            && let Some(up) = &mut revision.up
        {
            up.transaction = false;
        }
    }
    loaded.others = Some(others);
    Ok(loaded)
}

/// Whether diesel runs the migration in `dir` in a transaction: unless its `metadata.toml`
/// says `run_in_transaction = false`.
fn diesel_in_transaction(dir: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Metadata {
        run_in_transaction: Option<bool>,
    }
    bounded::read_to_string(&dir.join("metadata.toml"), bounded::CONFIG_LIMIT)
        .ok()
        .and_then(|text| toml::from_str::<Metadata>(&text).ok())
        .and_then(|m| m.run_in_transaction)
        .unwrap_or(true)
}

/// Parses files whose bytes are in hand (a git ref), as `load` reads a directory: each entry
/// is the name under the tree's directory, its displayed path and its bytes.
#[must_use]
pub(crate) fn from_bytes(layout: Layout, files: Vec<(String, String, Vec<u8>)>) -> Loaded {
    let mut read: Vec<Read> = files
        .into_iter()
        .filter(|(name, _, _)| !matches!(name::judge(layout, name), Verdict::Other))
        .filter(|(name, _, _)| layout.recursive() || layout.directories() || !name.contains('/'))
        .map(|(name, shown, bytes)| (name, shown, Ok(bytes)))
        .collect();
    read.sort_by(|a, b| a.0.cmp(&b.0));
    build(layout, read)
}

/// Whether a name under the tree's directory is one `layout`'s tool reads or judges.
#[must_use]
pub(crate) fn is_candidate(layout: Layout, name: &str) -> bool {
    !matches!(name::judge(layout, name), Verdict::Other)
}

/// A pair's halves, by version.
#[derive(Default)]
struct Pair {
    up: Vec<(String, String, String)>,
    down: Vec<String>,
}

fn build(layout: Layout, read: Vec<Read>) -> Loaded {
    let mut results = Vec::new();
    let mut pairs: BTreeMap<RevisionId, Pair> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    for (name, shown, bytes) in read {
        if name.chars().any(char::is_control) {
            diagnostics.push(named(
                Rule::InvalidFilename,
                &shown,
                "the name holds control characters (a newline, an escape), which every report would have to show escaped",
                layout,
            ));
            continue;
        }
        let (version, slug, role) = match name::judge(layout, &name) {
            Verdict::Migration {
                version,
                slug,
                role,
            } => (version, slug, role),
            Verdict::Refused(why) => {
                diagnostics.push(named(Rule::InvalidFilename, &shown, &why, layout));
                continue;
            }
            Verdict::Skipped(why) => {
                diagnostics.push(named(Rule::SkippedFile, &shown, &why, layout));
                continue;
            }
            Verdict::Other => continue,
        };
        let text = match bytes {
            Ok(bytes) => match sql_file::decode(&bytes) {
                Ok(text) => text,
                Err(problem) => {
                    diagnostics.push(problem.at(&shown));
                    continue;
                }
            },
            Err(why) => {
                diagnostics.push(unreadable(&shown, &why));
                continue;
            }
        };
        match role {
            Role::Repeatable => {}
            Role::Whole => results.push(revision(
                layout,
                version,
                slug,
                shown,
                text,
                &mut diagnostics,
            )),
            Role::Up => pairs
                .entry(version)
                .or_default()
                .up
                .push((slug, shown, text)),
            Role::Down => pairs.entry(version).or_default().down.push(shown),
        }
    }
    for (version, pair) in pairs {
        if pair.up.is_empty() {
            for down in &pair.down {
                diagnostics.push(unpaired(down, &version, layout, "up"));
            }
            continue;
        }
        // golang-migrate runs a missing down as an empty one, and Flyway's undo is optional.
        let pairs_expected = matches!(layout, Layout::Sqlx | Layout::Diesel);
        for (slug, shown, text) in pair.up {
            if pair.down.is_empty() && pairs_expected {
                diagnostics.push(unpaired(&shown, &version, layout, "down"));
            }
            results.push(revision(
                layout,
                version.clone(),
                slug,
                shown,
                text,
                &mut diagnostics,
            ));
        }
    }
    results.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let mut loaded = Loaded {
        format: DirFormat::Linear(layout),
        ..Loaded::default()
    };
    loaded.diagnostics = diagnostics;
    loaded.sources = results
        .iter_mut()
        .map(|(revision, text)| (revision.path.clone(), std::mem::take(text)))
        .collect();
    loaded.revisions = results.into_iter().map(|(revision, _)| revision).collect();
    loaded
}

fn revision(
    layout: Layout,
    id: RevisionId,
    slug: String,
    path: String,
    text: String,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Revision, String) {
    // A Go migration's code is Go: no markers to find, nothing to lint.
    let found = if std::path::Path::new(&path)
        .extension()
        .is_some_and(|e| e == "go")
    {
        sections::Sections::default()
    } else {
        sections::read(layout, &text)
    };
    for (line, message) in found.problems {
        diagnostics.push(Diagnostic::new(
            Rule::MalformedFile,
            Location::span(&path, line, 1, 0),
            message,
            format!("write the file as `{layout}` reads it"),
        ));
    }
    let revision = Revision {
        id,
        format: DirFormat::Linear(layout),
        slug,
        path,
        revises: Revises::Unknown,
        revises_line: None,
        depends_on: Vec::new(),
        branch_labels: Vec::new(),
        unreadable_labels: false,
        shown_labels: Vec::new(),
        description: Vec::new(),
        up: found.up,
        down: found.down,
    };
    (revision, text)
}

fn named(rule: Rule, shown: &str, why: &str, layout: Layout) -> Diagnostic {
    let file = shown.rsplit('/').next().unwrap_or(shown);
    Diagnostic::new(
        rule,
        Location::file(shown),
        format!("`{}`: {why}", crate::escape::one_line(file)),
        format!(
            "rename it as {layout} names migrations, or move it out of the migrations directory"
        ),
    )
}

fn unpaired(shown: &str, version: &RevisionId, layout: Layout, missing: &str) -> Diagnostic {
    let effect = if missing == "up" {
        format!("{layout} never applies a version without its up file")
    } else {
        format!("{layout} cannot roll this version back")
    };
    Diagnostic::new(
        Rule::UnpairedMigration,
        Location::file(shown),
        format!("version `{version}` has no {missing} file: {effect}"),
        format!("add its {missing} file beside it, with the same version"),
    )
}

/// Gives each revision the next lower version as its parent, and the lowest none: the line
/// the tool runs. Revisions sharing a version share its parent and are all parents of the
/// next, so a duplicate stays one step of the line and is reported as a duplicate.
///
/// dbmate runs its files in file-name order (`100_x.sql` before `10_x.sql`), not by version: its
/// line follows the names.
pub(crate) fn link(revisions: &mut [Revision]) {
    let by_name = revisions
        .first()
        .is_some_and(|r| r.format == DirFormat::Linear(Layout::Dbmate));
    let mut order: Vec<usize> = (0..revisions.len()).collect();
    if by_name {
        order.sort_by(|&a, &b| revisions[a].file_name().cmp(revisions[b].file_name()));
    } else {
        order.sort_by(|&a, &b| revisions[a].id.cmp(&revisions[b].id));
    }
    // Each revision follows the last one before it in the order with another version.
    let mut previous: Option<RevisionId> = None;
    let mut current: Option<RevisionId> = None;
    for node in order {
        let id = revisions[node].id.clone();
        if current.as_ref() != Some(&id) {
            previous = current.replace(id);
        }
        revisions[node].revises = match &previous {
            Some(parent) => Revises::Parents(vec![ParentRef {
                id: parent.clone(),
                line: 1,
                column: 1,
            }]),
            None => Revises::Root,
        };
    }
}
