//! `rebase`'s plan: new numbers for the revisions that move, their rewritten files, every stale
//! reference fixed, the head file, and what `check` would say about the result.
//!
//! The plan is made in memory and judged before anything is written, so a rebase that would
//! not pass `check` changes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::collision::file_walk::TextFile;
use crate::collision::head_file::{self, HeadFile};
use crate::collision::moving::{Split, split};
use crate::collision::references;
use crate::collision::renumber::{
    directory_companions, new_ids, partner_names, renamed, replace_name, replace_path,
    rewrite_revises,
};
use crate::diagnostic::{self, Diagnostic, Rule};
use crate::project::Project;
use crate::revision::{DirFormat, RevisionId};
use crate::source::alembic::file as alembic_file;
use crate::source::{self, Loaded, bounded};

/// What `rebase` works on.
pub(crate) struct Input<'a> {
    /// The tree to renumber in: the working tree, or the working tree merged with the base.
    pub tree: &'a Project,
    /// Nodes below this index are files of the working tree; the rest exist only on the base.
    pub work_len: usize,
    /// Where each working-tree revision's file is, by node.
    pub full_paths: Vec<PathBuf>,
    /// The nodes to move after the head of the rest.
    pub moved: BTreeSet<usize>,
    /// The repository's text files, for references.
    pub files: Vec<TextFile>,
    /// The head file, before the rebase.
    pub head_file: &'a HeadFile,
    /// Where the head file is.
    pub head_file_path: PathBuf,
    /// Working-tree nodes that have shipped, with where: the plan never renames or rewrites them.
    pub frozen: BTreeMap<usize, String>,
}

/// One file the plan writes, renames, or both.
#[derive(Debug)]
pub(crate) struct Change {
    /// The path before, as output shows it.
    pub from: String,
    /// The path after, as output shows it.
    pub to: String,
    /// Where the file is now.
    pub full_from: PathBuf,
    /// Where it goes.
    pub full_to: PathBuf,
    /// Its text before; empty for a new file.
    pub before: String,
    /// Its text after.
    pub after: String,
}

/// The whole plan.
#[derive(Debug)]
pub(crate) struct RebasePlan {
    /// Every file that changes, in path order.
    pub changes: Vec<Change>,
    /// What `check` would report about the result; any error means refusal.
    pub diagnostics: Vec<Diagnostic>,
    /// The tree after the plan.
    pub result: Project,
}

/// The migration files the plan rewrites or renames, by node.
#[derive(Default)]
struct Rewrites {
    texts: BTreeMap<usize, String>,
    names: BTreeMap<usize, String>,
}

/// Makes the plan, or says why the revisions cannot move.
pub(crate) fn plan(input: &Input<'_>) -> Result<RebasePlan, String> {
    let tree = input.tree;
    let Split {
        moved,
        kept,
        kept_head,
    } = split(tree, &input.moved, input.work_len)?;
    let new_ids = new_ids(tree, &kept, &moved);
    refuse_renumbering_dependencies(tree, &new_ids)?;
    let mut rewrites = Rewrites::default();
    for (&node, id) in &new_ids {
        let revision = &tree.revisions[node];
        let mut parents: Vec<String> = tree
            .graph
            .parents(node)
            .into_iter()
            .filter_map(|p| new_ids.get(&p).map(ToString::to_string))
            .collect();
        if parents.is_empty() {
            parents.extend(kept_head.map(|h| tree.revisions[h].id.to_string()));
        }
        let text = tree.sources.get(&revision.path).map_or("", String::as_str);
        let rewritten = match revision.format {
            DirFormat::Sql => rewrite_revises(text, revision, &parents),
            DirFormat::Alembic => alembic_file::rewrite(text, id.as_str(), &parents),
            // The order is the version: renaming the file is the whole change.
            DirFormat::Linear(_) => text.to_owned(),
            DirFormat::Django => {
                return Err("rebase does not rewrite Django's `dependencies`; add a merge migration with `migrate merge` (as `python manage.py makemigrations --merge` does)".to_owned());
            }
        };
        rewrites.texts.insert(node, rewritten);
        if id.as_str() != revision.id.as_str() {
            rewrites.names.insert(node, renamed(revision, id));
        }
    }

    // References are judged against the tree as it will be, then fixed.
    let draft = reload(input, &rewrites)?;
    let found = references::find(&draft, &input.files);
    // Files that exist only on the base are not this branch's to rewrite.
    // Nor are shipped files: a database compares their bytes with what it recorded.
    for (node, stale) in found
        .in_migrations
        .into_iter()
        .filter(|(n, _)| *n < input.work_len && !input.frozen.contains_key(n))
    {
        let text = draft
            .sources
            .get(&draft.revisions[node].path)
            .map_or("", String::as_str);
        rewrites.texts.insert(node, references::apply(text, &stale));
    }
    let result = reload(input, &rewrites)?;

    // The last guard: whatever chose the revisions to move, a shipped file is never changed.
    for (node, place) in &input.frozen {
        let revision = &tree.revisions[*node];
        let rewritten = rewrites
            .texts
            .get(node)
            .is_some_and(|text| tree.sources.get(&revision.path) != Some(text));
        if rewritten || rewrites.names.contains_key(node) {
            return Err(format!(
                "`{}` has shipped ({place}) and would change, and a shipped revision never does; name the revisions to move",
                revision.file_name()
            ));
        }
    }
    let mut changes = migration_changes(input, &rewrites);
    for (i, stale) in found.in_files {
        let file = &input.files[i];
        let before = String::from_utf8_lossy(&file.bytes).into_owned();
        changes.push(Change {
            from: file.path.clone(),
            to: file.path.clone(),
            full_from: file.full.clone(),
            full_to: file.full.clone(),
            after: references::apply(&before, &stale),
            before,
        });
    }
    let head_after = head_file_change(input, &result, &mut changes);
    changes.sort_by(|a, b| a.from.cmp(&b.from));

    let mut diagnostics = result.diagnostics();
    let head_check = HeadFile {
        path: input.head_file.path.clone(),
        enabled: input.head_file.enabled || head_after.is_some(),
        content: head_after
            .map_or_else(|| input.head_file.content.clone(), |t| head_file::parse(&t)),
    };
    diagnostics.extend(head_check.diagnostics(&result));
    diagnostic::sort(&mut diagnostics);
    Ok(RebasePlan {
        changes,
        diagnostics,
        result,
    })
}

/// Refuses to renumber a revision that another names in Alembic's `depends_on`: rewriting
/// dependencies is not done, and leaving them would break the tree.
fn refuse_renumbering_dependencies(
    tree: &Project,
    new_ids: &BTreeMap<usize, RevisionId>,
) -> Result<(), String> {
    for (&node, id) in new_ids {
        let revision = &tree.revisions[node];
        if id.as_str() == revision.id.as_str() {
            continue;
        }
        if let Some(&dependent) = tree.graph.dependents(node).first() {
            return Err(format!(
                "`{}` (`{}`) would become `{id}`, but `{}` names it in `depends_on`; renumber them by hand",
                revision.id,
                revision.file_name(),
                tree.revisions[dependent].file_name()
            ));
        }
    }
    Ok(())
}

/// The migration files whose text or name changes.
fn migration_changes(input: &Input<'_>, rewrites: &Rewrites) -> Vec<Change> {
    let tree = input.tree;
    let mut changes = Vec::new();
    for (node, after) in &rewrites.texts {
        let revision = &tree.revisions[*node];
        let before = tree
            .sources
            .get(&revision.path)
            .cloned()
            .unwrap_or_default();
        let new_name = rewrites.names.get(node);
        if *after == before && new_name.is_none() {
            continue;
        }
        let full_from = input.full_paths[*node].clone();
        let (to, full_to) = match new_name {
            Some(name) => (
                replace_name(&revision.path, name),
                replace_path(&full_from, name),
            ),
            None => (revision.path.clone(), full_from.clone()),
        };
        if let Some(name) = new_name {
            let pairs = partner_names(revision, name)
                .into_iter()
                .chain(directory_companions(revision, name));
            changes.extend(
                pairs.filter_map(|(old, new)| moved_with(revision, &full_from, &old, &new)),
            );
        }
        changes.push(Change {
            from: revision.path.clone(),
            to,
            full_from,
            full_to,
            before,
            after: after.clone(),
        });
    }
    changes
}

/// A file that moves with a renamed revision (the other half of a pair, the rest of a diesel
/// directory), when it is there.
fn moved_with(
    revision: &crate::revision::Revision,
    full: &Path,
    old: &str,
    new: &str,
) -> Option<Change> {
    let full_from = replace_path(full, old);
    let text = bounded::read_to_string(&full_from, bounded::MIGRATION_LIMIT).ok()?;
    Some(Change {
        from: replace_name(&revision.path, old),
        to: replace_name(&revision.path, new),
        full_to: replace_path(full, new),
        full_from,
        before: text.clone(),
        after: text,
    })
}

/// The tree with the planned texts and names, parsed as `check` would parse it.
fn reload(input: &Input<'_>, rewrites: &Rewrites) -> Result<Project, String> {
    let (texts, names) = (&rewrites.texts, &rewrites.names);
    let tree = input.tree;
    let files = tree
        .revisions
        .iter()
        .enumerate()
        .map(|(node, revision)| {
            let name = names
                .get(&node)
                .cloned()
                .unwrap_or_else(|| revision.file_name().to_owned());
            let shown = replace_name(&revision.path, &name);
            let text = texts
                .get(&node)
                .or_else(|| tree.sources.get(&revision.path))
                .cloned()
                .unwrap_or_default();
            (name, shown, text.into_bytes())
        })
        .collect();
    let mut loaded: Loaded = source::from_bytes(tree.format, files);
    // Node numbers must survive the reload; only an unparsable file could shift them.
    if loaded.revisions.len() != tree.revisions.len() {
        return Err("a renumbered file no longer parses as a migration".to_owned());
    }
    // Files that never parsed as revisions (a bad name, an unreadable file) are still there.
    let revision_paths: BTreeSet<&str> = tree.revisions.iter().map(|r| r.path.as_str()).collect();
    // The reload holds the revisions, not the down halves beside them, which move with them:
    // pairs are as the directory has them.
    loaded
        .diagnostics
        .retain(|d| d.rule != Rule::UnpairedMigration);
    loaded.diagnostics.extend(
        tree.load_diagnostics
            .iter()
            .filter(|d| d.rule == Rule::UnpairedMigration)
            .cloned(),
    );
    loaded.diagnostics.extend(
        tree.load_diagnostics
            .iter()
            .filter(|d| d.path().is_some_and(|p| !revision_paths.contains(p)))
            .cloned(),
    );
    Ok(Project::from_loaded(loaded))
}

/// Adds the head file's new text to the changes when it is enabled (or conflicted) and differs.
fn head_file_change(
    input: &Input<'_>,
    result: &Project,
    changes: &mut Vec<Change>,
) -> Option<String> {
    let head_file = input.head_file;
    let conflicted = matches!(head_file.content, head_file::Content::Conflict { .. });
    if !head_file.enabled && !conflicted {
        return None;
    }
    let [head] = result.graph.heads()[..] else {
        return None;
    };
    let after = format!("{}\n", head_file::line(&result.revisions[head]));
    let before = std::fs::read_to_string(&input.head_file_path).unwrap_or_default();
    if before != after {
        changes.push(Change {
            from: head_file.path.clone(),
            to: head_file.path.clone(),
            full_from: input.head_file_path.clone(),
            full_to: input.head_file_path.clone(),
            before,
            after: after.clone(),
        });
    }
    Some(after)
}
