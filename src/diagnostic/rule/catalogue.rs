//! Each rule's stable name and short id.

use super::super::lint_rule::{self, LintRule};
use super::Rule;

impl Rule {
    /// The rule with this name, as migrate.toml and suppression comments write it.
    #[must_use]
    pub(crate) fn from_name(name: &str) -> Option<Rule> {
        if name.starts_with(lint_rule::PREFIX) {
            return LintRule::from_name(name).map(Rule::Lint);
        }
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// The stable kebab-case name.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
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
            Rule::UnknownRevision => "unknown-revision",
            Rule::ChecksumMismatch => "checksum-mismatch",
            Rule::IrreversibleRevision => "irreversible-revision",
            Rule::MissingVariable => "missing-variable",
            Rule::UnfinishedRevision => "unfinished-revision",
            Rule::AlembicWriteRefused => "alembic-write-refused",
            Rule::CheckFailed => "check-failed",
            Rule::RebaseCheckFailed => "rebase-check-failed",
            Rule::RebaseRefused => "rebase-refused",
            Rule::SingleTransactionConflict => "single-transaction-conflict",
            Rule::RevisionFailed => "revision-failed",
            Rule::NotAtHeads => "not-at-heads",
            Rule::InvalidMigrations => "invalid-migrations",
            Rule::SeveralHeads => "several-heads",
            Rule::AlreadyInitialized => "already-initialized",
            Rule::MissingDirectory => "missing-directory",
            Rule::UsageError => "usage-error",
            Rule::UnknownTarget => "unknown-target",
            Rule::IoError => "io-error",
            Rule::InvalidConfig => "invalid-config",
            Rule::DatabaseError => "database-error",
            Rule::GitError => "git-error",
            Rule::OutputError => "output-error",
            Rule::Interrupted => "interrupted",
            Rule::PooledConnection => "pooled-connection",
            Rule::UnreadDirectory => "unread-directory",
            Rule::UnusedIgnore => "unused-ignore",
            Rule::SeveralTrees => "several-trees",
            Rule::NothingToMerge => "nothing-to-merge",
            Rule::DowngradeLeavesTrace => "downgrade-leaves-trace",
            Rule::UpgradeNotRepeatable => "upgrade-not-repeatable",
            Rule::UpgradeFailed => "upgrade-failed",
            Rule::DowngradeFailed => "downgrade-failed",
            Rule::FixtureFailed => "fixture-failed",
            Rule::Lint(rule) => rule.name(),
            Rule::ConcurrentlyInTransaction => "concurrently-in-transaction",
            Rule::MixedTransactionStatements => "mixed-transaction-statements",
            Rule::MissingLockTimeout => "missing-lock-timeout",
            Rule::UnparsableSql => "unparsable-sql",
            Rule::ShippedOnBothSides => "shipped-on-both-sides",
            Rule::WriteOutsideRepository => "write-outside-repository",
            Rule::LeftoverTemporaryFile => "leftover-temporary-file",
            Rule::NewerThanPgVersion => "newer-than-pg-version",
        }
    }

    /// The stable short id.
    #[must_use]
    pub(crate) fn id(self) -> &'static str {
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
            Rule::UnknownRevision => "M019",
            Rule::ChecksumMismatch => "M020",
            Rule::IrreversibleRevision => "M021",
            Rule::MissingVariable => "M022",
            Rule::UnfinishedRevision => "M023",
            Rule::AlembicWriteRefused => "M024",
            Rule::CheckFailed => "M025",
            Rule::RebaseCheckFailed => "M026",
            Rule::RebaseRefused => "M027",
            Rule::SingleTransactionConflict => "M028",
            Rule::RevisionFailed => "M029",
            Rule::NotAtHeads => "M030",
            Rule::InvalidMigrations => "M031",
            Rule::SeveralHeads => "M032",
            Rule::AlreadyInitialized => "M033",
            Rule::MissingDirectory => "M101",
            Rule::UsageError => "M102",
            Rule::UnknownTarget => "M103",
            Rule::IoError => "M104",
            Rule::InvalidConfig => "M105",
            Rule::DatabaseError => "M106",
            Rule::GitError => "M107",
            Rule::OutputError => "M108",
            Rule::Interrupted => "M034",
            Rule::PooledConnection => "M035",
            Rule::UnreadDirectory => "M036",
            Rule::UnusedIgnore => "M037",
            Rule::SeveralTrees => "M038",
            Rule::NothingToMerge => "M039",
            Rule::DowngradeLeavesTrace => "M040",
            Rule::UpgradeNotRepeatable => "M041",
            Rule::UpgradeFailed => "M042",
            Rule::DowngradeFailed => "M043",
            Rule::FixtureFailed => "M044",
            // squawk's rules share the id of their family: squawk may add or rename rules,
            // and an id, once given, is never taken back.
            Rule::Lint(_) => "M045",
            Rule::ConcurrentlyInTransaction => "M046",
            Rule::MixedTransactionStatements => "M047",
            Rule::MissingLockTimeout => "M048",
            Rule::UnparsableSql => "M049",
            Rule::ShippedOnBothSides => "M050",
            Rule::WriteOutsideRepository => "M051",
            Rule::LeftoverTemporaryFile => "M052",
            Rule::NewerThanPgVersion => "M053",
        }
    }
}
