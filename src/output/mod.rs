//! What commands print: the one output model (`Report`), rendered by one module per format,
//! and the progress stream that goes to stderr beside it.
//!
//! A command builds a `Report` and never prints. Its diagnostics go where their kind says: a
//! finding is `check`'s result and goes to stdout; a refusal or a failure explains why the
//! command stopped and goes to stderr, as errors do. In JSON mode stdout holds one document
//! with everything in it, and nothing else.

pub(crate) mod alembic_text;
mod concise;
mod diff;
pub(crate) mod escape;
mod github;
mod human;
mod json;
mod progress;
mod snippet;
mod text;
mod view;

use std::io::{self, Write};

pub(crate) use progress::{Progress, human_duration};
pub(crate) use view::{
    Body, Change, Current, Fixes, Mark, Row, RowState, Run, SchemaObject, Step, StepStatus, Style,
    TreeCount,
};

use crate::diagnostic::{Diagnostic, Kind, Severity, Sources};

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

/// Everything one command reports: its result, its diagnostics, and whether it failed.
#[derive(Debug)]
pub(crate) struct Report {
    /// The subcommand, as the JSON document names it.
    pub command: &'static str,
    /// The command's own result.
    pub body: Body,
    /// Findings, refusals and failures, in the order they are printed.
    pub diagnostics: Vec<Diagnostic>,
    /// The text of the files diagnostics point into, for the human format.
    pub sources: Sources,
    /// Set when the command fails although no diagnostic is an error (`check --strict`).
    failed: bool,
}

impl Report {
    /// A report with a result and nothing wrong yet.
    #[must_use]
    pub(crate) fn new(command: &'static str, body: Body) -> Report {
        Report {
            command,
            body,
            diagnostics: Vec::new(),
            sources: Sources::new(),
            failed: false,
        }
    }

    /// A command that stopped before it had a result, for one reason.
    #[must_use]
    pub(crate) fn refused(command: &'static str, diagnostic: Diagnostic) -> Report {
        let mut report = Report::new(command, Body::Nothing);
        report.diagnostics.push(diagnostic);
        report
    }

    /// Adds a diagnostic; an error-level one makes the command fail.
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Makes the command fail even without an error-level diagnostic.
    pub(crate) fn fail(&mut self) {
        self.failed = true;
    }

    /// Whether the command ends with exit status 1.
    #[must_use]
    pub(crate) fn failed(&self) -> bool {
        self.failed || self.count(Severity::Error) > 0
    }

    /// How many diagnostics have `severity`.
    #[must_use]
    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == severity)
            .count()
    }

    /// The findings: what `check` reports about the files.
    fn findings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.rule.kind() == Kind::Finding)
    }

    /// The refusals and failures: why the command stopped.
    fn refusals(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.rule.kind() != Kind::Finding)
    }

    /// Prints the report in `format`: results on `out`, refusals on `err` (but in JSON).
    pub(crate) fn render(
        &self,
        format: Format,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<()> {
        match format {
            Format::Human => human::render(self, out, err),
            Format::Concise => concise::render(self, out, err),
            Format::Json => json::render(self, out),
            Format::Github => github::render(self, out),
        }?;
        out.flush()
    }
}
