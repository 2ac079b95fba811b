//! A revision: one migration file's id, parents, message and SQL sections.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A revision id as written. A number (`040`) compares as an integer: `40` and `040` are equal.
/// Any other id (Alembic's `ae1027a6acf`) is a name, equal only to itself, and sorts after
/// every number.
///
/// Numbers are compared on their digits rather than parsed, so no length overflows.
#[derive(Debug, Clone)]
pub(crate) struct RevisionId {
    text: String,
    number: bool,
}

impl RevisionId {
    /// Wraps a string of ASCII digits; `None` for anything else.
    #[must_use]
    pub(crate) fn parse(text: &str) -> Option<RevisionId> {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| RevisionId {
            text: text.to_owned(),
            number: true,
        })
    }

    /// An id that is a name, compared as written even when it is made of digits: Alembic's
    /// `040` and `40` are two revisions.
    #[must_use]
    pub(crate) fn name(text: &str) -> RevisionId {
        RevisionId {
            text: text.to_owned(),
            number: false,
        }
    }

    /// Whether the id is a number, so the numbering rules apply to it.
    #[must_use]
    pub(crate) fn is_number(&self) -> bool {
        self.number
    }

    /// What equality and hashing look at: the digits without padding, or the name.
    fn key(&self) -> &str {
        if self.number {
            self.significant()
        } else {
            &self.text
        }
    }

    /// The id as written, zero-padding included.
    #[must_use]
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// How many digits were written.
    #[must_use]
    pub(crate) fn width(&self) -> usize {
        self.text.len()
    }

    /// The digits without zero-padding (`0` stays `0`).
    #[must_use]
    pub(crate) fn significant(&self) -> &str {
        let trimmed = self.text.trim_start_matches('0');
        if trimmed.is_empty() {
            &self.text[self.text.len() - 1..]
        } else {
            trimmed
        }
    }

    /// Whether the id is written with leading zeros.
    #[must_use]
    pub(crate) fn is_padded(&self) -> bool {
        self.significant().len() < self.text.len()
    }

    /// The next number, written with at least `width` digits.
    #[must_use]
    pub(crate) fn successor(&self, width: usize) -> RevisionId {
        let mut digits: Vec<u8> = self.significant().bytes().collect();
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
        let text: String = digits.into_iter().map(char::from).collect();
        RevisionId {
            text: format!("{text:0>width$}"),
            number: true,
        }
    }
}

impl PartialEq for RevisionId {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number && self.key() == other.key()
    }
}

impl Eq for RevisionId {}

impl Hash for RevisionId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.number.hash(state);
        self.key().hash(state);
    }
}

impl Ord for RevisionId {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.key(), other.key());
        match (self.number, other.number) {
            (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (false, false) => a.cmp(b),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        }
    }
}

impl PartialOrd for RevisionId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

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

    /// The file name, without its directory.
    #[must_use]
    pub(crate) fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
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
        .map(|&n| format!("`{}` (`{}`)", revisions[n].id, revisions[n].file_name()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> RevisionId {
        RevisionId::parse(s).unwrap()
    }

    #[test]
    fn compares_as_integers() {
        assert_eq!(id("40"), id("040"));
        assert!(id("039") < id("40"));
        assert!(id("999") < id("1000"));
        assert!(id("0") < id("1"));
        assert_eq!(id("000").significant(), "0");
    }

    #[test]
    fn rejects_non_digits() {
        assert!(RevisionId::parse("").is_none());
        assert!(RevisionId::parse("04a").is_none());
        assert!(RevisionId::parse("-1").is_none());
    }

    #[test]
    fn successor_keeps_width() {
        assert_eq!(id("039").successor(3).as_str(), "040");
        assert_eq!(id("099").successor(3).as_str(), "100");
        assert_eq!(id("999").successor(3).as_str(), "1000");
        assert_eq!(id("9").successor(1).as_str(), "10");
        assert_eq!(id("0").successor(4).as_str(), "0001");
    }

    #[test]
    fn padding() {
        assert!(id("040").is_padded());
        assert!(!id("40").is_padded());
        assert!(!id("0").is_padded());
    }
}
