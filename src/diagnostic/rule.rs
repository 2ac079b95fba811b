//! The catalogue of diagnostics: each rule's stable name, short id and severity.

use std::fmt;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Fails `check`.
    Error,
    /// Fails `check` only with `--strict`.
    Warning,
}

impl Severity {
    /// The lower-case name used in every output format.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every rule `check` knows. Names and ids are a contract: never renumber or rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Two or more files share a revision number.
    DuplicateRevision,
    /// `revises` names a revision that does not exist.
    DanglingParent,
    /// The graph has more than one head.
    MultipleHeads,
    /// The graph has more than one root.
    MultipleRoots,
    /// Revisions revise each other in a loop.
    Cycle,
    /// A revision revises an older number while a newer one below it exists.
    StaleParent,
    /// A revision revises a higher number.
    ParentNotOlder,
    /// A `.sql` file whose name is not `<digits>_<slug>.sql`.
    InvalidFilename,
    /// A file that does not follow the migration format.
    MalformedFile,
    /// Revision numbers written with different zero-padding widths.
    MixedWidth,
    /// A name or prose that points at a migration by a number it no longer has.
    StaleReference,
    /// A revision added on this branch collides with, or skips, revisions the base gained.
    BehindBase,
    /// A revision that exists on the base was changed on this branch.
    EditedApplied,
    /// A revision that exists on the base was removed on this branch.
    DeletedApplied,
    /// `migrations/HEAD` disagrees with the graph, or holds merge conflict markers.
    HeadFileMismatch,
    /// An Alembic revision file assigns `revision`, `down_revision`, `depends_on` or
    /// `branch_labels` a value that cannot be read without running Python.
    UnreadableRevision,
    /// An Alembic file name's number differs from the `revision` it assigns.
    FilenameMismatch,
    /// An Alembic docstring's `Revision ID:` or `Revises:` disagrees with the code.
    StaleDocstring,
}

impl Rule {
    /// Every rule, in id order.
    pub const ALL: [Rule; 18] = [
        Rule::DuplicateRevision,
        Rule::DanglingParent,
        Rule::MultipleHeads,
        Rule::MultipleRoots,
        Rule::Cycle,
        Rule::StaleParent,
        Rule::ParentNotOlder,
        Rule::InvalidFilename,
        Rule::MalformedFile,
        Rule::MixedWidth,
        Rule::StaleReference,
        Rule::BehindBase,
        Rule::EditedApplied,
        Rule::DeletedApplied,
        Rule::HeadFileMismatch,
        Rule::UnreadableRevision,
        Rule::FilenameMismatch,
        Rule::StaleDocstring,
    ];

    /// The stable kebab-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Rule::DuplicateRevision => "duplicate-revision",
            Rule::DanglingParent => "dangling-parent",
            Rule::MultipleHeads => "multiple-heads",
            Rule::MultipleRoots => "multiple-roots",
            Rule::Cycle => "cycle",
            Rule::StaleParent => "stale-parent",
            Rule::ParentNotOlder => "parent-not-older",
            Rule::InvalidFilename => "invalid-filename",
            Rule::MalformedFile => "malformed-file",
            Rule::MixedWidth => "mixed-width",
            Rule::StaleReference => "stale-reference",
            Rule::BehindBase => "behind-base",
            Rule::EditedApplied => "edited-applied",
            Rule::DeletedApplied => "deleted-applied",
            Rule::HeadFileMismatch => "head-file-mismatch",
            Rule::UnreadableRevision => "unreadable-revision",
            Rule::FilenameMismatch => "filename-mismatch",
            Rule::StaleDocstring => "stale-docstring",
        }
    }

    /// The stable short id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Rule::DuplicateRevision => "M001",
            Rule::DanglingParent => "M002",
            Rule::MultipleHeads => "M003",
            Rule::MultipleRoots => "M004",
            Rule::Cycle => "M005",
            Rule::StaleParent => "M006",
            Rule::ParentNotOlder => "M007",
            Rule::InvalidFilename => "M008",
            Rule::MalformedFile => "M009",
            Rule::MixedWidth => "M010",
            Rule::StaleReference => "M011",
            Rule::BehindBase => "M012",
            Rule::EditedApplied => "M013",
            Rule::DeletedApplied => "M014",
            Rule::HeadFileMismatch => "M015",
            Rule::UnreadableRevision => "M016",
            Rule::FilenameMismatch => "M017",
            Rule::StaleDocstring => "M018",
        }
    }

    /// The rule's severity.
    #[must_use]
    pub fn severity(self) -> Severity {
        match self {
            Rule::MixedWidth | Rule::UnreadableRevision => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The family a rule belongs to, for readers that group findings: `stale-docstring` is a
    /// `stale-reference` found in the revision file itself. A rule outside any family is its own.
    #[must_use]
    pub fn family(self) -> Rule {
        match self {
            Rule::StaleDocstring => Rule::StaleReference,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case_and_ids_unique() {
        let mut ids: Vec<_> = Rule::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            assert!(
                rule.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                rule.name()
            );
        }
    }
}
