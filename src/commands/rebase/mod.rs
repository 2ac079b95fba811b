//! `migrate rebase [REV ...] [--onto REF] [--dry-run]`: decides which revisions are this
//! branch's, then prints the plan as a diff or carries it out with `git mv`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::cli::RebaseArgs;
use crate::collision::atomic::{Confined, free_name, write_atomically};
use crate::collision::git::Git;
use crate::collision::head_file::{self, HeadFile};
use crate::collision::rebase_plan::{self as rebase, Change, Input, RebasePlan};
use crate::collision::references;
use crate::diagnostic::{Diagnostic, Severity, refusal};
use crate::output::{self, Body, Progress, Report};
use crate::project::Project;
use crate::settings::Settings;

mod select;

use self::select::select;

pub(super) fn run(
    settings: &Settings,
    args: &RebaseArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let work = Project::load(settings)?;
    let head_file = HeadFile::load(settings)?;
    let git = Git::discover(&settings.dir);
    let shipped = super::shipped::load(settings, &work, git.as_ref(), progress)?;
    let selection = match select(settings, args, work, &head_file, git.as_ref(), &shipped)? {
        Ok(selection) => selection,
        Err(refusal) => return Ok(Report::refused("rebase", refusal)),
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
        frozen: (0..selection.work_len)
            .filter_map(|n| {
                shipped
                    .place(&selection.tree.revisions[n])
                    .map(|place| (n, place.to_owned()))
            })
            .collect(),
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
        let mut report = Report::of_findings("rebase", &plan.result, plan.diagnostics);
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
        // In a merge, rebase or cherry-pick in progress, the next commit must record the repaired
        // tree: every file changed is staged, and only those. Outside one, nothing is.
        let in_progress = git
            .as_ref()
            .filter(|g| g.merge_head().is_some() || g.rebasing() || g.cherry_picking());
        let confined = Confined::here()?;
        if let Err(refusal) = confine(&plan, &confined) {
            return Ok(Report::refused("rebase", *refusal));
        }
        apply(&plan, in_progress, &confined)?;
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

/// Every path the plan touches resolved before anything moves: a rename or a write that
/// would leave the repository, or go through something not a regular file, refuses the plan.
fn confine(plan: &RebasePlan, confined: &Confined) -> Result<(), Box<Diagnostic>> {
    for change in &plan.changes {
        if change.full_from.exists() || std::fs::symlink_metadata(&change.full_from).is_ok() {
            confined.resolve(&change.full_from, &change.from)?;
        }
        if change.full_from != change.full_to {
            confined.resolve(&change.full_to, &change.to)?;
        }
    }
    Ok(())
}

/// Carries out the plan: renames first (through git when it tracks the file), then new texts.
fn apply(plan: &RebasePlan, git: Option<&Git>, confined: &Confined) -> Result<(), Error> {
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
    // A renamed diesel directory is made first (`confine` resolved its parent inside the
    // repository), and the old one removed once empty.
    for change in &renames {
        if let Some(dir) = change.full_to.parent()
            && !dir.exists()
        {
            std::fs::create_dir(dir).map_err(|source| Error::Io {
                action: "create",
                path: change.to.clone(),
                source,
            })?;
        }
    }
    // When a new name is an old one (`040` -> `041` while `041` -> `042`), go through
    // temporary names so that no rename overwrites a file still to be moved.
    let through_temp = renames.iter().any(|c| c.full_to.exists());
    if through_temp {
        let temps: Vec<PathBuf> = renames.iter().map(|c| free_name(&c.full_from)).collect();
        for (change, temp) in renames.iter().zip(&temps) {
            rename(&change.full_from, temp, change)?;
        }
        for (change, temp) in renames.iter().zip(&temps) {
            rename(temp, &change.full_to, change)?;
        }
    } else {
        for change in &renames {
            rename(&change.full_from, &change.full_to, change)?;
        }
    }
    for change in &renames {
        if let (Some(old), Some(new)) = (change.full_from.parent(), change.full_to.parent())
            && old != new
        {
            // Fails, harmlessly, while anything is left in it.
            let _ = std::fs::remove_dir(old);
        }
    }
    for change in &plan.changes {
        if change.before != change.after {
            // Resolved again now that the renames are done: the name may be a moved link.
            let real = confined
                .resolve(&change.full_to, &change.to)
                .map_err(|refusal| Error::Usage(refusal.message.clone()))?;
            write_atomically(&real, &change.after, &change.to)?;
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
