//! `migrate rebase [REV ...] [--onto REF] [--dry-run]`: decides which revisions are this
//! branch's, then prints the plan as a diff or carries it out with `git mv`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::cli::RebaseArgs;
use crate::collision::atomic::{temp_name, write_atomically};
use crate::collision::base_branch::Base;
use crate::collision::git::Git;
use crate::collision::head_file::{self, Content, HeadFile};
use crate::collision::rebase_plan::{self as rebase, Change, Input, RebasePlan};
use crate::collision::{references, shipped};
use crate::diagnostic::{Severity, refusal};
use crate::output::{self, Body, Progress, Report};
use crate::project::Project;
use crate::settings::Settings;

/// The tree to renumber in, and which of its revisions move.
struct Selection {
    tree: Project,
    work_len: usize,
    moved: BTreeSet<usize>,
    /// Where the choice came from, for the summary.
    why: String,
}

pub(super) fn run(
    settings: &Settings,
    args: &RebaseArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let work = Project::load(settings)?;
    let head_file = HeadFile::load(settings)?;
    let git = Git::discover(&settings.dir);
    let selection = match select(settings, args, work, &head_file, git.as_ref())? {
        Ok(selection) => selection,
        Err(refusal) => return Ok(Report::refused("rebase", refusal::rebase_refused(&refusal))),
    };
    let full_paths: Vec<PathBuf> = selection.tree.revisions[..selection.work_len]
        .iter()
        .map(|r| settings.dir.join(r.file_name()))
        .collect();
    let input = Input {
        tree: &selection.tree,
        work_len: selection.work_len,
        full_paths,
        moved: selection.moved,
        files: {
            let scan = references::repository_files(settings, &selection.tree)?;
            for skipped in &scan.skipped {
                progress.warn(&format!("the stale-reference scan skips {skipped}"));
            }
            scan.files
        },
        head_file: &head_file,
        head_file_path: settings.dir.join(head_file::NAME),
    };
    let plan = match rebase::plan(&input) {
        Ok(plan) => plan,
        Err(refusal) => return Ok(Report::refused("rebase", refusal::rebase_refused(&refusal))),
    };
    if plan
        .diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Error)
    {
        let mut report = super::check::report("rebase", &plan.result, plan.diagnostics);
        report.push(refusal::rebase_check_failed());
        return Ok(report);
    }
    let changes = plan
        .changes
        .iter()
        .map(|c| output::Change {
            from: c.from.clone(),
            to: c.to.clone(),
            existed: !c.before.is_empty() || c.full_from.exists(),
            before: c.before.clone(),
            after: c.after.clone(),
        })
        .collect();
    if plan.changes.is_empty() {
        progress.hint(&format!("nothing to change: {}", selection.why));
    } else if args.dry_run {
        progress.hint(&format!("dry run ({}): nothing was changed", selection.why));
    } else {
        // In a merge or rebase in progress, the next `git commit` must record the repaired
        // tree: every file changed is staged, and only those. Outside one, nothing is.
        let in_progress = git
            .as_ref()
            .filter(|g| g.merge_head().is_some() || g.rebasing());
        apply(&plan, in_progress)?;
        if in_progress.is_some() {
            progress.hint(&format!(
                "staged the {} changed for the merge in progress",
                crate::diagnostic::plural(plan.changes.len(), "file")
            ));
        } else {
            progress.hint("nothing was staged: review the changes, then `git add` them");
        }
        if selection.tree.revisions.len() > selection.work_len {
            progress.hint(&format!(
                "rebased {}; `migrate check --base` passes now, and `migrate check` will once the base is merged",
                selection.why
            ));
        } else {
            progress.hint(&format!(
                "rebased {}; `migrate check` passes",
                selection.why
            ));
        }
    }
    Ok(Report::new(
        "rebase",
        Body::Rebase {
            dry_run: args.dry_run,
            changes,
        },
    ))
}

/// Decides which revisions are this branch's: named ones, the ones not on `--onto`, this side
/// of a conflicted head file, or the ones not on the branch being merged in.
fn select(
    settings: &Settings,
    args: &RebaseArgs,
    work: Project,
    head_file: &HeadFile,
    git: Option<&Git>,
) -> Result<Result<Selection, String>, Error> {
    let work_len = work.revisions.len();
    let onto = match &args.onto {
        Some(reference) => Some(reference.clone()),
        // A conflicted head file names both sides itself; otherwise a merge or rebase in
        // progress says what the base is.
        None if args.revisions.is_empty()
            && !matches!(head_file.content, Content::Conflict { .. }) =>
        {
            match git {
                Some(g) => match g.merge_head() {
                    Some(merge_head) => match shipped::keep_side(g, &merge_head) {
                        Ok(side) => Some(side.to_owned()),
                        Err(refusal) => return Ok(Err(refusal)),
                    },
                    None if g.rebasing() => Some("HEAD".to_owned()),
                    None => None,
                },
                None => None,
            }
        }
        None => None,
    };
    let (tree, added) = match &onto {
        Some(reference) => {
            let comparison = Base::load(settings, reference, work.format)?.compare(work);
            (comparison.merged, Some(comparison.added))
        }
        None => (work, None),
    };
    if !args.revisions.is_empty() {
        let mut moved = BTreeSet::new();
        for name in &args.revisions {
            let node = match find(&tree, work_len, name) {
                Ok(node) => node,
                Err(refusal) => return Ok(Err(refusal)),
            };
            // A shipped revision keeps its name: databases have recorded it.
            if let (Some(reference), Some(added)) = (&onto, &added)
                && !added.contains(&node)
            {
                return Ok(Err(format!(
                    "`{}` is on `{reference}` already, so databases may have applied it under that name; move only this branch's revisions",
                    tree.revisions[node].file_name()
                )));
            }
            moved.insert(node);
        }
        let why = format!("{} named on the command line", args.revisions.join(", "));
        return Ok(Ok(Selection {
            tree,
            work_len,
            moved,
            why,
        }));
    }
    if let (Some(reference), Some(added)) = (&onto, added) {
        let why = format!("this branch's revisions after `{reference}`");
        return Ok(Ok(Selection {
            tree,
            work_len,
            moved: added.into_iter().collect(),
            why,
        }));
    }
    if let Content::Conflict { ours, theirs, .. } = &head_file.content {
        let rebasing = git.is_some_and(Git::rebasing);
        // In a merge, "ours" is the branch being worked on; in a rebase, the commits being
        // replayed are "theirs".
        let (mine, other) = if rebasing {
            (theirs, ours)
        } else {
            (ours, theirs)
        };
        return Ok(conflict_sides(tree, work_len, head_file, mine, other));
    }
    match tree.graph.heads().len() {
        0 | 1 => Ok(Ok(Selection {
            tree,
            work_len,
            moved: BTreeSet::new(),
            why: "no revision needs a new number".to_owned(),
        })),
        heads => Ok(Err(format!(
            "there are {heads} heads and nothing says which revisions are this branch's; name them (`migrate rebase 040_add_readonly_role`), or pass `--onto REF` with the base branch"
        ))),
    }
}

/// The revisions only this side of a head-file conflict has.
fn conflict_sides(
    tree: Project,
    work_len: usize,
    head_file: &HeadFile,
    mine: &[String],
    other: &[String],
) -> Result<Selection, String> {
    let side = |lines: &[String]| -> Result<usize, String> {
        let [line] = lines else {
            return Err(format!(
                "`{}` holds conflict markers, but a side does not hold one line",
                head_file.path
            ));
        };
        let name = line.split_whitespace().nth(1).unwrap_or("");
        find(&tree, work_len, name).map_err(|_| {
            format!(
                "`{}` names `{line}` in its conflict, but there is no such migration file",
                head_file.path
            )
        })
    };
    let (mine, other) = (side(mine)?, side(other)?);
    let mut theirs = tree.graph.ancestors(other);
    theirs.insert(other);
    let mut moved = tree.graph.ancestors(mine);
    moved.insert(mine);
    let moved: BTreeSet<usize> = moved.difference(&theirs).copied().collect();
    let why = format!(
        "the head file's conflict: `{}` after `{}`",
        tree.revisions[mine].file_name(),
        tree.revisions[other].file_name()
    );
    Ok(Selection {
        tree,
        work_len,
        moved,
        why,
    })
}

/// A working-tree revision by id (when no other file shares it), file name or stem.
fn find(tree: &Project, work_len: usize, name: &str) -> Result<usize, String> {
    let matches: Vec<usize> = (0..work_len)
        .filter(|&n| {
            let revision = &tree.revisions[n];
            let file = revision.file_name();
            file == name
                || file.rsplit_once('.').is_some_and(|(stem, _)| stem == name)
                || revision.id.as_str() == name
                || crate::revision::RevisionId::parse(name).is_some_and(|id| id == revision.id)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "no migration file here is named or numbered `{name}`"
        )),
        many => Err(format!(
            "`{name}` is ambiguous: it names {}; give the file name",
            crate::project::describe(&tree.revisions, many)
        )),
    }
}

/// Carries out the plan: renames first (through git when it tracks the file), then new texts.
fn apply(plan: &RebasePlan, git: Option<&Git>) -> Result<(), Error> {
    let renames: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.full_from != c.full_to)
        .collect();
    let sources: Vec<&Path> = renames.iter().map(|c| c.full_from.as_path()).collect();
    let tracked: BTreeSet<PathBuf> = match git {
        Some(git) if !sources.is_empty() => git
            .tracked(&sources)?
            .into_iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .collect(),
        _ => BTreeSet::new(),
    };
    // Decided before anything moves: a moved file can no longer be looked up.
    let by_git: BTreeSet<&Path> = renames
        .iter()
        .filter(|c| std::fs::canonicalize(&c.full_from).is_ok_and(|p| tracked.contains(&p)))
        .map(|c| c.full_from.as_path())
        .collect();
    let rename = |from: &Path, to: &Path, change: &Change| -> Result<(), Error> {
        let shown = &change.from;
        match git {
            Some(git) if by_git.contains(change.full_from.as_path()) => git.mv(from, to),
            _ => std::fs::rename(from, to).map_err(|source| Error::Io {
                action: "rename",
                path: shown.to_owned(),
                source,
            }),
        }
    };
    // When a new name is an old one (`040` -> `041` while `041` -> `042`), go through
    // temporary names so that no rename overwrites a file still to be moved.
    let through_temp = renames.iter().any(|c| c.full_to.exists());
    if through_temp {
        for change in &renames {
            rename(&change.full_from, &temp_name(&change.full_from), change)?;
        }
        for change in &renames {
            rename(&temp_name(&change.full_from), &change.full_to, change)?;
        }
    } else {
        for change in &renames {
            rename(&change.full_from, &change.full_to, change)?;
        }
    }
    for change in &plan.changes {
        if change.before != change.after {
            write_atomically(&change.full_to, &change.after, &change.to)?;
        }
    }
    // A conflict in the head file is resolved in git's eyes once the file is staged.
    if let Some(git) = git {
        let mut paths: Vec<&Path> = plan
            .changes
            .iter()
            .filter(|c| c.before != c.after || c.full_from != c.full_to)
            .map(|c| c.full_to.as_path())
            .collect();
        paths.sort_unstable();
        paths.dedup();
        git.add(&paths)?;
    }
    Ok(())
}
