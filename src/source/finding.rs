//! What a parser finds wrong in one file before it knows the file's path: one kind of finding
//! for every parser, turned into a diagnostic in one place.

use crate::diagnostic::{Diagnostic, Location, Rule};

/// One thing wrong with a file, at a 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// The rule it falls under.
    pub(crate) rule: Rule,
    /// The 1-based line.
    pub(crate) line: usize,
    /// The 1-based column, in characters.
    pub(crate) column: usize,
    /// How many characters to underline; 0 when the finding is about the file as a whole.
    pub(crate) span: usize,
    /// What is wrong.
    pub(crate) message: String,
    /// How to fix it.
    pub(crate) help: String,
}

impl Finding {
    /// The diagnostic for this finding in the file shown as `path`.
    pub(crate) fn at(&self, path: &str) -> Diagnostic {
        let location = Location {
            path: path.to_owned(),
            line: self.line,
            column: self.column,
            span: (self.span > 0).then_some(self.span),
        };
        Diagnostic::new(self.rule, location, &self.message, &self.help)
    }
}
