//! The results commands report, one variant a kind of result, before any format is chosen.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::database::history::Direction;
use crate::project::Project;

/// A command's own result, beside its diagnostics.
#[derive(Debug)]
pub(crate) enum Body {
    /// The command stopped before it had a result.
    Nothing,
    /// `check`'s summary: how many revisions and heads were judged.
    Check {
        revisions: usize,
        heads: usize,
        /// Each tree checked, when discovery found several.
        trees: Vec<TreeCount>,
        /// `--fix`: what was repaired, or would be under `--dry-run`.
        fixes: Option<Fixes>,
        /// `lint`: how many of the revisions were linted.
        linted: Option<usize>,
    },
    /// `heads` and `history`: revisions of the graph, in the order given.
    Revisions {
        project: Box<Project>,
        nodes: Vec<usize>,
        style: Style,
        /// `history --indicate-current`: which revisions the database has.
        marks: BTreeMap<usize, Mark>,
    },
    /// `show`: one revision with its SQL.
    Show { project: Box<Project>, node: usize },
    /// `current`: where the database stands.
    Current(Box<Current>),
    /// `upgrade`, `downgrade`, `stamp` and `verify`: what was done, revision by revision.
    Run(Run),
    /// `--sql`: the script that would run.
    Sql(String),
    /// `rebase`: the files changed, or that a dry run would change.
    Rebase { dry_run: bool, changes: Vec<Change> },
    /// `new` and `init`: the file written.
    Created { path: String },
    /// `schema`: the catalog snapshot, one object each.
    Schema { objects: Vec<SchemaObject> },
    /// A command run on many targets.
    Fleet(Box<super::Fleet>),
}

/// How a list of revisions is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `heads`: the id and its markers.
    Heads,
    /// `history`: Alembic's one-line entry.
    History,
    /// `-v`: the block with file, parents and full message.
    Verbose,
}

/// What the database has of a revision, for `history --indicate-current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Applied, and none of its children is.
    Current,
    /// Applied, below the current revisions.
    Applied,
}

/// Where the database stands next to the files.
#[derive(Debug)]
pub(crate) struct Current {
    pub project: Project,
    /// The history table read, as written in messages.
    pub table: String,
    /// An Alembic tree, whose table holds only the current ids.
    pub alembic: bool,
    /// Whether the table holds no revision at all.
    pub empty: bool,
    /// Applied revisions none of whose children is applied.
    pub at: Vec<usize>,
    /// Every applied row (not for Alembic), for `-v` and JSON.
    pub rows: Vec<Row>,
    /// `-v`: print the rows.
    pub verbose: bool,
    /// Revisions not applied, in graph order.
    pub pending: Vec<usize>,
    /// Heads not applied.
    pub missing_heads: Vec<usize>,
    /// Revisions the database has that no file defines, as the database names them.
    pub unknown: Vec<String>,
}

impl Current {
    /// Whether the database has every head and nothing the files do not know.
    #[must_use]
    pub(crate) fn at_heads(&self) -> bool {
        self.unknown.is_empty() && self.missing_heads.is_empty()
    }
}

/// One row of the history table, placed on the files.
#[derive(Debug)]
pub(crate) struct Row {
    /// The revision as its file writes it, or the number the database holds.
    pub id: String,
    pub file: String,
    pub applied_on: Option<String>,
    pub ms: Option<i64>,
    pub state: RowState,
}

/// Whether an applied row still matches its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowState {
    Ok,
    /// The file changed since it was applied.
    Changed,
    /// No file here defines it.
    NoFile,
}

/// What a writing command did.
#[derive(Debug)]
pub(crate) struct Run {
    /// `user@host:port/db`, with no password.
    pub database: String,
    pub steps: Vec<Step>,
    pub elapsed: Duration,
    /// `verify`: the server it ran on.
    pub server: Option<RunServer>,
    /// The revisions the database had before the run, by graph node (for a fleet's summary).
    pub before: Vec<usize>,
}

/// The server `verify` ran on: the version it reports, and for a throwaway cluster the
/// directory of the binaries and what chose them.
#[derive(Debug)]
pub(crate) struct RunServer {
    pub version: String,
    pub binaries: Option<String>,
    pub chosen_by: Option<String>,
}

/// One revision of a run.
#[derive(Debug)]
pub(crate) struct Step {
    pub id: String,
    pub file: String,
    pub direction: Direction,
    pub status: StepStatus,
    pub took: Duration,
}

/// How one revision of a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepStatus {
    Applied,
    Reverted,
    Stamped,
    Unstamped,
    /// `verify`: up, down and up again without a finding.
    Verified,
    Failed,
}

impl StepStatus {
    /// The word results and progress use.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StepStatus::Applied => "applied",
            StepStatus::Reverted => "reverted",
            StepStatus::Stamped => "stamped",
            StepStatus::Unstamped => "unstamped",
            StepStatus::Verified => "verified",
            StepStatus::Failed => "failed",
        }
    }
}

/// One file `rebase` changes.
#[derive(Debug)]
pub(crate) struct Change {
    pub from: String,
    pub to: String,
    /// Whether the file exists before the change (a head file may not).
    pub existed: bool,
    pub before: String,
    pub after: String,
}

/// One tree of several that `check` checked.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct TreeCount {
    pub dir: String,
    pub revisions: usize,
    pub heads: usize,
}

/// What `check --fix` repaired.
#[derive(Debug)]
pub(crate) struct Fixes {
    pub dry_run: bool,
    pub changes: Vec<Change>,
}

/// One object of `schema`'s listing.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct SchemaObject {
    pub kind: String,
    pub name: String,
    pub definition: String,
}
