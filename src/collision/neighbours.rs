//! The other trees of a repository with several, as one tree's stale-reference scan must see
//! them: their migrations and head files are theirs to judge, and their revisions' file names
//! are current names, never stale ones, whatever slug they share with this tree's.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::collision::file_walk::TextFile;
use crate::collision::references::{self, Found};
use crate::project::Project;
use crate::revision::DirFormat;
use crate::settings::Settings;

/// Every tree's directories and format, and every revision file name of them all.
#[derive(Debug, Default)]
pub(crate) struct Neighbours {
    trees: Vec<(Vec<PathBuf>, DirFormat)>,
    names: HashSet<String>,
}

impl Neighbours {
    /// Reads the trees; one that does not load is left out here, and reported by its own check.
    #[must_use]
    pub(crate) fn of(trees: &[Settings]) -> Neighbours {
        let mut neighbours = Neighbours::default();
        for project in trees.iter().filter_map(|t| Project::load(t).ok()) {
            for revision in &project.revisions {
                let name = revision.file_name();
                // Written with its extension or without, as references write names.
                if let Some((stem, _)) = name.rsplit_once('.') {
                    neighbours.names.insert(stem.to_owned());
                }
                neighbours.names.insert(name.to_owned());
            }
            neighbours.trees.push((project.dirs, project.format));
        }
        neighbours
    }

    /// The trees whose migrations a scan for `project` leaves out: all of them, and its own.
    #[must_use]
    pub(crate) fn with<'a>(&'a self, project: &'a Project) -> Vec<(&'a [PathBuf], DirFormat)> {
        let mut trees: Vec<(&[PathBuf], DirFormat)> = self
            .trees
            .iter()
            .map(|(dirs, format)| (dirs.as_slice(), *format))
            .collect();
        trees.push((&project.dirs, project.format));
        trees
    }

    /// Stale references in `files` for `project`, leaving out a name that is the current file
    /// name of another tree's revision: a tree whose revision shares its slug would take it for a
    /// stale one.
    #[must_use]
    pub(crate) fn find(&self, project: &Project, files: &[&TextFile]) -> Found {
        let mut found = references::find(project, files);
        if !self.names.is_empty() {
            for (i, stale) in &mut found.in_files {
                let bytes = &files[*i].bytes;
                stale.retain(|s| {
                    std::str::from_utf8(&bytes[s.span.clone()])
                        .is_ok_and(|name| !self.names.contains(name))
                });
            }
            found.in_files.retain(|(_, stale)| !stale.is_empty());
        }
        found
    }
}
