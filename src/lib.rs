//! `migrate`: a migration runner for PostgreSQL whose offline `check` refuses two heads.
//!
//! The crate is a library with a thin binary. This file is the table of contents:
//! each concept lives in the module named after it.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod alembic_config;
pub mod alembic_status;
pub mod base;
pub mod check;
pub mod cli;
pub mod commands;
pub mod database;
pub mod diagnostic;
pub mod error;
pub mod git;
pub mod graph;
pub mod head_file;
pub mod listing;
pub mod parallel;
pub mod plan;
pub mod project;
pub mod rebase;
pub mod references;
pub mod relpath;
pub mod repository;
pub mod revision;
pub mod settings;
pub mod slug;
pub mod source;
pub mod sql;

pub use commands::Outcome;
pub use error::Error;

/// Runs one parsed command line to its outcome.
pub fn run(cli: &cli::Cli) -> Result<Outcome, Error> {
    let settings = settings::Settings::resolve(&cli.global)?;
    commands::run(&settings, &cli.command)
}
