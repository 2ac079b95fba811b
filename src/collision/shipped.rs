//! Which revisions have shipped: databases may have recorded them under their file names, so
//! no repair (`rebase`, `check --fix`) may rename them or change a byte of them.
//!
//! One definition serves every repair. A revision has shipped when a file of its name is:
//! - on the branch named `base` in `migrate.toml`;
//! - on the remote's default branch (`origin/HEAD`, else `origin/main` or `origin/master`), or,
//!   in a clone that has no such remote branch, on the local `main` or `master`;
//! - on the current branch's upstream, while a merge of that upstream is in progress (`git pull`):
//!   others have those commits;
//! - recorded in the history of a database the user named.
//!
//! Local commits of the default branch that were never pushed have not shipped when a remote
//! default exists: releases deploy what the remote holds, and `git pull` must be able to move
//! them after what others pushed.

use std::collections::BTreeMap;

use crate::Error;
use crate::collision::git::Git;
use crate::revision::{DirFormat, Revision};

/// The file names that have shipped, each with the first place it was found.
#[derive(Debug, Default, Clone)]
pub(crate) struct Shipped {
    places: BTreeMap<String, String>,
    /// Where was looked, for a refusal that found nothing.
    looked: Vec<String>,
    /// How the tree is written, which says how its files are listed at a ref.
    format: DirFormat,
}

impl Shipped {
    /// Reads the shipped refs' migration file names with git. `configured` is `base` from
    /// `migrate.toml`; a configured ref that does not exist is an error, since it was meant.
    pub(crate) fn from_git(
        git: &Git,
        configured: Option<&str>,
        format: DirFormat,
    ) -> Result<Shipped, Error> {
        let prefix = git.prefix()?;
        let mut shipped = Shipped {
            format,
            ..Shipped::default()
        };
        for (name, commit) in refs(git, configured)? {
            shipped.add_ref(git, &commit, &prefix, &format!("on `{name}`"))?;
        }
        if let (Some(merge_head), Some(upstream)) = (git.merge_head(), git.upstream())
            && let Some(commit) = git.commit(&upstream)?
            && git.is_ancestor(&merge_head, &commit)
        {
            let place = format!("on `{upstream}`, the upstream being pulled");
            shipped.add_ref(git, &commit, &prefix, &place)?;
        }
        Ok(shipped)
    }

    fn add_ref(&mut self, git: &Git, commit: &str, prefix: &str, place: &str) -> Result<(), Error> {
        self.looked.push(place.trim_start_matches("on ").to_owned());
        for name in git.names(commit, prefix, self.format.reads_subdirectories())? {
            let name = self.format.match_name(&name).to_owned();
            self.places.entry(name).or_insert_with(|| place.to_owned());
        }
        Ok(())
    }

    /// Adds the file names a database's history records.
    pub(crate) fn add_recorded(&mut self, names: impl IntoIterator<Item = String>, place: &str) {
        self.looked.push(place.to_owned());
        for name in names {
            self.places.entry(name).or_insert_with(|| place.to_owned());
        }
    }

    /// Where `revision` shipped, as ``on `origin/main` ``, or `None` when it has not.
    pub(crate) fn place(&self, revision: &Revision) -> Option<&str> {
        self.places.get(revision.file_name()).map(String::as_str)
    }

    /// Whether anything was read at all: with no default branch, no base and no database,
    /// nothing can say what shipped.
    pub(crate) fn knows_anything(&self) -> bool {
        !self.looked.is_empty()
    }

    /// The places read, for a message: `` `origin/main` and the database's history ``.
    pub(crate) fn looked(&self) -> String {
        match self.looked.as_slice() {
            [] => "nothing (no default branch, no `base` in migrate.toml, no database)".to_owned(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// The shipped refs and their commits: `base` from migrate.toml, then the remote's default
/// branch, else the local `main` and `master`.
pub(crate) fn refs(git: &Git, configured: Option<&str>) -> Result<Vec<(String, String)>, Error> {
    let mut refs = Vec::new();
    if let Some(reference) = configured {
        let commit = git.commit(reference)?.ok_or_else(|| {
            Error::Git(format!(
                "`base = \"{reference}\"` in migrate.toml names no git ref in this clone; fetch it first (`git fetch origin`)"
            ))
        })?;
        refs.push((reference.to_owned(), commit));
    }
    match remote_default(git)? {
        Some(default) => refs.push(default),
        None => {
            for name in ["main", "master"] {
                if let Some(commit) = git.commit(&format!("refs/heads/{name}"))? {
                    refs.push((name.to_owned(), commit));
                }
            }
        }
    }
    Ok(refs)
}

/// The remote's default branch and its commit: `origin/HEAD`, else `origin/main` or
/// `origin/master`.
fn remote_default(git: &Git) -> Result<Option<(String, String)>, Error> {
    let names = git
        .remote_default()
        .into_iter()
        .chain(["origin/main".to_owned(), "origin/master".to_owned()]);
    for name in names {
        if let Some(commit) = git.commit(&format!("refs/remotes/{name}"))? {
            return Ok(Some((name, commit)));
        }
    }
    Ok(None)
}
