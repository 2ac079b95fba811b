//! How a failed revision is worded: the file and line the server's error points at, its
//! SQLSTATE, detail, hint and context, with every secret value redacted.

use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use super::script::{Origin, Script};
use crate::sql::Variables;

/// Why a revision failed, already worded for the user; secrets are redacted.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The revision file and 1-based line the error points at, when it comes from a file.
    pub(crate) place: Option<(String, usize)>,
    /// The error, with its detail, hint and context lines and what to do next.
    pub(crate) text: String,
    /// The guard of a pooled run stopped the revision before it ran (`database::guard`).
    pub(crate) stop: Option<super::guard::Stop>,
    /// The server's SQLSTATE, when the server raised the error.
    pub(crate) sqlstate: Option<String>,
}

impl Failure {
    /// The line the error points at, as a diagnostic's location, when it comes from a file.
    pub(crate) fn location(&self) -> Option<crate::diagnostic::Location> {
        self.place
            .as_ref()
            .map(|(path, line)| crate::diagnostic::Location {
                path: path.clone(),
                line: *line,
                column: 1,
                span: None,
            })
    }
}

impl From<String> for Failure {
    fn from(text: String) -> Failure {
        Failure {
            place: None,
            text,
            stop: None,
            sqlstate: None,
        }
    }
}

/// Words a driver error: file and line, SQLSTATE, message, detail, hint, with secrets redacted.
pub(crate) fn describe(
    variables: &Variables,
    script: Option<&Script<'_>>,
    error: &postgres::Error,
    offset: Option<usize>,
    statement: Option<usize>,
) -> Failure {
    let redact = |text: &str| match script {
        Some(s) => variables.redact(&s.lexed, text),
        None => text.to_owned(),
    };
    let location = script.map(|s| {
        let line = match (offset, statement) {
            (Some(offset), _) => s.line(offset),
            (None, Some(index)) => {
                let base = s.statement_line(index);
                error
                    .as_db_error()
                    .and_then(|db| db.where_())
                    .and_then(|context| do_block_line(s, index, context))
                    .unwrap_or(base)
            }
            (None, None) => s.first_line,
        };
        (s, line)
    });
    let place = location.and_then(|(s, line)| match &s.origin {
        Origin::File(path) => Some((path.clone(), line)),
        Origin::Stored { .. } => None,
    });
    let location = location.map(|(s, line)| format!("{}:{line}: ", s.origin));
    let Some(db) = error.as_db_error() else {
        return Failure {
            place,
            text: format!(
                "{}{}",
                location.unwrap_or_default(),
                redact(&super::describe(error))
            ),
            stop: None,
            sqlstate: None,
        };
    };
    let mut text = format!(
        "{}{} {}: {}",
        location.unwrap_or_default(),
        db.severity(),
        db.code().code(),
        redact(db.message())
    );
    for (label, value) in [
        ("detail", db.detail()),
        ("hint", db.hint()),
        ("context", db.where_()),
    ] {
        if let Some(value) = value {
            let _ = write!(text, "\n  {label}: {}", redact(value));
        }
    }
    Failure {
        place,
        text,
        stop: None,
        sqlstate: Some(db.code().code().to_owned()),
    }
}

/// For an error inside a `DO` block, the file line from the server's "PL/pgSQL function
/// `inline_code_block` line N" context: line N of the body that opens at the statement's
/// first dollar quote.
fn do_block_line(script: &Script<'_>, index: usize, context: &str) -> Option<usize> {
    static INLINE: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"inline_code_block line (\d+)").ok());
    let line: usize = INLINE
        .as_ref()?
        .captures(context)?
        .get(1)?
        .as_str()
        .parse()
        .ok()?;
    let statement = script.lexed.statements.get(index)?;
    let body = statement.text(script.sql).find('$')?;
    Some(script.line(statement.start + body) + line - 1)
}
