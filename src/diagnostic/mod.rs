//! The diagnostic model: findings, refusals and failures alike, with the catalogue of their
//! names and the one place their messages are worded.

pub(crate) mod foreign;
pub(crate) mod lint_rule;
pub(crate) mod refusal;
mod rule;
pub(crate) mod suppress;

use std::collections::BTreeMap;

pub(crate) use rule::{Kind, Rule, Severity};

/// A place in a file. Lines and columns are 1-based, decided here once for every format.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Location {
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
    pub(crate) fn file(path: &str) -> Location {
        Location {
            path: path.to_owned(),
            line: 1,
            column: 1,
            span: None,
        }
    }

    /// A run of `span` characters starting at `line`:`column`.
    #[must_use]
    pub(crate) fn span(path: &str, line: usize, column: usize, span: usize) -> Location {
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
pub(crate) struct Diagnostic {
    /// The rule that found it.
    pub rule: Rule,
    /// One line that makes sense on its own: lower-case, no trailing period, ids in backticks.
    pub message: String,
    /// Where it is; `None` for a refusal or failure that no file position explains.
    pub location: Option<Location>,
    /// Other places involved, such as the other files of a duplicate.
    pub related: Vec<Location>,
    /// How to fix it.
    pub help: String,
    /// The severity `[rules]` in migrate.toml gives the rule here, when it changes it.
    pub configured: Option<Severity>,
}

impl Diagnostic {
    /// A diagnostic at `location`, without related locations.
    #[must_use]
    pub(crate) fn new(
        rule: Rule,
        location: Location,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            location: Some(location),
            ..Diagnostic::general(rule, message, help)
        }
    }

    /// A diagnostic about the run as a whole, at no file position.
    #[must_use]
    pub(crate) fn general(
        rule: Rule,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            message: message.into(),
            location: None,
            related: Vec::new(),
            help: help.into(),
            configured: None,
        }
    }

    /// The path of the file it is about, if any.
    #[must_use]
    pub(crate) fn path(&self) -> Option<&str> {
        self.location.as_ref().map(|l| l.path.as_str())
    }

    /// Adds related locations.
    #[must_use]
    pub(crate) fn with_related(mut self, related: Vec<Location>) -> Diagnostic {
        self.related = related;
        self
    }

    /// The severity: the rule's, unless migrate.toml sets another for it.
    #[must_use]
    pub(crate) fn severity(&self) -> Severity {
        self.configured.unwrap_or_else(|| self.rule.severity())
    }

    fn sort_key(&self) -> (Option<&Location>, Rule, &str) {
        (self.location.as_ref(), self.rule, &self.message)
    }
}

/// Sorts diagnostics so that the same tree always prints the same bytes.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// The text of the files diagnostics point into, by displayed path, for showing the offending line.
pub(crate) type Sources = BTreeMap<String, String>;

pub(crate) use crate::words::plural;
