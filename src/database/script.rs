//! SQL ready to send: a section's text as written, its statements, and the text with the
//! variables bound, with the line of the file each byte came from.

use std::fmt;

use crate::sql::{Bound, Lexed, Variables, lex, line_of};

/// Where a script's SQL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A revision file, by its displayed path.
    File(String),
    /// The down SQL stored in the database when a revision no file knows was applied.
    Stored { label: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => f.write_str(path),
            Origin::Stored { label } => {
                write!(f, "the down SQL of {label} stored in the database")
            }
        }
    }
}

/// SQL ready to send: the text as written, its statements, and the text with variables bound.
pub(crate) struct Script<'a> {
    /// Where the SQL comes from, for messages and locations.
    pub origin: Origin,
    pub sql: &'a str,
    /// The line of the origin on which `sql` starts.
    pub first_line: usize,
    pub transaction: bool,
    pub lexed: Lexed,
    pub bound: Bound,
    /// The statements of the bound text, one for one with those of `lexed`.
    pub(super) bound_lexed: Lexed,
}

impl<'a> Script<'a> {
    /// Lexes and binds `sql`; `Err` lists the variables without a value.
    pub(crate) fn new(
        origin: Origin,
        sql: &'a str,
        first_line: usize,
        transaction: bool,
        variables: &Variables,
    ) -> Result<Script<'a>, Vec<String>> {
        let lexed = lex(sql);
        let bound = variables
            .bind(sql, &lexed)
            .ok_or_else(|| variables.missing(&lexed))?;
        let bound_lexed = lex(&bound.text);
        Ok(Script {
            origin,
            sql,
            first_line,
            transaction,
            lexed,
            bound,
            bound_lexed,
        })
    }

    pub(super) fn statement_count(&self) -> usize {
        self.lexed.statements.len()
    }

    /// The 1-based line in the origin of byte `offset` of `sql`.
    pub(super) fn line(&self, offset: usize) -> usize {
        self.first_line + line_of(self.sql, offset) - 1
    }

    pub(super) fn statement_line(&self, index: usize) -> usize {
        self.lexed
            .statements
            .get(index)
            .map_or(self.first_line, |s| self.line(s.start))
    }

    /// The first `done` statements as written, joined, to recognise them on a rerun.
    pub(super) fn done_sql(&self, done: usize) -> String {
        self.lexed
            .statements
            .iter()
            .take(done)
            .map(|s| s.text(self.sql))
            .collect::<Vec<_>>()
            .join(";\n")
    }
}
