//! The base branch (`check --base REF`, `rebase --onto REF`): the migrations at a git ref, how
//! this branch's migrations differ from them, and the tree that merging the two would produce.
//!
//! Files are matched by name: a renumbered file is a new file, which is what a database that
//! applied the old one sees too.

use std::collections::{BTreeSet, HashMap};

use crate::Error;
use crate::collision::git::Git;
use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::project::{Project, describe};
use crate::revision::{DirFormat, Revision};
use crate::settings::Settings;
use crate::source::{self, Loaded};

/// The migrations at the base ref.
#[derive(Debug)]
pub(crate) struct Base {
    /// The ref as the user wrote it.
    pub reference: String,
    /// The revisions there; paths are shown as git shows them, `REF:migrations/040_x.sql`.
    pub project: Project,
    /// The commit the ref names.
    pub commit: String,
    /// The file names at the commit where this branch left the base, when history reaches it.
    fork_point: Option<BTreeSet<String>>,
    /// The migrations directory as output shows it.
    display_dir: String,
}

/// This branch against the base.
#[derive(Debug)]
pub(crate) struct Comparison {
    /// This branch's revisions, indexed as in the working tree, then the base's new ones.
    pub merged: Project,
    /// `behind-base`, `edited-applied` and `deleted-applied`.
    pub diagnostics: Vec<Diagnostic>,
    /// Nodes of `merged` that this branch added.
    pub added: Vec<usize>,
}

impl Base {
    /// Reads the migrations directory at `reference` with git.
    /// The files are read in the working tree's `format`.
    pub(crate) fn load(
        settings: &Settings,
        reference: &str,
        format: DirFormat,
    ) -> Result<Base, Error> {
        let git = Git::discover(&settings.dir).ok_or_else(|| {
            Error::Git(format!(
                "`{}` is not inside a git repository, so there is no `{reference}` to compare with",
                settings.display_dir
            ))
        })?;
        let commit = git
            .commit(reference)?
            .ok_or_else(|| Error::Git(missing_ref(reference)))?;
        // Django's tree is every app's directory, compared app by app; the others, one.
        let dirs: Vec<&std::path::Path> = if format == DirFormat::Django {
            settings.dirs().collect()
        } else {
            vec![settings.dir.as_path()]
        };
        let fork = git.merge_base("HEAD", &commit);
        let mut files = Vec::new();
        let mut fork_names: BTreeSet<String> = BTreeSet::new();
        for dir in dirs {
            let Some(at) = Git::discover(dir) else {
                continue;
            };
            let prefix = at.prefix()?;
            let key = |name: &str| format.match_name(&format!("{prefix}{name}")).to_owned();
            for (name, bytes) in at.files(&commit, &prefix, format.reads_subdirectories())? {
                let shown = format!("{reference}:{prefix}{name}");
                files.push((key(&name), shown, bytes));
            }
            if let Some(fork) = &fork {
                for name in at.names(fork, &prefix, format.reads_subdirectories())? {
                    fork_names.insert(key(&name));
                }
            }
        }
        let project = Project::from_loaded(source::from_bytes(format, files));
        let fork_point = fork.map(|_| fork_names);
        Ok(Base {
            reference: reference.to_owned(),
            commit,
            project,
            fork_point,
            display_dir: settings.display_dir.clone(),
        })
    }

    /// Compares this branch's migrations with the base's.
    #[must_use]
    pub(crate) fn compare(&self, work: Project) -> Comparison {
        let base = &self.project;
        let work_names: HashMap<&str, usize> = work
            .revisions
            .iter()
            .enumerate()
            .map(|(n, r)| (r.file_name(), n))
            .collect();
        // Files that exist but did not parse are still there: not deleted.
        let unparsed: BTreeSet<&str> = work
            .load_diagnostics
            .iter()
            .filter_map(|d| d.path())
            .map(|path| path.rsplit('/').next().unwrap_or(path))
            .collect();
        let base_names: BTreeSet<&str> = base.revisions.iter().map(Revision::file_name).collect();
        let mut diagnostics = Vec::new();
        let mut gained = Vec::new();
        for (node, revision) in base.revisions.iter().enumerate() {
            let name = revision.file_name();
            if let Some(&mine) = work_names.get(name) {
                if let Some(line) = first_difference(&work, mine, base, node) {
                    diagnostics.push(self.edited(&work.revisions[mine], line));
                }
            } else if self.deleted_here(node, &work_names) {
                // A file that is here but did not parse is not deleted: `check` reports it.
                if !unparsed.contains(name) {
                    diagnostics.push(self.deleted(revision));
                }
            } else if !unparsed.contains(name) {
                gained.push(node);
            }
        }
        let mut loaded = Loaded {
            format: work.format,
            revisions: work.revisions,
            diagnostics: work.load_diagnostics,
            sources: work.sources,
            others: work.others,
            dirs: work.dirs,
        };
        let declared_heads = work.declared_heads;
        let first_gained = loaded.revisions.len();
        for &node in &gained {
            let revision = &base.revisions[node];
            loaded.revisions.push(revision.clone());
            if let Some(text) = base.sources.get(&revision.path) {
                loaded.sources.insert(revision.path.clone(), text.clone());
            }
        }
        let mut merged = Project::from_loaded(loaded);
        merged.declared_heads = declared_heads;
        let gained: Vec<usize> = (first_gained..merged.revisions.len()).collect();
        let added: Vec<usize> = (0..first_gained)
            .filter(|&n| {
                let name = merged.revisions[n].file_name();
                !base_names.contains(name)
                    && self.fork_point.as_ref().is_none_or(|f| !f.contains(name))
            })
            .collect();
        // Another tool's line is ordered by version, whatever git's history: a version this
        // branch adds must be above every version the base has, gained since the fork or not
        // (after `main` is merged into the branch, as a pull request's checkout is, nothing is
        // "gained" any more, and the version is still below).
        let against = if matches!(merged.format, DirFormat::Linear(_)) {
            (0..merged.revisions.len())
                .filter(|&n| base_names.contains(merged.revisions[n].file_name()))
                .collect()
        } else {
            gained
        };
        for &node in &added {
            if let Some(finding) = self.behind(&merged, node, &against) {
                diagnostics.push(finding);
            }
        }
        Comparison {
            merged,
            diagnostics,
            added,
        }
    }

    /// Whether a base revision missing here was deleted on this branch, rather than added to
    /// the base after the branch was cut. Without the fork point (a shallow clone), a revision
    /// that one of this branch's revisions descends from on the base must have been here.
    fn deleted_here(&self, node: usize, work_names: &HashMap<&str, usize>) -> bool {
        let base = &self.project;
        match &self.fork_point {
            Some(names) => names.contains(base.revisions[node].file_name()),
            None => base
                .graph
                .descendants(node)
                .iter()
                .any(|&d| work_names.contains_key(base.revisions[d].file_name())),
        }
    }

    fn behind(&self, merged: &Project, node: usize, gained: &[usize]) -> Option<Diagnostic> {
        let app = |n: usize| {
            merged.revisions[n]
                .id
                .as_str()
                .split_once('.')
                .map(|(a, _)| a)
        };
        let mut missed: Vec<usize> = gained
            .iter()
            .copied()
            .filter(|&g| !merged.graph.is_ancestor(g, node))
            // A Django migration follows its own app's line: another app's are no concern.
            .filter(|&g| merged.revisions[node].format != DirFormat::Django || app(g) == app(node))
            .collect();
        if missed.is_empty() {
            return None;
        }
        let revision = &merged.revisions[node];
        let collides = missed
            .iter()
            .any(|&g| merged.revisions[g].id == revision.id);
        // A line's newest version says it all: the ones between are shipped too.
        if matches!(revision.format, DirFormat::Linear(_)) && missed.len() > 1 {
            let newest = merged
                .graph
                .topological_order()
                .into_iter()
                .rev()
                .find(|n| missed.contains(n));
            missed = newest.into_iter().collect();
        }
        let base_head = match self.project.graph.heads().as_slice() {
            [one] => format!(" after `{}`", self.project.revisions[*one].id),
            _ => String::new(),
        };
        let effect = match revision.format {
            DirFormat::Linear(layout) => format!(": {}", layout.out_of_order()),
            DirFormat::Sql | DirFormat::Alembic | DirFormat::Django => String::new(),
        };
        Some(Diagnostic::new(
            Rule::BehindBase,
            Location::file(&revision.path),
            format!(
                "`{}` (`{}`) was added on this branch, but `{}` {} {}{}{effect}",
                revision.id,
                revision.file_name(),
                self.reference,
                if effect.is_empty() {
                    "has since gained"
                } else {
                    "has"
                },
                describe(&merged.revisions, &missed),
                if collides {
                    ", with the same number"
                } else {
                    ", which it does not follow"
                }
            ),
            if revision.format == DirFormat::Django {
                format!(
                    "make it depend on the app's newest migration on `{}`, or merge and add a merge migration (`migrate merge`, as `makemigrations --merge`)",
                    self.reference
                )
            } else if let DirFormat::Linear(layout) = revision.format {
                format!(
                    "run `migrate rebase --onto {}` to give this branch's new files versions above the base's{base_head}, as {layout} needs",
                    self.reference
                )
            } else if revision.id.is_number() {
                format!(
                    "run `migrate rebase --onto {}` to renumber this branch's revisions{base_head}",
                    self.reference
                )
            } else {
                // Hex ids never change: only the first `down_revision` moves.
                format!(
                    "run `migrate rebase --onto {}` to point this branch's first `down_revision`{base_head}; ids do not change",
                    self.reference
                )
            },
        ))
    }

    fn edited(&self, revision: &Revision, line: usize) -> Diagnostic {
        Diagnostic::new(
            Rule::EditedApplied,
            Location::span(&revision.path, line, 1, 0),
            format!(
                "`{}` was changed on this branch, but `{}` already has it: databases may have applied it as it was",
                revision.file_name(),
                self.reference
            ),
            format!(
                "restore it with `git checkout {} -- {}` and make the change in a new revision",
                self.reference, revision.path
            ),
        )
    }

    fn deleted(&self, revision: &Revision) -> Diagnostic {
        let here = crate::relpath::join(&self.display_dir, revision.file_name());
        Diagnostic::new(
            Rule::DeletedApplied,
            Location::file(&revision.path),
            format!(
                "`{}` was deleted on this branch, but `{}` has it: databases may have applied it",
                revision.file_name(),
                self.reference
            ),
            format!(
                "restore it with `git checkout {} -- {here}`, and undo it with a new revision instead",
                self.reference
            ),
        )
    }
}

/// The first line where the two versions of a file differ, if they do.
fn first_difference(work: &Project, mine: usize, base: &Project, theirs: usize) -> Option<usize> {
    fn text(project: &Project, node: usize) -> &str {
        project
            .sources
            .get(&project.revisions[node].path)
            .map_or("", String::as_str)
    }
    let (a, b) = (text(work, mine), text(base, theirs));
    if a == b {
        return None;
    }
    let same = a.lines().zip(b.lines()).take_while(|(x, y)| x == y).count();
    Some(same + 1)
}

/// The error for a ref this clone lacks, with a fetch that creates it in every clone: in a
/// single-branch clone, `git fetch origin main` only fills `FETCH_HEAD`.
fn missing_ref(reference: &str) -> String {
    let fetch = match reference.split_once('/') {
        Some((remote, branch)) if !remote.is_empty() && !branch.is_empty() => {
            format!("`git fetch --depth=1 {remote} {branch}:refs/remotes/{remote}/{branch}`")
        }
        _ => format!(
            "`git fetch --depth=1 origin {reference}:refs/remotes/origin/{reference}`, then name `origin/{reference}`"
        ),
    };
    format!("git ref `{reference}` does not exist in this clone; fetch it first: {fetch}")
}
