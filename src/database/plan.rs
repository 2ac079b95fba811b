//! Plans: which revisions `upgrade`, `downgrade` and `stamp` touch, in which order, for a target.
//!
//! Plans follow the graph (ancestors before descendants, merges after every parent), never
//! plain number order. A revision the database has but no file knows is undone before any
//! known one, since it can only be newer than this checkout.

use std::collections::{BTreeSet, HashMap};

use crate::Error;
use crate::project::Project;

/// What a command moves towards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Head,
    Base,
    /// A revision id as written.
    Revision(String),
    /// `+N` (positive) or `-N` (negative).
    Relative(i64),
}

impl Target {
    /// Reads `head`, `base`, `+N`, `-N` or a revision id.
    pub(crate) fn parse(text: &str) -> Result<Target, Error> {
        Ok(match text {
            "head" | "heads" => Target::Head,
            "base" => Target::Base,
            _ if text.contains(':') => {
                return Err(Error::Usage(format!(
                    "`{text}` is a `FROM:TO` range, which only `--sql` takes: pass `--sql` to print the script, or give one target"
                )));
            }
            _ if text.starts_with(['+', '-']) => {
                let n: i64 = text[1..].parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    Error::Usage(format!(
                        "`{text}` is not a relative target; write `+N` or `-N` with N at least 1"
                    ))
                })?;
                Target::Relative(if text.starts_with('-') { -n } else { n })
            }
            _ => Target::Revision(text.to_owned()),
        })
    }
}

/// `1 revision is`, `2 revisions are`.
fn are(count: usize) -> String {
    let verb = if count == 1 { "is" } else { "are" };
    format!("{} {verb}", crate::diagnostic::plural(count, "revision"))
}

/// A revision the database has applied, as far as planning needs it.
#[derive(Debug, Clone)]
pub(crate) struct AppliedRevision {
    pub version: i32,
    /// The file's graph node, or `None` when no file here has that number.
    pub node: Option<usize>,
    /// `applied_on` as stored, to order revisions no file knows.
    pub applied_on: String,
}

/// The files and the database side by side.
pub(crate) struct Planner<'a> {
    project: &'a Project,
    order: Vec<usize>,
    applied: Vec<AppliedRevision>,
    applied_nodes: BTreeSet<usize>,
}

/// A stamp plan: rows to add (nodes, in order) and rows to remove (versions, in order).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct StampPlan {
    pub add: Vec<usize>,
    pub remove: Vec<AppliedRevision>,
}

impl PartialEq for AppliedRevision {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}
impl Eq for AppliedRevision {}

impl<'a> Planner<'a> {
    pub(crate) fn new(project: &'a Project, applied: Vec<AppliedRevision>) -> Planner<'a> {
        let applied_nodes = applied.iter().filter_map(|a| a.node).collect();
        Planner {
            order: project.graph.topological_order(),
            project,
            applied,
            applied_nodes,
        }
    }

    fn closure(&self, node: usize) -> BTreeSet<usize> {
        let mut set = self.project.graph.ancestors(node);
        set.insert(node);
        set
    }

    fn pending(&self) -> impl Iterator<Item = usize> + '_ {
        self.order
            .iter()
            .copied()
            .filter(|n| !self.applied_nodes.contains(n))
    }

    /// Every applied revision, in the order they can be undone: unknown ones first (newest
    /// first), then known ones in reverse graph order.
    pub(crate) fn undo_order(&self) -> Vec<AppliedRevision> {
        let mut unknown: Vec<AppliedRevision> = self
            .applied
            .iter()
            .filter(|a| a.node.is_none())
            .cloned()
            .collect();
        unknown.sort_by(|a, b| (&b.applied_on, b.version).cmp(&(&a.applied_on, a.version)));
        let by_node: HashMap<usize, &AppliedRevision> = self
            .applied
            .iter()
            .filter_map(|a| a.node.map(|n| (n, a)))
            .collect();
        unknown.extend(
            self.order
                .iter()
                .rev()
                .filter_map(|n| by_node.get(n).map(|a| (*a).clone())),
        );
        unknown
    }

    /// The revisions `upgrade TARGET` applies, in order.
    pub(crate) fn upgrade(&self, target: &Target) -> Result<Vec<usize>, Error> {
        let wanted = match target {
            Target::Head => self.closure(self.project.resolve("head")?),
            Target::Revision(name) => self.closure(self.project.resolve(name)?),
            Target::Relative(n) if *n > 0 => {
                let plan: Vec<usize> = self.pending().take(count(*n)).collect();
                if plan.len() < count(*n) {
                    return Err(Error::Usage(format!(
                        "cannot upgrade +{n}: only {} pending",
                        are(plan.len())
                    )));
                }
                return Ok(plan);
            }
            Target::Base | Target::Relative(_) => {
                return Err(Error::Usage(
                    "`upgrade` moves up; use `downgrade` for `base` and `-N`".to_owned(),
                ));
            }
        };
        Ok(self.pending().filter(|n| wanted.contains(n)).collect())
    }

    /// The applied revisions `downgrade TARGET` undoes, in order.
    pub(crate) fn downgrade(&self, target: &Target) -> Result<Vec<AppliedRevision>, Error> {
        let undo = self.undo_order();
        match target {
            Target::Base => Ok(undo),
            Target::Relative(n) if *n < 0 => {
                let n = count(-n);
                if undo.len() < n {
                    return Err(Error::Usage(format!(
                        "cannot downgrade -{n}: only {} applied",
                        are(undo.len())
                    )));
                }
                Ok(undo.into_iter().take(n).collect())
            }
            Target::Revision(name) => {
                let node = self.project.resolve(name)?;
                if !self.applied_nodes.contains(&node) {
                    return Err(Error::Usage(format!(
                        "revision `{name}` is not applied, so the database cannot be downgraded to it; \
                         `migrate current` shows what is applied"
                    )));
                }
                let keep = self.closure(node);
                Ok(undo
                    .into_iter()
                    .filter(|a| a.node.is_none_or(|n| !keep.contains(&n)))
                    .collect())
            }
            Target::Head | Target::Relative(_) => Err(Error::Usage(
                "`downgrade` moves down; use `upgrade` for `head` and `+N`".to_owned(),
            )),
        }
    }

    /// The history rows `stamp TARGET` adds and removes so that exactly TARGET and its
    /// ancestors are recorded.
    pub(crate) fn stamp(&self, target: &Target) -> Result<StampPlan, Error> {
        let desired: BTreeSet<usize> = match target {
            Target::Base => BTreeSet::new(),
            Target::Head => self.closure(self.project.resolve("head")?),
            Target::Revision(name) => self.closure(self.project.resolve(name)?),
            Target::Relative(n) if *n > 0 => {
                let mut set = self.applied_nodes.clone();
                set.extend(self.upgrade(target)?);
                set
            }
            Target::Relative(_) => {
                let removed: BTreeSet<i32> =
                    self.downgrade(target)?.iter().map(|a| a.version).collect();
                return Ok(StampPlan {
                    add: Vec::new(),
                    remove: self
                        .undo_order()
                        .into_iter()
                        .filter(|a| removed.contains(&a.version))
                        .collect(),
                });
            }
        };
        Ok(StampPlan {
            add: self.pending().filter(|n| desired.contains(n)).collect(),
            remove: self
                .undo_order()
                .into_iter()
                .filter(|a| a.node.is_none_or(|n| !desired.contains(&n)))
                .collect(),
        })
    }
}

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(spec: &[(&str, &[&str])]) -> Project {
        Project::from_loaded(crate::source::Loaded {
            revisions: crate::graph::tests::revisions(spec),
            ..Default::default()
        })
    }

    /// 1 <- 2 <- 3 and 2 <- 4, merged by 5.
    fn merged() -> Project {
        project(&[
            ("1", &[]),
            ("2", &["1"]),
            ("3", &["2"]),
            ("4", &["2"]),
            ("5", &["3", "4"]),
        ])
    }

    fn applied(project: &Project, ids: &[&str]) -> Vec<AppliedRevision> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| AppliedRevision {
                version: id.parse().unwrap(),
                node: project.resolve(id).ok(),
                applied_on: format!("2026-01-01T00:00:0{i}Z"),
            })
            .collect()
    }

    fn ids(project: &Project, nodes: &[usize]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| project.revisions[*n].id.as_str().to_owned())
            .collect()
    }

    fn versions(plan: &[AppliedRevision]) -> Vec<i32> {
        plan.iter().map(|a| a.version).collect()
    }

    #[test]
    fn targets_parse() {
        assert_eq!(Target::parse("head").unwrap(), Target::Head);
        assert_eq!(Target::parse("base").unwrap(), Target::Base);
        assert_eq!(Target::parse("+2").unwrap(), Target::Relative(2));
        assert_eq!(Target::parse("-1").unwrap(), Target::Relative(-1));
        assert_eq!(
            Target::parse("040").unwrap(),
            Target::Revision("040".to_owned())
        );
        let message = |text: &str| Target::parse(text).unwrap_err().to_string();
        assert!(
            message("+0").contains("not a relative target"),
            "{}",
            message("+0")
        );
        assert!(message("-x").contains("not a relative target"));
        assert!(message("001:003").contains("only `--sql` takes"));
    }

    #[test]
    fn upgrade_follows_the_graph_through_a_merge() {
        let p = merged();
        let planner = Planner::new(&p, applied(&p, &["1"]));
        assert_eq!(
            ids(&p, &planner.upgrade(&Target::Head).unwrap()),
            ["2", "3", "4", "5"]
        );
        assert_eq!(
            ids(&p, &planner.upgrade(&Target::Revision("4".into())).unwrap()),
            ["2", "4"]
        );
        assert_eq!(
            ids(&p, &planner.upgrade(&Target::Relative(2)).unwrap()),
            ["2", "3"]
        );
        let error = |target| planner.upgrade(&target).unwrap_err().to_string();
        assert_eq!(
            error(Target::Relative(5)),
            "cannot upgrade +5: only 4 revisions are pending"
        );
        assert!(error(Target::Base).contains("`upgrade` moves up"));
    }

    #[test]
    fn upgrade_fills_a_gap_below_an_applied_revision() {
        let p = merged();
        let planner = Planner::new(&p, applied(&p, &["1", "2", "4"]));
        assert_eq!(
            ids(&p, &planner.upgrade(&Target::Head).unwrap()),
            ["3", "5"]
        );
    }

    #[test]
    fn downgrade_undoes_descendants_first_and_unknown_revisions_before_all() {
        let p = merged();
        let mut rows = applied(&p, &["1", "2", "3", "4", "5"]);
        rows.push(AppliedRevision {
            version: 6,
            node: None,
            applied_on: "2026-01-02T00:00:00Z".to_owned(),
        });
        let planner = Planner::new(&p, rows);
        assert_eq!(
            versions(&planner.downgrade(&Target::Base).unwrap()),
            [6, 5, 4, 3, 2, 1]
        );
        assert_eq!(
            versions(&planner.downgrade(&Target::Relative(-2)).unwrap()),
            [6, 5]
        );
        assert_eq!(
            versions(&planner.downgrade(&Target::Revision("3".into())).unwrap()),
            [6, 5, 4]
        );
        let error = planner.downgrade(&Target::Head).unwrap_err().to_string();
        assert!(error.contains("`downgrade` moves down"), "{error}");
        let error = planner
            .downgrade(&Target::Relative(-9))
            .unwrap_err()
            .to_string();
        assert_eq!(error, "cannot downgrade -9: only 6 revisions are applied");
    }

    #[test]
    fn downgrade_refuses_a_target_that_is_not_applied() {
        let p = merged();
        let planner = Planner::new(&p, applied(&p, &["1", "2"]));
        let error = planner
            .downgrade(&Target::Revision("4".into()))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("revision `4` is not applied"), "{error}");
    }

    #[test]
    fn stamp_adds_and_removes_rows_to_match_the_target() {
        let p = merged();
        let planner = Planner::new(&p, applied(&p, &["1", "2", "3"]));
        let plan = planner.stamp(&Target::Revision("4".into())).unwrap();
        assert_eq!(ids(&p, &plan.add), ["4"]);
        assert_eq!(versions(&plan.remove), [3]);
        let plan = planner.stamp(&Target::Base).unwrap();
        assert!(plan.add.is_empty());
        assert_eq!(versions(&plan.remove), [3, 2, 1]);
        let plan = planner.stamp(&Target::Head).unwrap();
        assert_eq!(ids(&p, &plan.add), ["4", "5"]);
        assert!(plan.remove.is_empty());
    }
}
