//! Which side of a merge in progress has shipped: its revisions may be recorded in databases,
//! so `rebase` must leave their numbers alone and move the other side's.
//!
//! A side has shipped when it is reachable from the remote's default branch (`origin/HEAD`),
//! when it is the default branch itself (that branch's name, else `main` or `master`), or,
//! for the side being merged in, when it is the current branch's upstream (`git pull`).

use crate::collision::git::Git;

/// The ref whose revisions stay: `HEAD` when the branch checked out has shipped, `MERGE_HEAD`
/// when the one merged in has. Refuses, naming both sides, when it cannot tell.
pub(crate) fn keep_side(git: &Git, merge_head: &str) -> Result<&'static str, String> {
    let remote_default = git.remote_default();
    let default_names: Vec<String> = remote_default
        .iter()
        .filter_map(|r| r.split_once('/').map(|(_, name)| name.to_owned()))
        .chain(["main".to_owned(), "master".to_owned()])
        .collect();
    let current = git.current_branch();
    let theirs_names = git.branches_at(merge_head);
    let reachable = |commit: &str| {
        remote_default
            .as_deref()
            .is_some_and(|d| git.is_ancestor(commit, d))
    };
    let ours = current.as_ref().is_some_and(|b| default_names.contains(b)) || reachable("HEAD");
    let theirs = theirs_names.iter().any(|b| default_names.contains(b))
        || reachable(merge_head)
        || git
            .upstream()
            .is_some_and(|up| git.is_ancestor(merge_head, &up));
    let describe = |name: Option<&String>, fallback: &str| {
        name.map_or_else(|| fallback.to_owned(), |n| format!("`{n}`"))
    };
    let ours_name = describe(current.as_ref(), "HEAD");
    let theirs_name = describe(theirs_names.first(), "MERGE_HEAD");
    match (ours, theirs) {
        (true, false) => Ok("HEAD"),
        (false, true) => Ok("MERGE_HEAD"),
        (true, true) => Err(format!(
            "both sides of this merge have shipped ({ours_name} and {theirs_name}): renumbering either would rename a revision that databases may have recorded; add a merge revision instead (`migrate merge`)"
        )),
        (false, false) => Err(format!(
            "cannot tell which side of this merge has shipped: {ours_name} (checked out) or {theirs_name} (being merged in); name the revisions to move (`migrate rebase 040_add_readonly_role`) or pass `--onto` with the shipped side"
        )),
    }
}
