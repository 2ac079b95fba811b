//! A revision: one migration file's id, parents, message and SQL sections.

mod id;

pub(crate) use id::RevisionId;

use crate::layout::Layout;

/// A parent named in `-- migrate:revises` (or Alembic's `down_revision`), with where it is written.
#[derive(Debug, Clone)]
pub(crate) struct ParentRef {
    /// The parent's id as written.
    pub id: RevisionId,
    /// The 1-based line of the id; a tuple in Python can span lines.
    pub line: usize,
    /// The 1-based column of the id on that line.
    pub column: usize,
}

/// How a migrations directory is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum DirFormat {
    /// `<digits>_<slug>.sql` files with a `-- migrate:revises` header.
    #[default]
    Sql,
    /// Alembic's Python revision files, read without running them.
    Alembic,
    /// Another tool's numbered files, ordered by version with no parent written.
    Linear(Layout),
    /// Django's migrations: one directory per app, read without running them.
    Django,
}

/// What a revision's `-- migrate:revises` line declares.
#[derive(Debug, Clone)]
pub(crate) enum Revises {
    /// `-- migrate:revises none`: the first revision.
    Root,
    /// One parent, or several for a merge revision.
    Parents(Vec<ParentRef>),
    /// The line is missing or unreadable; the file carries a `malformed-file` diagnostic.
    Unknown,
}

/// One SQL section of a migration file.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// The 1-based line of the section's marker.
    pub line: usize,
    /// The SQL text after the marker, up to the next marker or the end of the file.
    pub sql: String,
    /// Whether the section runs inside a transaction (`transaction:false` turns it off).
    pub transaction: bool,
    /// `lock_timeout:5s` and `statement_timeout:10m` on the marker line, over the run's own.
    /// Boxed, and only when the marker sets one: every revision of a large tree has sections,
    /// almost none of them timeouts, and the loader keeps tens of thousands of them.
    pub timeouts: Option<Box<Timeouts>>,
}

impl Section {
    /// The section's own timeouts; `None` fields leave the run's.
    #[must_use]
    pub(crate) fn timeouts(&self) -> Timeouts {
        self.timeouts.as_deref().copied().unwrap_or_default()
    }
}

/// PostgreSQL's `lock_timeout` and `statement_timeout` for a section's statements; `None`
/// leaves the run's setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Timeouts {
    pub(crate) lock: Option<std::time::Duration>,
    pub(crate) statement: Option<std::time::Duration>,
}

/// One migration file, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Revision {
    /// The revision id: the number from the file name, or Alembic's `revision`.
    pub id: RevisionId,
    /// How the file is written.
    pub format: DirFormat,
    /// The part of the file name after the number (the whole stem for an Alembic file without one).
    pub slug: String,
    /// The file's path as output shows it.
    pub path: String,
    /// The parents declared in the header.
    pub revises: Revises,
    /// The 1-based line of `-- migrate:revises` (or `down_revision`), when present.
    pub revises_line: Option<usize>,
    /// Alembic's `depends_on`: revisions that must be applied first without being parents.
    pub depends_on: Vec<ParentRef>,
    /// Alembic's `branch_labels`, as the file declares them.
    pub branch_labels: Vec<String>,
    /// Whether the file assigns `branch_labels` a value that cannot be read without Python:
    /// the revision still starts a named branch, whose name is unknown.
    pub unreadable_labels: bool,
    /// The labels Alembic shows on this revision, inherited ones too (`branches::shown_labels`);
    /// filled in when the graph is built.
    pub shown_labels: Vec<String>,
    /// The header's free comment lines, in order; the first non-empty one is the message. For
    /// an Alembic revision, the docstring as one entry.
    pub description: Vec<String>,
    /// The upgrade SQL, when the file has an up marker.
    pub up: Option<Section>,
    /// The downgrade SQL; a revision without one is irreversible.
    pub down: Option<Section>,
}

impl Revision {
    /// The one-line message: the header's first comment, else the slug in words. An Alembic
    /// revision's message is what Alembic prints: its stripped docstring up to the first blank
    /// line, and nothing without one.
    #[must_use]
    pub(crate) fn message(&self) -> String {
        if self.format == DirFormat::Alembic {
            let doc = self.long_message();
            return doc.split("\n\n").next().unwrap_or_default().to_owned();
        }
        self.description
            .iter()
            .find(|line| !line.trim().is_empty())
            .map_or_else(
                || self.slug.replace('_', " "),
                |line| line.trim().to_owned(),
            )
    }

    /// An Alembic revision's whole docstring as Alembic shows it (`longdoc`): stripped of the
    /// whitespace around it, as Python's `str.strip` does.
    #[must_use]
    pub(crate) fn long_message(&self) -> &str {
        self.description
            .first()
            .map_or("", |doc| doc.trim_matches(python_whitespace))
    }

    /// The parents' ids, empty for a root or an unreadable header.
    #[must_use]
    pub(crate) fn parent_ids(&self) -> Vec<&RevisionId> {
        match &self.revises {
            Revises::Parents(parents) => parents.iter().map(|p| &p.id).collect(),
            Revises::Root | Revises::Unknown => Vec::new(),
        }
    }

    /// The file name, without its directory: the name branches are compared by. A diesel
    /// revision is its directory's `up.sql`, named with the directory (`<version>_x/up.sql`).
    #[must_use]
    pub(crate) fn file_name(&self) -> &str {
        let parts = match self.format {
            DirFormat::Linear(Layout::Diesel) => 2,
            // Every app has its `0001_initial.py`: the app and package name it.
            DirFormat::Django => 3,
            _ => 1,
        };
        // A base's path starts with its ref (`main:shop/migrations/...`).
        match self.path.rmatch_indices(['/', ':']).nth(parts - 1) {
            Some((at, _)) => &self.path[at + 1..],
            None => &self.path,
        }
    }
}

impl DirFormat {
    /// Whether the tree's files may live in subdirectories of its directory: diesel's
    /// directories, and Flyway's and refinery's recursive reading.
    #[must_use]
    pub(crate) fn reads_subdirectories(self) -> bool {
        matches!(self, DirFormat::Linear(l) if l.recursive() || l.directories())
    }

    /// The name a file at `relative` under the tree's directory is compared by across
    /// branches, as `Revision::file_name` gives it.
    #[must_use]
    pub(crate) fn match_name(self, relative: &str) -> &str {
        let parts = match self {
            DirFormat::Linear(Layout::Diesel) => 2,
            DirFormat::Django => 3,
            _ => 1,
        };
        match relative.rmatch_indices('/').nth(parts - 1) {
            Some((at, _)) => &relative[at + 1..],
            None => relative,
        }
    }
}

/// What Python's `str.strip()` takes away: Unicode whitespace and the separators ASCII calls
/// control characters (`\x1c` to `\x1f`), which Rust's `trim` keeps.
fn python_whitespace(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

/// `` `040` (`040_a.sql`), `041` (`041_b.sql`) ``: revisions as every message names them.
#[must_use]
pub(crate) fn describe(revisions: &[Revision], nodes: &[usize]) -> String {
    nodes
        .iter()
        .map(|&n| {
            format!(
                "`{}` (`{}`)",
                crate::escape::one_line(revisions[n].id.as_str()),
                crate::escape::one_line(revisions[n].file_name())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
