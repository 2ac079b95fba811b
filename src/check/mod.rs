//! `check`'s rules over the graph: one module per rule, each adding its findings to one list.

mod cycle;
mod dangling_parent;
mod duplicate_revision;
mod mixed_width;
mod multiple_heads;
mod multiple_roots;
mod parent_not_older;
mod stale_parent;

pub(crate) use mixed_width::padding_width;

use crate::diagnostic::{self, Diagnostic, Location, Sources};
use crate::graph::RevisionGraph;
use crate::revision::{ParentRef, Revision, RevisionId};

/// A loaded tree, as the rules read it.
pub(crate) struct Input<'a> {
    pub revisions: &'a [Revision],
    pub graph: &'a RevisionGraph,
    pub sources: &'a Sources,
    /// What loading found, kept among the findings.
    pub load_diagnostics: &'a [Diagnostic],
    /// `heads` in migrate.toml.
    pub declared_heads: Option<&'a [String]>,
}

/// What every rule reads.
pub(crate) struct Context<'a> {
    revisions: &'a [Revision],
    graph: &'a RevisionGraph,
    sources: &'a Sources,
    /// Distinct ids in ascending order, each with its first revision.
    numbers: Vec<(&'a RevisionId, usize)>,
    /// `heads` in migrate.toml: the heads the tree is meant to have, by id or branch label.
    declared_heads: Option<&'a [String]>,
}

impl<'a> Context<'a> {
    fn new(input: &Input<'a>) -> Context<'a> {
        let (revisions, graph, sources) = (input.revisions, input.graph, input.sources);
        // Only numbers have a "newest below": Alembic's hex ids have no order.
        let mut numbers: Vec<(&RevisionId, usize)> = revisions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.id.is_number())
            .map(|(i, r)| (&r.id, i))
            .collect();
        numbers.sort_by(|a, b| {
            a.0.cmp(b.0)
                .then_with(|| revisions[a.1].path.cmp(&revisions[b.1].path))
        });
        numbers.dedup_by(|later, earlier| later.0 == earlier.0);
        Context {
            revisions,
            graph,
            sources,
            numbers,
            declared_heads: input.declared_heads,
        }
    }

    /// The revision with the highest number below `id`.
    fn newest_below(&self, id: &RevisionId) -> Option<usize> {
        let at = self.numbers.partition_point(|(n, _)| *n < id);
        at.checked_sub(1).map(|i| self.numbers[i].1)
    }

    /// Where a revision's `revises` line is, or the file as a whole when it has none.
    fn revises_location(&self, node: usize) -> Location {
        let revision = &self.revisions[node];
        match revision.revises_line {
            Some(line) => {
                let text = self
                    .sources
                    .get(&revision.path)
                    .and_then(|t| t.lines().nth(line - 1))
                    .unwrap_or("");
                Location::span(&revision.path, line, 1, text.trim_end().chars().count())
            }
            None => Location::file(&revision.path),
        }
    }

    /// `` `040` (`040_a.sql`), `041` (`041_b.sql`) ``.
    fn list(&self, nodes: &[usize]) -> String {
        crate::revision::describe(self.revisions, nodes)
    }

    /// Where one parent id is written.
    fn parent_location(&self, node: usize, parent: &ParentRef) -> Location {
        let revision = &self.revisions[node];
        let line = parent.line;
        Location::span(
            &revision.path,
            line,
            parent.column,
            parent.id.as_str().len(),
        )
    }
}

/// Runs every rule and returns every finding, load-time ones included, sorted.
#[must_use]
pub(crate) fn run(input: &Input<'_>) -> Vec<Diagnostic> {
    let context = Context::new(input);
    let mut found = input.load_diagnostics.to_vec();
    duplicate_revision::check(&context, &mut found);
    dangling_parent::check(&context, &mut found);
    multiple_heads::check(&context, &mut found);
    multiple_roots::check(&context, &mut found);
    cycle::check(&context, &mut found);
    stale_parent::check(&context, &mut found);
    parent_not_older::check(&context, &mut found);
    mixed_width::check(&context, &mut found);
    diagnostic::sort(&mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Rule;
    use crate::graph::tests::revisions;
    use crate::project::Project;

    /// The rules' names for a tree given as `(id, parents)`.
    pub(crate) fn findings(spec: &[(&str, &[&str])]) -> Vec<(Rule, String)> {
        let loaded = crate::source::Loaded {
            revisions: revisions(spec),
            ..Default::default()
        };
        Project::from_loaded(loaded)
            .diagnostics()
            .into_iter()
            .map(|d| (d.rule, d.message))
            .collect()
    }

    #[test]
    fn a_clean_chain_has_no_findings() {
        assert!(findings(&[("001", &[]), ("002", &["001"]), ("003", &["002"])]).is_empty());
    }

    #[test]
    fn newest_below_skips_duplicates() {
        let revisions = revisions(&[("1", &[]), ("3", &["1"]), ("3", &["1"]), ("7", &["3"])]);
        let project = Project::from_loaded(crate::source::Loaded {
            revisions,
            ..Default::default()
        });
        let context = Context::new(&project.check_input());
        assert_eq!(
            context.newest_below(&RevisionId::parse("7").unwrap()),
            Some(1)
        );
        assert_eq!(
            context.newest_below(&RevisionId::parse("3").unwrap()),
            Some(0)
        );
        assert_eq!(context.newest_below(&RevisionId::parse("1").unwrap()), None);
    }
}
