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
mod fleet_text;
mod fleet_view;
mod github;
mod human;
mod json;
mod json_entry;
mod json_fleet;
mod json_revision;
mod progress;
mod snippet;
mod text;
mod view;

use std::io::{self, Write};

pub(crate) use crate::words::human_duration;
pub(crate) use fleet_view::{Fleet, FleetStop, FleetTarget, TargetPosition, TargetStatus};
pub(crate) use progress::Progress;
pub(crate) use view::{
    Body, Change, Current, Fixes, Mark, Row, RowState, Run, RunServer, SchemaObject, Step,
    StepStatus, Style, TreeCount,
};

use crate::diagnostic::{Diagnostic, Kind, Severity, Sources};
use crate::project::Project;

pub(crate) use crate::cli::Format;

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
    /// `check`'s report of `diagnostics` about `project`, sorted: what `check` prints, and what a
    /// command that refuses an invalid tree prints before its refusal.
    #[must_use]
    pub(crate) fn of_findings(
        command: &'static str,
        project: &Project,
        diagnostics: Vec<Diagnostic>,
    ) -> Report {
        let body = Body::Check {
            revisions: project.revisions.len(),
            heads: project.graph.heads().len(),
            trees: Vec::new(),
            fixes: None,
            linted: None,
        };
        Report::new(command, body).with_findings(&project.sources, diagnostics)
    }

    /// The report with `diagnostics`, sorted, and the text of each file they point into.
    #[must_use]
    pub(crate) fn with_findings(
        mut self,
        sources: &Sources,
        mut diagnostics: Vec<Diagnostic>,
    ) -> Report {
        crate::diagnostic::sort(&mut diagnostics);
        for diagnostic in &diagnostics {
            // Each file's text once, however many findings point into it.
            if let Some(path) = diagnostic.path()
                && !self.sources.contains_key(path)
                && let Some(text) = sources.get(path)
            {
                self.sources.insert(path.to_owned(), text.clone());
            }
        }
        self.diagnostics = diagnostics;
        self
    }

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
