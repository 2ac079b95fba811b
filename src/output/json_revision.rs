//! A revision as the JSON document shows it: its id, path, parents and labels, and, for `show`,
//! its sections with their statements as `migrate` splits them.

use serde::Serialize;

use crate::project::Project;
use crate::revision::{DirFormat, Section};

#[derive(Serialize)]
pub(super) struct RevisionEntry<'a> {
    pub(super) id: &'a str,
    pub(super) path: &'a str,
    pub(super) parents: Vec<&'a str>,
    pub(super) depends_on: Vec<&'a str>,
    pub(super) branch_labels: &'a [String],
    pub(super) message: String,
    pub(super) head: bool,
    /// `null` for Alembic revisions, whose downgrade is Python.
    pub(super) reversible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) up: Option<SectionEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) down: Option<SectionEntry<'a>>,
}

#[derive(Serialize)]
pub(super) struct SectionEntry<'a> {
    pub(super) sql: &'a str,
    pub(super) transaction: bool,
    pub(super) line: usize,
    /// The statements as `migrate` splits the section, each with its 1-based line.
    pub(super) statements: Vec<StatementEntry<'a>>,
}

#[derive(Serialize)]
pub(super) struct StatementEntry<'a> {
    pub(super) line: usize,
    pub(super) text: &'a str,
}

pub(super) fn revision(project: &Project, node: usize) -> RevisionEntry<'_> {
    let r = &project.revisions[node];
    RevisionEntry {
        id: r.id.as_str(),
        path: &r.path,
        parents: r.parent_ids().iter().map(|id| id.as_str()).collect(),
        depends_on: r.depends_on.iter().map(|d| d.id.as_str()).collect(),
        branch_labels: &r.branch_labels,
        message: r.message(),
        head: project.graph.children(node).is_empty(),
        reversible: (r.format == DirFormat::Sql).then_some(r.down.is_some()),
        state: None,
        up: None,
        down: None,
    }
}

pub(super) fn section(section: &Section) -> SectionEntry<'_> {
    let lexed = crate::sql::lex(&section.sql);
    // Lines counted on from one statement to the next, so a long section costs its length once.
    let (mut counted, mut line) = (0, section.line + 1);
    let statements = lexed
        .statements
        .iter()
        .map(|s| {
            line += memchr::memchr_iter(b'\n', &section.sql.as_bytes()[counted..s.start]).count();
            counted = s.start;
            StatementEntry {
                line,
                text: s.text(&section.sql),
            }
        })
        .collect();
    SectionEntry {
        sql: &section.sql,
        transaction: section.transaction,
        line: section.line,
        statements,
    }
}
