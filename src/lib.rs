//! `migrate`: a migration runner for PostgreSQL whose offline `check` refuses two heads.
//!
//! The crate is a library with a thin binary. This file is the table of contents:
//! each concept lives in the module named after it.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod check;
pub mod cli;
pub mod collision;
pub mod commands;
pub mod database;
pub mod diagnostic;
pub mod error;
pub mod graph;
pub mod output;
pub mod parallel;
pub mod project;
pub mod relpath;
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
