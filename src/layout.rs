//! The linear layouts of other tools: numbered files whose order is their version, with no
//! parent written down (goose, golang-migrate, sqlx, dbmate, Flyway, refinery, diesel).
//!
//! `migrate` reads these trees to gate them (`check`, `history`, `rebase`) and leaves running
//! them to their own tool; this file holds what is known of each tool, in one place.

use std::fmt;

/// A tool whose migrations form a line ordered by version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Layout {
    /// `NNNNN_name.sql` with `-- +goose Up` / `-- +goose Down` (or `.go` files).
    Goose,
    /// `N_name.up.sql` and `N_name.down.sql`.
    GolangMigrate,
    /// `<timestamp>_name.sql`, or `.up.sql` and `.down.sql`.
    Sqlx,
    /// `<timestamp>_name.sql` with `-- migrate:up` / `-- migrate:down`.
    Dbmate,
    /// `V<version>__name.sql`, `U<version>__name.sql` (undo), `R__name.sql` (repeatable).
    Flyway,
    /// `V<n>__name.sql` or `U<n>__name.sql` (unversioned), read recursively.
    Refinery,
    /// `<timestamp>_name/up.sql` and `down.sql`.
    Diesel,
}

impl Layout {
    /// The name `layout = "..."` and `--dir-format` take, and output prints.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        match self {
            Layout::Goose => "goose",
            Layout::GolangMigrate => "golang-migrate",
            Layout::Sqlx => "sqlx",
            Layout::Dbmate => "dbmate",
            Layout::Flyway => "flyway",
            Layout::Refinery => "refinery",
            Layout::Diesel => "diesel",
        }
    }

    /// The command that applies the tree, for help lines: `migrate` does not run these trees.
    #[must_use]
    pub(crate) fn upgrade_command(self) -> &'static str {
        match self {
            Layout::Goose => "goose up",
            Layout::GolangMigrate => "migrate -path <dir> -database <url> up",
            Layout::Sqlx => "sqlx migrate run",
            Layout::Dbmate => "dbmate up",
            Layout::Flyway => "flyway migrate",
            Layout::Refinery => "refinery migrate (or the application's runner)",
            Layout::Diesel => "diesel migration run",
        }
    }

    /// Whether the tool expects new versions to be timestamps (a rebase re-timestamps), rather
    /// than the next number.
    #[must_use]
    pub(crate) fn timestamps(self) -> bool {
        matches!(
            self,
            Layout::Sqlx | Layout::Dbmate | Layout::Diesel | Layout::Goose
        )
    }

    /// Whether revisions are directories (`<version>_name/up.sql`) rather than files.
    #[must_use]
    pub(crate) fn directories(self) -> bool {
        self == Layout::Diesel
    }

    /// Whether the tool reads subdirectories of the migrations directory too.
    #[must_use]
    pub(crate) fn recursive(self) -> bool {
        matches!(self, Layout::Refinery | Layout::Flyway)
    }

    /// What the tool does with a version merged below the database's newest one.
    #[must_use]
    pub(crate) fn out_of_order(self) -> &'static str {
        match self {
            Layout::Goose => "goose refuses it unless run with `-allow-missing`",
            Layout::GolangMigrate => "golang-migrate never applies it",
            Layout::Sqlx => "sqlx refuses to run unless `ignore_missing` is set",
            Layout::Dbmate => "dbmate applies it silently, out of order",
            Layout::Flyway => "Flyway refuses it unless `outOfOrder` is set",
            Layout::Refinery => "refinery refuses it unless `set_abort_missing(false)`",
            Layout::Diesel => "diesel applies it out of order",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
