//! The diagnostic model, shared by every rule and rendered by one small module per format.

mod concise;
mod github;
mod human;
mod json;
mod rule;

use std::collections::BTreeMap;
use std::io::Write;

pub use rule::{Rule, Severity};

/// A place in a file. Lines and columns are 1-based, decided here once for every format.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The path as output shows it: relative, with `/`.
    pub path: String,
    /// The 1-based line.
    pub line: usize,
    /// The 1-based column, in characters.
    pub column: usize,
    /// How many characters to underline; `None` when the finding is about the whole file.
    pub span: Option<usize>,
}

impl Location {
    /// The file as a whole (reported at line 1, column 1).
    #[must_use]
    pub fn file(path: &str) -> Location {
        Location {
            path: path.to_owned(),
            line: 1,
            column: 1,
            span: None,
        }
    }

    /// A run of `span` characters starting at `line`:`column`.
    #[must_use]
    pub fn span(path: &str, line: usize, column: usize, span: usize) -> Location {
        Location {
            path: path.to_owned(),
            line,
            column,
            span: Some(span),
        }
    }
}

/// One finding: what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that found it.
    pub rule: Rule,
    /// One line that makes sense on its own: lower-case, no trailing period, ids in backticks.
    pub message: String,
    /// Where it is.
    pub location: Location,
    /// Other places involved, such as the other files of a duplicate.
    pub related: Vec<Location>,
    /// How to fix it.
    pub help: String,
}

impl Diagnostic {
    /// A diagnostic without related locations.
    #[must_use]
    pub fn new(
        rule: Rule,
        location: Location,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            message: message.into(),
            location,
            related: Vec::new(),
            help: help.into(),
        }
    }

    /// Adds related locations.
    #[must_use]
    pub fn with_related(mut self, related: Vec<Location>) -> Diagnostic {
        self.related = related;
        self
    }

    /// The severity, fixed by the rule.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }

    fn sort_key(&self) -> (&Location, Rule, &str) {
        (&self.location, self.rule, &self.message)
    }
}

/// Sorts diagnostics so that the same tree always prints the same bytes.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Coloured, with the offending line of the file.
    Human,
    /// One line each: `path:line:col: severity[name] message`.
    Concise,
    /// One JSON object (a stable contract, see the README).
    Json,
    /// GitHub Actions workflow commands, which annotate the pull request.
    Github,
}

/// The text of the files diagnostics point into, by displayed path, for showing the offending line.
pub type Sources = BTreeMap<String, String>;

/// A finished check: its sorted diagnostics and the counts the summary shows.
#[derive(Debug)]
pub struct Report<'a> {
    /// The findings, sorted.
    pub diagnostics: &'a [Diagnostic],
    /// How many revisions were loaded.
    pub revisions: usize,
    /// How many heads the graph has.
    pub heads: usize,
    /// The files' text, for the human format.
    pub sources: &'a Sources,
}

impl Report<'_> {
    /// How many findings have `severity`.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == severity)
            .count()
    }

    /// Writes the report in `format`.
    pub fn render(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Human => human::render(self, out),
            Format::Concise => concise::render(self, out),
            Format::Json => json::render(self, out),
            Format::Github => github::render(self, out),
        }
    }
}

/// `1 error`, `2 errors`: the one place plurals are made.
#[must_use]
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
