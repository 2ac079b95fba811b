//! The wording of every refusal and failure, in one place: why a command did not go ahead, and
//! what to do about it. Findings about the files are worded by their rules in `check/`.

use std::error::Error as _;

use super::{Diagnostic, Location, Rule, plural};
use crate::Error;
use crate::revision::DirFormat;
use crate::signal::Signal;

/// `` `a`, `b` ``: names in backticks, joined.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A write command on an Alembic tree.
pub(crate) fn alembic_write(dir: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::AlembicWriteRefused,
        format!("`{dir}` holds Alembic revisions, and migrate does not execute Python migrations"),
        "run them with `alembic`; `migrate current --check-heads` checks the result",
    )
}

/// A write command on migrations that fail `check`.
pub(crate) fn check_failed() -> Diagnostic {
    Diagnostic::general(
        Rule::CheckFailed,
        "the migrations do not pass `migrate check`, so nothing was run",
        "fix the findings above, then rerun",
    )
}

/// An applied file that changed since.
pub(crate) fn checksum_mismatch(
    path: &str,
    applied_on: &str,
    stored: &str,
    now: &str,
) -> Diagnostic {
    Diagnostic::new(
        Rule::ChecksumMismatch,
        Location::file(path),
        format!(
            "`{path}` changed since it was applied on {applied_on} (checksum {stored} in the database, {now} now)"
        ),
        format!(
            "an applied migration must not be edited: restore the file as it was (`git log -p -- {path}`) and write the change as a new revision"
        ),
    )
}

/// A history row no file knows: the database is ahead of this checkout.
pub(crate) fn unknown_revision(id: &str, file: &str, applied_on: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::UnknownRevision,
        format!(
            "the database has revision `{id}` ({file}, applied {applied_on}), which no file here knows: the database is ahead of these migrations"
        ),
        "deploy the release that has that file; or undo it with `migrate downgrade`, which uses the down SQL stored when it was applied; or pass `--allow-unknown` to upgrade anyway",
    )
}

/// An id in `alembic_version` that no file defines.
pub(crate) fn unknown_alembic_revision(id: &str, dir: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::UnknownRevision,
        format!("the database is at `{id}`, which no file in `{dir}` defines"),
        "deploy the release that has that revision, or check that `--dir` names the right versions directory",
    )
}

/// Which way an unfinished revision was going.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Unfinished {
    /// `downgrade` refuses while an upgrade is unfinished.
    UpgradeBlocksDowngrade,
    /// `upgrade` refuses while a downgrade is unfinished.
    DowngradeBlocksUpgrade,
    /// `current` reports an unfinished upgrade.
    Upgrade,
    /// `current` reports an unfinished downgrade.
    Downgrade,
}

/// A `transaction:false` revision that stopped part-way.
pub(crate) fn unfinished(id: &str, done: usize, error: &str, which: Unfinished) -> Diagnostic {
    let ran = plural(done, "statement");
    let (message, help) = match which {
        Unfinished::UpgradeBlocksDowngrade => (
            format!("revision `{id}` stopped part-way through its upgrade ({ran} ran)"),
            "finish it with `migrate upgrade`, or undo those statements by hand and run `migrate stamp` to clear the record".to_owned(),
        ),
        Unfinished::DowngradeBlocksUpgrade => (
            format!("revision `{id}` stopped part-way through a downgrade ({ran} ran): {error}"),
            "finish it with `migrate downgrade` first".to_owned(),
        ),
        Unfinished::Upgrade => (
            format!("revision `{id}` stopped part-way ({ran} of its up section ran): {error}"),
            "rerun `migrate upgrade` to continue".to_owned(),
        ),
        Unfinished::Downgrade => (
            format!("revision `{id}` stopped part-way ({ran} of its down section ran): {error}"),
            "rerun `migrate downgrade` to continue".to_owned(),
        ),
    };
    Diagnostic::general(Rule::UnfinishedRevision, message, help)
}

/// A revision to revert without a down section.
pub(crate) fn irreversible(label: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::IrreversibleRevision,
        format!(
            "`{label}` cannot be reverted: it has no `-- migrate:down` section with SQL to run; nothing was run"
        ),
        "write its down section, or `migrate stamp` past it if the database no longer needs undoing",
    )
}

/// Variables the SQL uses without a value, as the file writes them (`:'NAME'`, `:"NAME"`).
pub(crate) fn missing_variable(label: &str, uses: &[String]) -> Diagnostic {
    Diagnostic::general(
        Rule::MissingVariable,
        format!(
            "`{label}` uses {} without a value; nothing was run",
            quoted(uses)
        ),
        "pass `--set NAME=VALUE`, or set the environment variable NAME",
    )
}

/// `--single-transaction` with a `transaction:false` section.
pub(crate) fn single_transaction(label: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::SingleTransactionConflict,
        format!(
            "`{label}` runs outside a transaction (`transaction:false`), which `--single-transaction` cannot include; nothing was run"
        ),
        "run without `--single-transaction`",
    )
}

/// A revision whose SQL failed. `message` is the server's error as the runner worded it, and
/// `done` the revisions already done before it, which stay in place.
pub(crate) fn revision_failed(
    label: &str,
    message: &str,
    done: &[String],
    verb: &str,
) -> Diagnostic {
    let help = if done.is_empty() {
        "fix the cause and rerun the same command".to_owned()
    } else {
        format!(
            "{verb} before the failure, and still in place: {}; fix the cause and rerun the same command",
            done.join(", ")
        )
    };
    Diagnostic::general(
        Rule::RevisionFailed,
        format!("`{label}` failed: {message}"),
        help,
    )
}

/// A signal stopped the run while `label` ran: its statement was cancelled on the server.
pub(crate) fn interrupted(
    signal: Signal,
    label: &str,
    message: &str,
    done: &[String],
) -> Diagnostic {
    Diagnostic::general(
        Rule::Interrupted,
        format!(
            "interrupted by {} while `{label}` ran: {message}",
            signal.name()
        ),
        still_in_place(done),
    )
}

/// A signal stopped the run between revisions, before `label` started.
pub(crate) fn interrupted_before(signal: Signal, label: &str, done: &[String]) -> Diagnostic {
    Diagnostic::general(
        Rule::Interrupted,
        format!(
            "interrupted by {} before `{label}` started: nothing of it ran",
            signal.name()
        ),
        still_in_place(done),
    )
}

fn still_in_place(done: &[String]) -> String {
    if done.is_empty() {
        "nothing of this run stays applied; rerun the same command when ready".to_owned()
    } else {
        format!(
            "done before the signal, and still in place: {}; rerun the same command to go on",
            done.join(", ")
        )
    }
}

/// A writing command through a pooler that moves sessions between server connections.
pub(crate) fn pooled(database: &str, port: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::PooledConnection,
        format!(
            "{database} goes through a connection pooler that moves sessions between server connections \
             (transaction pooling, as in PgBouncer's `pool_mode = transaction`): the migration lock would be \
             left on a server connection this run does not own, so nothing was run or locked"
        ),
        format!(
            "run migrations with a direct URL to the server, or through a session-pooled one (PgBouncer's \
             `pool_mode = session`), not the application's pooled URL on port {port}"
        ),
    )
}

/// A `transaction:false` section on a path that may move the session: its statements and the
/// progress recorded after each need one server connection throughout.
pub(crate) fn pooled_session_needed(database: &str, file: &str, why: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::PooledConnection,
        format!(
            "{file} has a `transaction:false` section, which needs a session that stays on one server connection, \
             and the path to {database} may move sessions between server connections ({why}): nothing was run"
        ),
        "run it with a direct URL to the server; if this path does keep sessions (a session pooler, a proxy, NAT), \
         say so with `--pool-mode session` or `pool_mode = \"session\"` in migrate.toml",
    )
}

/// `current --check-heads` on a database behind the files.
pub(crate) fn not_at_heads(format: DirFormat) -> Diagnostic {
    Diagnostic::general(
        Rule::NotAtHeads,
        "`--check-heads`: the database is not at every head",
        match format {
            DirFormat::Sql => "run `migrate upgrade head`".to_owned(),
            // `migrate` does not run Python revisions: Alembic does.
            DirFormat::Alembic => "run `alembic upgrade heads`".to_owned(),
            DirFormat::Linear(layout) => format!("run `{}`", layout.upgrade_command()),
            DirFormat::Django => "run `python manage.py migrate`".to_owned(),
        },
    )
}

/// A listing of migrations that `check` would refuse.
pub(crate) fn invalid_migrations(errors: usize) -> Diagnostic {
    Diagnostic::general(
        Rule::InvalidMigrations,
        format!("the migrations have {}", plural(errors, "error")),
        "run `migrate check` for details",
    )
}

/// `new` with more than one head, or none.
pub(crate) fn several_heads(heads: usize) -> Diagnostic {
    Diagnostic::general(
        Rule::SeveralHeads,
        format!("`new` needs exactly one head, and there are {heads}"),
        "resolve them first: `migrate rebase`, or a merge revision",
    )
}

/// `merge` with fewer than two heads.
pub(crate) fn nothing_to_merge(heads: usize) -> Diagnostic {
    Diagnostic::general(
        Rule::NothingToMerge,
        format!(
            "`merge` joins two heads or more, and there {}",
            if heads == 1 {
                "is 1".to_owned()
            } else {
                format!("are {heads}")
            }
        ),
        "nothing to do: the tree has one line of revisions",
    )
}

/// `init` on a directory with migrations.
pub(crate) fn already_initialized(dir: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::AlreadyInitialized,
        format!("`{dir}` already holds migrations"),
        "add one with `migrate new MESSAGE`",
    )
}

/// `rebase` cannot go ahead as asked. `reason` is worded `problem; what to do`, and the part
/// after the last `; ` becomes the help line.
pub(crate) fn rebase_refused(reason: &str) -> Diagnostic {
    let (message, help) = reason.rsplit_once("; ").unwrap_or((
        reason,
        "name the revisions to move (`migrate rebase 040_add_readonly_role`), or pass `--onto REF` with the base branch",
    ));
    Diagnostic::general(Rule::RebaseRefused, message, help)
}

/// A collision whose two sides have both shipped: renumbering either would rename a revision
/// that databases may have recorded.
pub(crate) fn shipped_on_both_sides(ours: &str, theirs: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::ShippedOnBothSides,
        format!(
            "both sides of this collision have shipped: {ours}, and {theirs}; renumbering either would rename a revision that databases may have recorded"
        ),
        "keep both and join them with a merge revision: `migrate merge`, then commit",
    )
}

/// A repair that would write `shown` where it may not: `why` says where it really leads.
pub(crate) fn write_outside_repository(shown: &str, why: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::WriteOutsideRepository,
        format!("refusing to write `{shown}`: {why}; nothing was written"),
        "a repair writes only regular files inside the repository: remove the link, or run migrate from the repository that holds the tree",
    )
}

/// A command that acts on one tree, where discovery found several.
pub(crate) fn several_trees(trees: &[String]) -> Diagnostic {
    Diagnostic::general(
        Rule::SeveralTrees,
        format!(
            "this repository has {}: {}; this command acts on one",
            plural(trees.len(), "migration tree"),
            trees
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "choose one with `--dir` (or `MIGRATE_DIR`), or set `dir` in migrate.toml; `migrate check` checks them all",
    )
}

/// A rebase whose result would not pass `check`.
pub(crate) fn rebase_check_failed() -> Diagnostic {
    Diagnostic::general(
        Rule::RebaseCheckFailed,
        "after this rebase the migrations would not pass `migrate check`, so nothing was changed",
        "fix the findings above first, or name other revisions to move",
    )
}

/// A fleet's target list that cannot run: empty, or naming one target twice.
pub(crate) fn invalid_targets(message: &str, location: Option<Location>) -> Diagnostic {
    Diagnostic {
        location,
        ..Diagnostic::general(
            Rule::InvalidTargets,
            message,
            "list each database or schema once; nothing was run on any target",
        )
    }
}

/// A fleet run that started no more targets.
pub(crate) fn fleet_stopped(message: &str, help: &str) -> Diagnostic {
    Diagnostic::general(Rule::FleetStopped, message, help)
}

/// `migrate` itself failed: the error and its causes, as one diagnostic for the JSON document.
pub(crate) fn failure(error: &Error) -> Diagnostic {
    let rule = match error {
        Error::MissingDir { .. } | Error::NotADir { .. } => Rule::MissingDirectory,
        Error::Io { .. } => Rule::IoError,
        Error::Config { .. } | Error::ConfigValue { .. } => Rule::InvalidConfig,
        Error::Usage(_) => Rule::UsageError,
        Error::UnknownRevision(_) => Rule::UnknownTarget,
        Error::Database(_) | Error::LockHeld(_) => Rule::DatabaseError,
        Error::Git(_) => Rule::GitError,
        Error::Output(_) => Rule::OutputError,
        Error::Interrupted(_) => Rule::Interrupted,
    };
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        message.push_str(": ");
        message.push_str(inner.to_string().trim_end());
        cause = inner.source();
    }
    Diagnostic::general(rule, message, error.help())
}
