//! The revision DAG: heads, roots, a stable topological order, ancestry and upgrade paths.
//!
//! Nodes are revisions, by their index in the loaded list; an edge runs from parent to child.
//! A parent id that several files share (a duplicate) links to each of them, so a collision
//! shows up as the two heads it really is.
//!
//! Alembic's `depends_on` adds a dependency edge: it orders the upgrade (ancestry, the
//! topological order, cycles) but does not make a parent. As in Alembic, a revision that only
//! dependencies point at is still a head, an "effective head".

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use petgraph::Direction;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, EdgeRef, Reversed, Walker};

use crate::revision::{Revises, Revision, RevisionId};

/// The revision graph of one migrations directory.
#[derive(Debug)]
pub(crate) struct RevisionGraph {
    graph: DiGraph<(), Link>,
    /// Per revision: its id and path, which order ties everywhere.
    keys: Vec<(RevisionId, String)>,
    /// Per revision: how its parents were declared.
    declared: Vec<Declared>,
    by_id: HashMap<RevisionId, Vec<usize>>,
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// The child revises the parent.
    Parent,
    /// The child only depends on it (Alembic's `depends_on`).
    Dependency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Root,
    Parents,
    Unknown,
}

impl RevisionGraph {
    /// Builds the graph. Parents that exist nowhere are left out (see `dangling-parent`).
    #[must_use]
    pub(crate) fn new(revisions: &[Revision]) -> RevisionGraph {
        let mut graph = DiGraph::with_capacity(revisions.len(), revisions.len());
        let mut by_id: HashMap<RevisionId, Vec<usize>> = HashMap::with_capacity(revisions.len());
        for (index, revision) in revisions.iter().enumerate() {
            graph.add_node(());
            by_id.entry(revision.id.clone()).or_default().push(index);
        }
        for (child, revision) in revisions.iter().enumerate() {
            for parent_id in revision.parent_ids() {
                for &parent in by_id.get(parent_id).map_or(&[][..], Vec::as_slice) {
                    graph.update_edge(NodeIndex::new(parent), NodeIndex::new(child), Link::Parent);
                }
            }
            for dependency in &revision.depends_on {
                for &parent in by_id.get(&dependency.id).map_or(&[][..], Vec::as_slice) {
                    let (from, to) = (NodeIndex::new(parent), NodeIndex::new(child));
                    // A revision that is also a parent stays a parent.
                    if graph.find_edge(from, to).is_none() {
                        graph.add_edge(from, to, Link::Dependency);
                    }
                }
            }
        }
        let declared = revisions
            .iter()
            .map(|r| match r.revises {
                Revises::Root => Declared::Root,
                Revises::Parents(_) => Declared::Parents,
                Revises::Unknown => Declared::Unknown,
            })
            .collect();
        let keys = revisions
            .iter()
            .map(|r| (r.id.clone(), r.path.clone()))
            .collect();
        RevisionGraph {
            graph,
            keys,
            declared,
            by_id,
        }
    }

    /// How many revisions the graph holds.
    #[must_use]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The revisions with this id: one normally, several for a duplicate, none if unknown.
    #[must_use]
    pub(crate) fn lookup(&self, id: &RevisionId) -> &[usize] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    /// Every id with more than one revision, in id order.
    #[must_use]
    pub(crate) fn duplicates(&self) -> Vec<(&RevisionId, &[usize])> {
        let mut found: Vec<_> = self
            .by_id
            .iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(k, v)| (k, v.as_slice()))
            .collect();
        found.sort_by(|a, b| a.0.cmp(b.0));
        found
    }

    fn sorted(&self, mut nodes: Vec<usize>) -> Vec<usize> {
        nodes.sort_by(|&a, &b| self.keys[a].cmp(&self.keys[b]));
        nodes.dedup();
        nodes
    }

    fn neighbors(&self, node: usize, direction: Direction, link: Link) -> Vec<usize> {
        let found = self
            .graph
            .edges_directed(NodeIndex::new(node), direction)
            .filter(|edge| *edge.weight() == link)
            .map(|edge| match direction {
                Direction::Incoming => edge.source().index(),
                Direction::Outgoing => edge.target().index(),
            })
            .collect();
        self.sorted(found)
    }

    /// The revisions `node` revises, in id order.
    #[must_use]
    pub(crate) fn parents(&self, node: usize) -> Vec<usize> {
        self.neighbors(node, Direction::Incoming, Link::Parent)
    }

    /// The revisions that revise `node`, in id order.
    #[must_use]
    pub(crate) fn children(&self, node: usize) -> Vec<usize> {
        self.neighbors(node, Direction::Outgoing, Link::Parent)
    }

    /// The revisions that depend on `node` without revising it (Alembic's `depends_on`).
    #[must_use]
    pub(crate) fn dependents(&self, node: usize) -> Vec<usize> {
        self.neighbors(node, Direction::Outgoing, Link::Dependency)
    }

    /// Whether nothing revises `node` and nothing depends on it: Alembic's "(head)", where a
    /// head that only dependencies point at is an "(effective head)".
    #[must_use]
    pub(crate) fn is_real_head(&self, node: usize) -> bool {
        self.graph
            .neighbors_directed(NodeIndex::new(node), Direction::Outgoing)
            .next()
            .is_none()
    }

    /// Revisions nothing revises, in id order (a revision others only depend on is one). A file
    /// whose header could not be read is left out: it already has its own diagnostic, and
    /// counting it would add a false second head.
    #[must_use]
    pub(crate) fn heads(&self) -> Vec<usize> {
        let found = (0..self.len())
            .filter(|&n| self.declared[n] != Declared::Unknown)
            .filter(|&n| {
                self.graph
                    .edges_directed(NodeIndex::new(n), Direction::Outgoing)
                    .all(|edge| *edge.weight() == Link::Dependency)
            })
            .collect();
        self.sorted(found)
    }

    /// Revisions that declare `-- migrate:revises none`, in id order.
    #[must_use]
    pub(crate) fn roots(&self) -> Vec<usize> {
        self.sorted(
            (0..self.len())
                .filter(|&n| self.declared[n] == Declared::Root)
                .collect(),
        )
    }

    /// Every revision, parents before children, ties broken by number (then path).
    /// Revisions caught in a cycle have no such place and are left out.
    #[must_use]
    pub(crate) fn topological_order(&self) -> Vec<usize> {
        let mut waiting: Vec<usize> = (0..self.len())
            .map(|n| {
                self.graph
                    .neighbors_directed(NodeIndex::new(n), Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<(&(RevisionId, String), usize)>> = (0..self.len())
            .filter(|&n| waiting[n] == 0)
            .map(|n| Reverse((&self.keys[n], n)))
            .collect();
        let mut order = Vec::with_capacity(self.len());
        while let Some(Reverse((_, node))) = ready.pop() {
            order.push(node);
            for child in self
                .graph
                .neighbors_directed(NodeIndex::new(node), Direction::Outgoing)
            {
                let child = child.index();
                waiting[child] -= 1;
                if waiting[child] == 0 {
                    ready.push(Reverse((&self.keys[child], child)));
                }
            }
        }
        order
    }

    /// Every revision `node` descends from, not counting itself.
    #[must_use]
    pub(crate) fn ancestors(&self, node: usize) -> BTreeSet<usize> {
        let reversed = Reversed(&self.graph);
        let mut found: BTreeSet<usize> = Bfs::new(reversed, NodeIndex::new(node))
            .iter(reversed)
            .map(NodeIndex::index)
            .collect();
        found.remove(&node);
        found
    }

    /// Every revision that descends from `node`, not counting itself.
    #[must_use]
    pub(crate) fn descendants(&self, node: usize) -> BTreeSet<usize> {
        let mut found: BTreeSet<usize> = Bfs::new(&self.graph, NodeIndex::new(node))
            .iter(&self.graph)
            .map(NodeIndex::index)
            .collect();
        found.remove(&node);
        found
    }

    /// Whether `ancestor` is reachable from `node` by following parents.
    #[must_use]
    pub(crate) fn is_ancestor(&self, ancestor: usize, node: usize) -> bool {
        ancestor != node
            && petgraph::algo::has_path_connecting(
                &self.graph,
                NodeIndex::new(ancestor),
                NodeIndex::new(node),
                None,
            )
    }

    /// Groups of revisions that revise each other in a loop, each sorted, in order of their first member.
    #[must_use]
    pub(crate) fn cycles(&self) -> Vec<Vec<usize>> {
        // Kosaraju, not Tarjan: petgraph's Tarjan recurses once per node and overflows the
        // stack on a long chain (20,000 revisions), while Kosaraju walks iteratively.
        let mut cycles: Vec<Vec<usize>> = kosaraju_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]))
            .map(|scc| self.sorted(scc.into_iter().map(NodeIndex::index).collect()))
            .collect();
        cycles.sort_by(|a, b| self.keys[a[0]].cmp(&self.keys[b[0]]));
        cycles
    }

    /// The nearest revision that every one of `nodes` descends from (or is), if any: one no
    /// other common ancestor descends from. Of several (a criss-cross), the greatest id.
    #[must_use]
    pub(crate) fn newest_common_ancestor(&self, nodes: &[usize]) -> Option<usize> {
        let mut common: Option<BTreeSet<usize>> = None;
        for &node in nodes {
            let mut line = self.ancestors(node);
            line.insert(node);
            common = Some(match common {
                None => line,
                Some(so_far) => so_far.intersection(&line).copied().collect(),
            });
        }
        // The common ancestors include every ancestor of each member, so the nearest ones are
        // exactly those with no child among them. Ids say nothing about nearness: hex ids
        // sort at random.
        let common = common?;
        common
            .iter()
            .copied()
            .filter(|&c| self.children(c).iter().all(|child| !common.contains(child)))
            .max_by(|&a, &b| self.keys[a].cmp(&self.keys[b]))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::revision::ParentRef;

    /// Builds revisions from `(id, parents)` pairs; `&[]` parents makes a root.
    pub(crate) fn revisions(spec: &[(&str, &[&str])]) -> Vec<Revision> {
        spec.iter()
            .enumerate()
            .map(|(i, (id, parents))| Revision {
                id: RevisionId::parse(id).unwrap(),
                format: crate::revision::DirFormat::Sql,
                slug: format!("r{i}"),
                path: format!("migrations/{id}_r{i}.sql"),
                revises: if parents.is_empty() {
                    Revises::Root
                } else {
                    Revises::Parents(
                        parents
                            .iter()
                            .map(|p| ParentRef {
                                id: RevisionId::parse(p).unwrap(),
                                line: 2,
                                column: 20,
                            })
                            .collect(),
                    )
                },
                revises_line: Some(2),
                depends_on: Vec::new(),
                branch_labels: Vec::new(),
                shown_labels: Vec::new(),
                unreadable_labels: false,
                description: vec![format!("revision {id}")],
                up: None,
                down: None,
            })
            .collect()
    }

    fn ids(revs: &[Revision], nodes: impl IntoIterator<Item = usize>) -> Vec<String> {
        nodes.into_iter().map(|n| revs[n].id.to_string()).collect()
    }

    #[test]
    fn linear_chain() {
        let revs = revisions(&[("003", &["002"]), ("001", &[]), ("002", &["001"])]);
        let graph = RevisionGraph::new(&revs);
        assert_eq!(ids(&revs, graph.heads()), ["003"]);
        assert_eq!(ids(&revs, graph.roots()), ["001"]);
        assert_eq!(ids(&revs, graph.topological_order()), ["001", "002", "003"]);
        assert_eq!(ids(&revs, graph.ancestors(0)), ["001", "002"]);
        assert!(graph.is_ancestor(1, 0));
        assert!(!graph.is_ancestor(0, 1));
        assert!(graph.cycles().is_empty());
    }

    #[test]
    fn branch_and_merge() {
        let revs = revisions(&[
            ("1", &[]),
            ("2", &["1"]),
            ("3", &["1"]),
            ("4", &["2", "3"]),
            ("5", &["1"]),
        ]);
        let graph = RevisionGraph::new(&revs);
        assert_eq!(ids(&revs, graph.heads()), ["4", "5"]);
        assert_eq!(
            ids(&revs, graph.topological_order()),
            ["1", "2", "3", "4", "5"]
        );
        assert_eq!(ids(&revs, graph.parents(3)), ["2", "3"]);
        assert_eq!(ids(&revs, graph.children(0)), ["2", "3", "5"]);
        assert_eq!(ids(&revs, graph.descendants(1)), ["4"]);
        assert_eq!(graph.newest_common_ancestor(&[3, 4]), Some(0));
        assert_eq!(graph.newest_common_ancestor(&[1, 3]), Some(1));
    }

    #[test]
    fn duplicates_link_to_every_file() {
        let revs = revisions(&[("039", &[]), ("040", &["039"]), ("40", &["039"])]);
        let graph = RevisionGraph::new(&revs);
        assert_eq!(graph.heads(), [1, 2]);
        assert_eq!(graph.duplicates().len(), 1);
        assert_eq!(graph.lookup(&RevisionId::parse("40").unwrap()), [1, 2]);
    }

    #[test]
    fn cycles_are_found_and_left_out_of_the_order() {
        let revs = revisions(&[("1", &[]), ("2", &["3"]), ("3", &["2"]), ("4", &["4"])]);
        let graph = RevisionGraph::new(&revs);
        assert_eq!(graph.cycles(), vec![vec![1, 2], vec![3]]);
        assert_eq!(ids(&revs, graph.topological_order()), ["1"]);
    }
}
