//! The command line, as clap sees it: the doc comments here are the `--help` text.
// Doc comments here are printed by `--help` as plain text, where Markdown backticks would show.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Format;

/// A migration runner for PostgreSQL that refuses to merge two heads.
#[derive(Debug, Parser)]
#[command(name = "migrate", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The migrations directory [env: MIGRATE_DIR] [default: `dir` in migrate.toml, else migrations]
    #[arg(long, global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The configuration file [env: MIGRATE_CONFIG] [default: migrate.toml, when present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to colour the output; `auto` colours a terminal unless NO_COLOR is set
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// How to print diagnostics (for `check`, and for the refusals of `new`)
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
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

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the migrations offline: duplicates, heads, parents, file format
    Check(CheckArgs),
    /// Print the head revisions
    Heads(HeadsArgs),
    /// Print the revisions, newest first, in Alembic's form
    History(HistoryArgs),
    /// Print one revision in full
    Show(ShowArgs),
    /// Write the next revision file after the current head
    New(NewArgs),
    /// Create the migrations directory with a first revision
    Init(InitArgs),
}

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
}

/// Options of `heads`.
#[derive(Debug, Args)]
pub struct HeadsArgs {
    /// Also print each head's file and message
    #[arg(long, short)]
    pub verbose: bool,
}

/// Options of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only revisions from FROM to TO, both included (`base`, `head` or an id; either may be empty)
    #[arg(long, short = 'r', value_name = "FROM:TO")]
    pub rev_range: Option<String>,
    /// Print each revision's file, parents, full message and reversibility
    #[arg(long, short)]
    pub verbose: bool,
}

/// Options of `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A revision id, or `head`
    pub revision: String,
}

/// Options of `new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The revision's message; its slug becomes the file name
    pub message: String,
}

/// Options of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The first revision's message
    #[arg(default_value = "initial")]
    pub message: String,
}
