//! Which revisions `rebase` moves: named ones, the ones not on `--onto`, the side of a merge in
//! progress that has not shipped, the commit a rebase or cherry-pick applies, or whatever has
//! not shipped; a shipped revision never moves.

use std::collections::BTreeSet;

use crate::Error;
use crate::cli::RebaseArgs;
use crate::collision::base_branch::Base;
use crate::collision::git::Git;
use crate::collision::head_file::{Content, HeadFile};
use crate::collision::shipped::Shipped;
use crate::diagnostic::{Diagnostic, refusal};
use crate::project::Project;
use crate::settings::Settings;

/// The tree to renumber in, and which of its revisions move.
pub(super) struct Selection {
    pub(super) tree: Project,
    pub(super) work_len: usize,
    pub(super) moved: BTreeSet<usize>,
    /// Where the choice came from, for the summary.
    pub(super) why: String,
}

/// Decides which revisions are this branch's: named ones, the ones not on `--onto`, the side
/// of a merge in progress that has not shipped, the commit a rebase or cherry-pick is applying,
/// the side of a conflicted head file that has not shipped, or the revisions that have not
/// shipped. A shipped revision never moves, whatever else says so.
pub(super) fn select(
    settings: &Settings,
    args: &RebaseArgs,
    work: Project,
    head_file: &HeadFile,
    git: Option<&Git>,
    shipped: &Shipped,
) -> Result<Result<Selection, Diagnostic>, Error> {
    let work_len = work.revisions.len();
    if !args.revisions.is_empty() || args.onto.is_some() {
        return explicit(settings, args, work, shipped);
    }
    let onto = match git {
        Some(g) => match g.merge_head() {
            Some(merge_head) => match merge_side(g, &work, &merge_head, shipped)? {
                Ok(side) => Some(side),
                Err(refusal) => return Ok(Err(refusal)),
            },
            // The commit being applied goes after the branch it is applied to.
            None if g.rebasing() => Some(("HEAD", "the commit `git rebase` is replaying")),
            None if g.cherry_picking() => {
                Some(("HEAD", "the commit `git cherry-pick` is applying"))
            }
            None => None,
        },
        None => None,
    };
    if let Some((reference, why)) = onto {
        let comparison = Base::load(settings, reference, work.format)?.compare(work);
        let moved: BTreeSet<usize> = comparison.added.into_iter().collect();
        if let Some(refusal) = moves_shipped(&comparison.merged, &moved, shipped) {
            return Ok(Err(refusal));
        }
        return Ok(Ok(Selection {
            tree: comparison.merged,
            work_len,
            moved,
            why: why.to_owned(),
        }));
    }
    if let Content::Conflict { ours, theirs, .. } = &head_file.content {
        return Ok(conflict_sides(work, head_file, ours, theirs, shipped).map_err(|r| *r));
    }
    // Two files sharing a number can hide a second head: a child revising the number is
    // counted as following both.
    if work.graph.heads().len() < 2 && work.graph.duplicates().is_empty() {
        return Ok(Ok(Selection {
            tree: work,
            work_len,
            moved: BTreeSet::new(),
            why: "no revision needs a new number".to_owned(),
        }));
    }
    Ok(unshipped(work, shipped).map_err(|refusal| *refusal))
}

/// `REV ...` or `--onto REF`: what the user named moves, unless it has shipped.
fn explicit(
    settings: &Settings,
    args: &RebaseArgs,
    work: Project,
    shipped: &Shipped,
) -> Result<Result<Selection, Diagnostic>, Error> {
    let work_len = work.revisions.len();
    let (tree, added) = match &args.onto {
        Some(reference) => {
            let comparison = Base::load(settings, reference, work.format)?.compare(work);
            (comparison.merged, Some(comparison.added))
        }
        None => (work, None),
    };
    let (moved, why) = if args.revisions.is_empty() {
        let reference = args.onto.as_deref().unwrap_or_default();
        (
            added.unwrap_or_default().into_iter().collect(),
            format!("this branch's revisions after `{reference}`"),
        )
    } else {
        let mut moved = BTreeSet::new();
        for name in &args.revisions {
            let node = match find(&tree, work_len, name) {
                Ok(node) => node,
                Err(refusal) => return Ok(Err(refusal::rebase_refused(&refusal))),
            };
            if let (Some(reference), Some(added)) = (&args.onto, &added)
                && !added.contains(&node)
            {
                return Ok(Err(refusal::rebase_refused(&format!(
                    "`{}` is on `{reference}` already, so databases may have applied it under that name; move only this branch's revisions",
                    tree.revisions[node].file_name()
                ))));
            }
            moved.insert(node);
        }
        let why = format!("{} named on the command line", args.revisions.join(", "));
        (moved, why)
    };
    if let Some(refusal) = moves_shipped(&tree, &moved, shipped) {
        return Ok(Err(refusal));
    }
    Ok(Ok(Selection {
        tree,
        work_len,
        moved,
        why,
    }))
}

/// The refusal when a revision about to move has shipped.
fn moves_shipped(tree: &Project, moved: &BTreeSet<usize>, shipped: &Shipped) -> Option<Diagnostic> {
    let (node, place) = moved
        .iter()
        .find_map(|&n| shipped.place(&tree.revisions[n]).map(|p| (n, p)))?;
    Some(refusal::rebase_refused(&format!(
        "`{}` has shipped ({place}), so databases may have recorded it under this name, and it never moves; move the other side's revisions (name them, or pass `--onto` with the shipped branch)",
        tree.revisions[node].file_name()
    )))
}

/// The first shipped revision among `nodes`, described with where it shipped.
fn shipped_one(tree: &Project, nodes: &[usize], shipped: &Shipped) -> Option<String> {
    nodes.iter().find_map(|&n| {
        shipped
            .place(&tree.revisions[n])
            .map(|place| format!("`{}` {place}", tree.revisions[n].file_name()))
    })
}

/// Which side of a merge in progress stays: the one that has shipped. Returns the ref whose
/// revisions stay (the other side moves), or the refusal when both or neither have shipped.
fn merge_side(
    git: &Git,
    work: &Project,
    merge_head: &str,
    shipped: &Shipped,
) -> Result<Result<(&'static str, &'static str), Diagnostic>, Error> {
    let prefix = git.prefix()?;
    let on = |commit: &str| -> Result<BTreeSet<String>, Error> {
        Ok(git
            .names(commit, &prefix, work.format.reads_subdirectories())?
            .iter()
            .map(|name| work.format.match_name(name).to_owned())
            .collect())
    };
    let (at_head, at_merge) = (on("HEAD")?, on(merge_head)?);
    let only = |names: &BTreeSet<String>| -> Vec<usize> {
        (0..work.revisions.len())
            .filter(|&n| !names.contains(work.revisions[n].file_name()))
            .collect()
    };
    // Ours: files the branch merged in lacks; theirs: files the checked-out branch lacks.
    let (ours, theirs) = (only(&at_merge), only(&at_head));
    let keep_ours = ("HEAD", "the side merged in, which has not shipped");
    let keep_theirs = ("MERGE_HEAD", "the checked-out side, which has not shipped");
    if ours.is_empty() {
        return Ok(Ok(keep_theirs));
    }
    if theirs.is_empty() {
        return Ok(Ok(keep_ours));
    }
    let side = |name: Option<String>, fallback: &str| {
        name.map_or_else(|| fallback.to_owned(), |n| format!("`{n}`"))
    };
    let ours_name = side(git.current_branch(), "HEAD");
    let theirs_name = side(git.branches_at(merge_head).into_iter().next(), "MERGE_HEAD");
    Ok(
        match (
            shipped_one(work, &ours, shipped),
            shipped_one(work, &theirs, shipped),
        ) {
            (Some(_), None) => Ok(keep_ours),
            (None, Some(_)) => Ok(keep_theirs),
            (Some(a), Some(b)) => Err(refusal::shipped_on_both_sides(&a, &b)),
            (None, None) => Err(refusal::rebase_refused(&format!(
                "neither side of this merge has shipped, so nothing says which to renumber: {ours_name} (checked out) or {theirs_name} (being merged in); looked at {}; name the revisions to move (`migrate rebase 040_add_readonly_role`), pass `--onto` with the side that stays, or set `base` in migrate.toml",
                shipped.looked()
            ))),
        },
    )
}

/// Outside a merge or rebase, with several heads: every revision that has not shipped moves
/// after the shipped ones, which must have one head.
fn unshipped(work: Project, shipped: &Shipped) -> Result<Selection, Box<Diagnostic>> {
    let work_len = work.revisions.len();
    let heads = work.graph.heads();
    if !shipped.knows_anything() {
        return Err(Box::new(refusal::rebase_refused(&format!(
            "there are {} heads or shared numbers, and nothing says which revisions have shipped (no default branch, no `base` in migrate.toml); name them (`migrate rebase 040_add_readonly_role`), or pass `--onto REF` with the base branch",
            heads.len()
        ))));
    }
    let moved: BTreeSet<usize> = (0..work_len)
        .filter(|&n| shipped.place(&work.revisions[n]).is_none())
        .collect();
    let shipped_heads: Vec<usize> = (0..work_len)
        .filter(|n| !moved.contains(n))
        .filter(|&n| work.graph.children(n).iter().all(|c| moved.contains(c)))
        .collect();
    if let [a, b, ..] = shipped_heads[..] {
        let describe = |n: usize| shipped_one(&work, &[n], shipped).unwrap_or_default();
        return Err(Box::new(refusal::shipped_on_both_sides(
            &describe(a),
            &describe(b),
        )));
    }
    let why = format!(
        "the revisions that have not shipped (looked at {})",
        shipped.looked()
    );
    Ok(Selection {
        tree: work,
        work_len,
        moved,
        why,
    })
}

/// The side of a head-file conflict that has not shipped, when the other has.
fn conflict_sides(
    tree: Project,
    head_file: &HeadFile,
    ours: &[String],
    theirs: &[String],
    shipped: &Shipped,
) -> Result<Selection, Box<Diagnostic>> {
    let work_len = tree.revisions.len();
    let refused = |reason: String| Box::new(refusal::rebase_refused(&reason));
    // A `String` error, made a diagnostic once: a `Diagnostic` is too large to pass around.
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
    let (ours, theirs) = (side(ours).map_err(refused)?, side(theirs).map_err(refused)?);
    // Which side stays is read from the two heads the conflict names; what moves is every
    // revision that has not shipped. Ancestry would not do: two files sharing a number make
    // each side look like it descends from the other.
    let place = |n: usize| {
        shipped
            .place(&tree.revisions[n])
            .map(|p| format!("`{}` {p}", tree.revisions[n].file_name()))
    };
    let kept = match (place(ours), place(theirs)) {
        (Some(_), None) => ours,
        (None, Some(_)) => theirs,
        (Some(a), Some(b)) => return Err(Box::new(refusal::shipped_on_both_sides(&a, &b))),
        (None, None) => {
            return Err(refused(format!(
                "`{}` holds a conflict and neither side has shipped, so nothing says which to renumber (looked at {}); name the revisions to move (`migrate rebase {}`), or pass `--onto` with the side that stays",
                head_file.path,
                shipped.looked(),
                tree.revisions[ours].file_name()
            )));
        }
    };
    let moved: BTreeSet<usize> = (0..work_len)
        .filter(|&n| shipped.place(&tree.revisions[n]).is_none())
        .collect();
    let why = format!(
        "the head file's conflict: what has not shipped after `{}`",
        tree.revisions[kept].file_name()
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
