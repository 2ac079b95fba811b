//! The catalogue of diagnostics: each rule's stable name, short id and severity.

use std::fmt;

use super::lint_rule::LintRule;

mod catalogue;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    /// Fails `check`.
    Error,
    /// Fails `check` only with `--strict`.
    Warning,
}

impl Severity {
    /// The lower-case name used in every output format.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
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

/// What a rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Something wrong in the files, as `check` finds it.
    Finding,
    /// A command that would not go ahead (exit 1).
    Refusal,
    /// `migrate` could not do its job (exit 2).
    Failure,
}

/// Every rule `check` knows, every refusal and every failure. Names and ids are a contract: never renumber or rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Rule {
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
    /// The database holds a revision that no file here defines: it is ahead of the files.
    UnknownRevision,
    /// An applied revision's file changed since it was applied.
    ChecksumMismatch,
    /// A revision to revert has no down section.
    IrreversibleRevision,
    /// A psql variable the SQL uses has no value.
    MissingVariable,
    /// A `transaction:false` revision stopped part-way through.
    UnfinishedRevision,
    /// A write command on an Alembic tree, whose revisions are Python.
    AlembicWriteRefused,
    /// A write command refused because the migrations do not pass `check`.
    CheckFailed,
    /// A rebase refused because its result would not pass `check`.
    RebaseCheckFailed,
    /// `rebase` cannot tell which revisions to move, or is asked to move a shipped one.
    RebaseRefused,
    /// Both sides of a collision have shipped: only a merge revision repairs it.
    ShippedOnBothSides,
    /// A repair would write outside the repository, or through something not a regular file.
    WriteOutsideRepository,
    /// A temporary file an interrupted `rebase` or `check --fix` left behind.
    LeftoverTemporaryFile,
    /// `--single-transaction` meets a `transaction:false` section.
    SingleTransactionConflict,
    /// A revision's SQL failed on the server; the run stopped there.
    RevisionFailed,
    /// `current --check-heads`: the database is not at every head.
    NotAtHeads,
    /// A listing of migrations that `check` would refuse.
    InvalidMigrations,
    /// `new` needs exactly one head.
    SeveralHeads,
    /// `init` on a directory that already holds migrations.
    AlreadyInitialized,
    /// The migrations directory does not exist.
    MissingDirectory,
    /// The command line asks for something that cannot be done as written.
    UsageError,
    /// A revision named on the command line does not exist.
    UnknownTarget,
    /// A file or directory could not be read or written.
    IoError,
    /// The configuration file is invalid.
    InvalidConfig,
    /// The database could not be reached or refused a request.
    DatabaseError,
    /// git could not answer, or a ref does not exist.
    GitError,
    /// The results could not be written.
    OutputError,
    /// A signal stopped the run.
    Interrupted,
    /// A writing command through a pooler that moves sessions between server connections.
    PooledConnection,
    /// Revision files in a subdirectory that the settings do not read.
    UnreadDirectory,
    /// A suppression comment that suppresses nothing.
    UnusedIgnore,
    /// A command that acts on one tree found several.
    SeveralTrees,
    /// `merge` with fewer than two heads.
    NothingToMerge,
    /// `verify`: the catalog after a revision's downgrade differs from before its upgrade.
    DowngradeLeavesTrace,
    /// `verify`: the catalog after a second upgrade differs from after the first.
    UpgradeNotRepeatable,
    /// `verify`: a revision's up SQL failed.
    UpgradeFailed,
    /// `verify`: a revision's down SQL failed.
    DowngradeFailed,
    /// `verify`: a fixture does not load at the target, or its cleanup leaves rows.
    FixtureFailed,
    /// One of squawk's rules, reported under `lint/`.
    Lint(LintRule),
    /// A statement that cannot run inside a transaction, in a transactional section.
    ConcurrentlyInTransaction,
    /// A `transaction:false` section with more than one statement.
    MixedTransactionStatements,
    /// An `ACCESS EXCLUSIVE` lock on an existing table with `lock_timeout` turned off.
    MissingLockTimeout,
    /// SQL that squawk's parser cannot read, so lint may miss what it holds.
    UnparsableSql,
    /// SQL that needs a newer PostgreSQL than `pg_version` in migrate.toml.
    NewerThanPgVersion,
    /// A fleet's target list that is empty or names a target twice.
    InvalidTargets,
    /// A fleet run that left targets unstarted: a canary failed, or `--max-failures` did.
    FleetStopped,
    /// A file in another tool's migrations directory that the tool would skip or refuse for
    /// its name.
    SkippedFile,
    /// One half of another tool's up/down pair without the other.
    UnpairedMigration,
    /// A command that runs migrations, on another tool's tree.
    ForeignWriteRefused,
}

impl Rule {
    /// Every rule, in id order.
    pub(crate) const ALL: [Rule; 65] = [
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
        Rule::UnknownRevision,
        Rule::ChecksumMismatch,
        Rule::IrreversibleRevision,
        Rule::MissingVariable,
        Rule::UnfinishedRevision,
        Rule::AlembicWriteRefused,
        Rule::CheckFailed,
        Rule::RebaseCheckFailed,
        Rule::RebaseRefused,
        Rule::SingleTransactionConflict,
        Rule::RevisionFailed,
        Rule::NotAtHeads,
        Rule::InvalidMigrations,
        Rule::SeveralHeads,
        Rule::AlreadyInitialized,
        Rule::MissingDirectory,
        Rule::UsageError,
        Rule::UnknownTarget,
        Rule::IoError,
        Rule::InvalidConfig,
        Rule::DatabaseError,
        Rule::GitError,
        Rule::OutputError,
        Rule::Interrupted,
        Rule::PooledConnection,
        Rule::UnreadDirectory,
        Rule::UnusedIgnore,
        Rule::SeveralTrees,
        Rule::NothingToMerge,
        Rule::DowngradeLeavesTrace,
        Rule::UpgradeNotRepeatable,
        Rule::UpgradeFailed,
        Rule::DowngradeFailed,
        Rule::FixtureFailed,
        Rule::ConcurrentlyInTransaction,
        Rule::MixedTransactionStatements,
        Rule::MissingLockTimeout,
        Rule::UnparsableSql,
        Rule::ShippedOnBothSides,
        Rule::WriteOutsideRepository,
        Rule::LeftoverTemporaryFile,
        Rule::NewerThanPgVersion,
        Rule::InvalidTargets,
        Rule::FleetStopped,
        Rule::SkippedFile,
        Rule::UnpairedMigration,
        Rule::ForeignWriteRefused,
    ];

    /// The rule's severity.
    #[must_use]
    pub(crate) fn severity(self) -> Severity {
        match self {
            Rule::MixedWidth
            | Rule::UnreadableRevision
            | Rule::InvalidMigrations
            | Rule::UnreadDirectory
            | Rule::UnusedIgnore
            | Rule::Lint(_)
            | Rule::MixedTransactionStatements
            | Rule::MissingLockTimeout
            | Rule::UnparsableSql
            | Rule::LeftoverTemporaryFile => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What kind of outcome the rule names: a finding about the files, a refused command, or a
    /// failure of `migrate` itself.
    #[must_use]
    pub(crate) fn kind(self) -> Kind {
        match self {
            Rule::UnknownRevision
            | Rule::ChecksumMismatch
            | Rule::IrreversibleRevision
            | Rule::MissingVariable
            | Rule::UnfinishedRevision
            | Rule::AlembicWriteRefused
            | Rule::CheckFailed
            | Rule::RebaseCheckFailed
            | Rule::RebaseRefused
            | Rule::ShippedOnBothSides
            | Rule::WriteOutsideRepository
            | Rule::SingleTransactionConflict
            | Rule::RevisionFailed
            | Rule::NotAtHeads
            | Rule::InvalidMigrations
            | Rule::SeveralHeads
            | Rule::AlreadyInitialized
            | Rule::Interrupted
            | Rule::PooledConnection
            | Rule::SeveralTrees
            | Rule::NothingToMerge
            | Rule::InvalidTargets
            | Rule::FleetStopped
            | Rule::ForeignWriteRefused => Kind::Refusal,
            Rule::MissingDirectory
            | Rule::UsageError
            | Rule::UnknownTarget
            | Rule::IoError
            | Rule::InvalidConfig
            | Rule::DatabaseError
            | Rule::GitError
            | Rule::OutputError => Kind::Failure,
            _ => Kind::Finding,
        }
    }

    /// The family a rule belongs to, for readers that group findings: `stale-docstring` is a
    /// `stale-reference` found in the revision file itself. A rule outside any family is its own.
    #[must_use]
    pub(crate) fn family(self) -> Rule {
        match self {
            Rule::StaleDocstring => Rule::StaleReference,
            other => other,
        }
    }

    /// The family's name: `lint` for squawk's rules and `migrate`'s own lint rules.
    #[must_use]
    pub(crate) fn family_name(self) -> &'static str {
        match self {
            Rule::Lint(_)
            | Rule::ConcurrentlyInTransaction
            | Rule::MixedTransactionStatements
            | Rule::MissingLockTimeout
            | Rule::UnparsableSql
            | Rule::NewerThanPgVersion => "lint",
            other => other.family().name(),
        }
    }
}

#[cfg(test)]
mod tests;
