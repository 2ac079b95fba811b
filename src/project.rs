//! A loaded migrations directory: its revisions, their graph, and what loading found wrong.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Sources};
use crate::graph::RevisionGraph;
use crate::revision::{DirFormat, Revision, RevisionId};
use crate::settings::Settings;
use crate::{Error, branches, check, source};

/// Everything the offline commands work from.
#[derive(Debug)]
pub(crate) struct Project {
    /// How the directory is written.
    pub format: DirFormat,
    /// Revisions in file-name order; graph nodes are indexes into this list.
    pub revisions: Vec<Revision>,
    /// The revision graph.
    pub graph: RevisionGraph,
    /// What loading found: `invalid-filename` and `malformed-file`.
    pub load_diagnostics: Vec<Diagnostic>,
    /// The files' text, for showing offending lines.
    pub sources: Sources,
    /// The directory's other entries, when it was listed.
    pub others: Option<Vec<source::Entry>>,
    /// `heads` in migrate.toml, when the tree declares the heads it is meant to have.
    pub declared_heads: Option<Vec<String>>,
    /// Every directory the revisions were read from.
    pub dirs: Vec<std::path::PathBuf>,
}

impl Project {
    /// Loads the migrations directory the settings name.
    pub(crate) fn load(settings: &Settings) -> Result<Project, Error> {
        let dirs: Vec<std::path::PathBuf> = settings.dirs().map(Path::to_path_buf).collect();
        let loaded = source::load_all(
            &dirs,
            settings.recursive,
            &settings.dir_origin,
            settings.dir_format,
        )?;
        let mut project = Project::from_loaded(loaded);
        project.declared_heads.clone_from(&settings.heads);
        Ok(project)
    }

    /// Builds the graph over already loaded revisions.
    #[must_use]
    pub(crate) fn from_loaded(mut loaded: source::Loaded) -> Project {
        // Another tool's line is ordered by version: the parents follow from the revisions in
        // hand, so they are drawn again whenever the set changes (the base's merged in).
        if let DirFormat::Linear(_) = loaded.format {
            source::linear::link(&mut loaded.revisions);
        }
        let graph = RevisionGraph::new(&loaded.revisions);
        let mut revisions = loaded.revisions;
        let shown = branches::shown_labels(&revisions, &graph);
        for (revision, labels) in revisions.iter_mut().zip(shown) {
            revision.shown_labels = labels;
        }
        Project {
            format: loaded.format,
            revisions,
            graph,
            load_diagnostics: loaded.diagnostics,
            sources: loaded.sources,
            others: loaded.others,
            declared_heads: None,
            dirs: loaded.dirs,
        }
    }

    /// Every finding about the directory, sorted.
    #[must_use]
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        check::run(&self.check_input())
    }

    /// The tree as `check`'s rules read it.
    #[must_use]
    pub(crate) fn check_input(&self) -> check::Input<'_> {
        check::Input {
            revisions: &self.revisions,
            graph: &self.graph,
            sources: &self.sources,
            load_diagnostics: &self.load_diagnostics,
            declared_heads: self.declared_heads.as_deref(),
        }
    }

    /// Finds the one revision a command-line argument names: an id, or `head` when there is one head.
    pub(crate) fn resolve(&self, name: &str) -> Result<usize, Error> {
        // `branch@head`, as Alembic writes it: the one head of a named branch.
        if let Some(branch) = name.strip_suffix("@head") {
            let heads: Vec<usize> = self
                .graph
                .heads()
                .into_iter()
                .filter(|&h| self.revisions[h].shown_labels.iter().any(|l| l == branch))
                .collect();
            return match heads.as_slice() {
                [one] => Ok(*one),
                [] => Err(Error::Usage(format!(
                    "no head is on a branch named `{branch}`"
                ))),
                many => Err(Error::Usage(format!(
                    "`{name}` is ambiguous: the branch has {} heads ({})",
                    many.len(),
                    self.list(many)
                ))),
            };
        }
        if name == "head" {
            let heads = self.graph.heads();
            return match heads.as_slice() {
                [one] => Ok(*one),
                [] => Err(Error::Usage("there is no head revision".to_owned())),
                many => Err(Error::Usage(format!(
                    "`head` is ambiguous: there are {} heads ({}); name one by its id",
                    many.len(),
                    self.list(many)
                ))),
            };
        }
        match self.find(name).as_slice() {
            [] => Err(Error::UnknownRevision(name.to_owned())),
            [one] => Ok(*one),
            many => Err(Error::Usage(format!(
                "revision `{name}` is ambiguous: it is defined by {}",
                self.list(many)
            ))),
        }
    }

    /// The revisions with exactly this id, whether ids are names or numbers here.
    #[must_use]
    pub(crate) fn lookup(&self, id: &str) -> &[usize] {
        let named = self.graph.lookup(&RevisionId::name(id));
        if !named.is_empty() {
            return named;
        }
        RevisionId::parse(id).map_or(&[], |number| self.graph.lookup(&number))
    }

    /// The revisions an id written by a person names: the id itself, a number equal to it
    /// (`40` for `040` where ids are numbers), or, in an Alembic tree, a unique prefix of one,
    /// as Alembic accepts.
    #[must_use]
    pub(crate) fn find(&self, name: &str) -> Vec<usize> {
        let exact = self.lookup(name);
        if !exact.is_empty() {
            return exact.to_vec();
        }
        if self.format == DirFormat::Alembic && !name.is_empty() {
            let matches: Vec<usize> = (0..self.revisions.len())
                .filter(|&n| self.revisions[n].id.as_str().starts_with(name))
                .collect();
            let mut ids: Vec<&str> = matches
                .iter()
                .map(|&n| self.revisions[n].id.as_str())
                .collect();
            ids.dedup();
            if ids.len() == 1 {
                return matches;
            }
        }
        Vec::new()
    }

    fn list(&self, nodes: &[usize]) -> String {
        describe(&self.revisions, nodes)
    }
}

pub(crate) use crate::revision::describe;
