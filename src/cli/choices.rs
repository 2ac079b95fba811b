//! The options that take one of a few words, and the same words in `migrate.toml`.
// Doc comments here are printed by `--help` as plain text, where Markdown backticks would show.
#![allow(clippy::doc_markdown)]

use clap::ValueEnum;

/// How the migrations directory is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DirFormatChoice {
    /// Alembic when the directory holds `.py` files that assign `revision` and no `.sql` file.
    Auto,
    /// `<digits>_<slug>.sql` files with a `-- migrate:revises` header.
    Sql,
    /// Alembic's Python revision files, read without running them.
    Alembic,
    /// goose: `NNNNN_name.sql` with `-- +goose Up`; checked, not run.
    Goose,
    /// golang-migrate: `N_name.up.sql` and `.down.sql`; checked, not run.
    #[serde(rename = "golang-migrate")]
    GolangMigrate,
    /// sqlx: `<timestamp>_name.sql`, or `.up.sql` and `.down.sql`; checked, not run.
    Sqlx,
    /// dbmate: `<timestamp>_name.sql` with `-- migrate:up`; checked, not run.
    Dbmate,
    /// Flyway: `V<version>__name.sql`; checked, not run.
    Flyway,
    /// refinery: `V<n>__name.sql`; checked, not run.
    Refinery,
    /// diesel: `<timestamp>_name/up.sql` and `down.sql`; checked, not run.
    Diesel,
    /// Django: each app's `migrations/` package, read without importing it; checked, not run.
    Django,
}

/// Whether the path to the server keeps each session on one server connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PoolMode {
    /// Each session keeps its server connection: direct, a proxy, NAT, or a session pooler.
    Session,
    /// Sessions may move between server connections between transactions.
    Transaction,
}

/// When output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always colour, even into a pipe.
    Always,
    /// Never colour.
    Never,
}

/// How results and diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Coloured, with the offending line of the file.
    Human,
    /// One line a diagnostic: `path:line:col: severity[name] message`.
    Concise,
    /// One JSON document on stdout (a stable contract, see the README).
    Json,
    /// GitHub Actions workflow commands, which annotate the pull request.
    Github,
}
