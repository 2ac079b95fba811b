//! The migration file format: a comment header with `-- migrate:revises`, then the up and down sections.
//!
//! ```sql
//! -- Add the readonly role                 <- the message (first free comment)
//! -- migrate:revises 040                   <- the parent(s), or `none`
//!
//! -- migrate:up transaction:false          <- options may follow a marker
//! CREATE INDEX CONCURRENTLY ...;
//!
//! -- migrate:down                          <- optional; without it, irreversible
//! DROP INDEX ...;
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::directive::{column_of, parse_options, parse_revises};
use super::finding::Finding;
use super::psql_only;
use crate::diagnostic::Rule;
use crate::revision::{Revises, Section, Timeouts};

/// `-- migrate:<name><rest>`, where `<rest>` holds options or ids.
static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*--\s*migrate:(\S*)(.*)$").expect("the directive pattern is valid")
});

/// A file's contents, parsed as far as they could be.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// The `revises` declaration; `Unknown` when missing or unreadable.
    pub revises: Option<Revises>,
    /// The line of `-- migrate:revises`.
    pub revises_line: Option<usize>,
    /// Free comment lines of the header.
    pub description: Vec<String>,
    /// The up section.
    pub up: Option<Section>,
    /// The down section.
    pub down: Option<Section>,
}

/// Turns raw bytes into text: drops a byte-order mark, normalises CRLF to LF, refuses bad UTF-8.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, Finding> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(if text.contains('\r') {
            text.replace("\r\n", "\n")
        } else {
            text.to_owned()
        }),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.split(|&b| b == b'\n').count();
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1;
            Err(Finding {
                rule: Rule::MalformedFile,
                line,
                column,
                span: 1,
                message: "the file is not valid UTF-8".to_owned(),
                help: "save the file as UTF-8".to_owned(),
            })
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Header,
    Up,
    Down,
}

/// Parses decoded text, collecting every problem rather than stopping at the first.
#[must_use]
pub(crate) fn parse(text: &str) -> (Parsed, Vec<Finding>) {
    let mut parser = Parser {
        parsed: Parsed::default(),
        problems: Vec::new(),
        part: Part::Header,
        first_sql_in_header: None,
        up_body: String::new(),
        down_body: String::new(),
    };
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        // Most lines are SQL: the substring test keeps the regex off them (it was a third of
        // `check`'s time on 10,000 files).
        let directive = if line.contains("migrate:") {
            DIRECTIVE.captures(line)
        } else {
            None
        };
        match directive.and_then(|caps| Some((caps.get(1)?, caps.get(2)?))) {
            Some((name, rest)) => parser.directive(line, number, name.as_str(), rest.start()),
            None => parser.content(line, number),
        }
    }
    let Parser {
        mut parsed,
        mut problems,
        first_sql_in_header,
        up_body,
        down_body,
        ..
    } = parser;
    finish(
        &mut parsed,
        &mut problems,
        first_sql_in_header,
        up_body,
        down_body,
    );
    (parsed, problems)
}

/// The state of one pass over a file.
struct Parser {
    parsed: Parsed,
    problems: Vec<Finding>,
    part: Part,
    first_sql_in_header: Option<usize>,
    up_body: String,
    down_body: String,
}

impl Parser {
    /// Handles a `-- migrate:<name>` line; `rest_start` is the byte offset of what follows the name.
    fn directive(&mut self, line: &str, number: usize, name: &str, rest_start: usize) {
        let column = column_of(line, line.len() - line.trim_start().len());
        let problem = |message: &str, help: &str| Finding {
            rule: Rule::MalformedFile,
            line: number,
            column,
            span: line.trim().chars().count(),
            message: message.to_owned(),
            help: help.to_owned(),
        };
        let found = match (name, self.part) {
            ("revises", Part::Header) if self.parsed.revises_line.is_some() => Some(problem(
                "second `-- migrate:revises` line",
                "list every parent on one line: `-- migrate:revises 040 041`",
            )),
            ("revises", Part::Header) => {
                self.parsed.revises_line = Some(number);
                self.parsed.revises =
                    Some(parse_revises(line, rest_start, number, &mut self.problems));
                None
            }
            ("revises", _) => Some(problem(
                "`-- migrate:revises` must come before `-- migrate:up`",
                "move it into the header, above `-- migrate:up`",
            )),
            ("up", Part::Header) => {
                self.part = Part::Up;
                self.parsed.up = Some(self.section(line, rest_start, number));
                None
            }
            ("up", _) => Some(problem(
                "second `-- migrate:up` marker",
                "a file holds one up section; remove this marker",
            )),
            ("down", Part::Up) => {
                self.part = Part::Down;
                self.parsed.down = Some(self.section(line, rest_start, number));
                None
            }
            ("down", Part::Header) => Some(problem(
                "`-- migrate:down` comes before `-- migrate:up`",
                "put the up section first, then `-- migrate:down`",
            )),
            ("down", Part::Down) => Some(problem(
                "second `-- migrate:down` marker",
                "a file holds one down section; remove this marker",
            )),
            // A suppression, read by `check` from the text (`diagnostic::suppress`). In a
            // section it stays in the SQL, a comment like any other, so that a place in the SQL
            // is the same number of lines below the marker as in the file.
            ("ignore", part) => {
                match part {
                    Part::Up => push_line(&mut self.up_body, line),
                    Part::Down => push_line(&mut self.down_body, line),
                    Part::Header => {}
                }
                None
            }
            _ => Some(problem(
                &format!("unknown directive `-- migrate:{name}`"),
                "the directives are `revises`, `up`, `down` and `ignore`",
            )),
        };
        self.problems.extend(found);
    }

    /// Starts a section at its marker line; its SQL is filled in when the file ends.
    fn section(&mut self, line: &str, rest_start: usize, number: usize) -> Section {
        let (transaction, timeouts) = parse_options(line, rest_start, number, &mut self.problems);
        Section {
            line: number,
            sql: String::new(),
            transaction,
            timeouts: (timeouts != Timeouts::default()).then(|| Box::new(timeouts)),
        }
    }

    /// Handles any other line: header prose, or SQL of the current section.
    fn content(&mut self, line: &str, number: usize) {
        match self.part {
            Part::Header => {
                let trimmed = line.trim();
                if let Some(comment) = trimmed.strip_prefix("--") {
                    self.parsed.description.push(
                        comment
                            .strip_prefix(' ')
                            .unwrap_or(comment)
                            .trim_end()
                            .to_owned(),
                    );
                } else if !trimmed.is_empty() && self.first_sql_in_header.is_none() {
                    self.first_sql_in_header = Some(number);
                }
            }
            Part::Up => push_line(&mut self.up_body, line),
            Part::Down => push_line(&mut self.down_body, line),
        }
    }
}

fn finish(
    parsed: &mut Parsed,
    problems: &mut Vec<Finding>,
    first_sql: Option<usize>,
    up: String,
    down: String,
) {
    let file_problem = |line: usize, message: &str, help: &str| Finding {
        rule: Rule::MalformedFile,
        line,
        column: 1,
        span: 1,
        message: message.to_owned(),
        help: help.to_owned(),
    };
    if parsed.revises_line.is_none() {
        problems.push(Finding {
            rule: Rule::MalformedFile,
            span: 0,
            ..file_problem(
            1,
            "missing `-- migrate:revises`",
            "add `-- migrate:revises <parent>` above `-- migrate:up` (`none` for the first revision)",
            )
        });
    }
    match (&mut parsed.up, first_sql) {
        (None, _) => problems.push(file_problem(
            first_sql.unwrap_or(1),
            "no `-- migrate:up` marker",
            "put `-- migrate:up` on the line before the upgrade SQL",
        )),
        (Some(_), Some(line)) => problems.push(file_problem(
            line,
            "SQL before `-- migrate:up` belongs to no section",
            "move it below `-- migrate:up`, or make it a `--` comment",
        )),
        (Some(section), None) => {
            // A merge revision joins heads and may have nothing to run.
            let merge = matches!(&parsed.revises, Some(Revises::Parents(p)) if p.len() > 1);
            if !has_sql(&up) && !merge {
                problems.push(Finding {
                    rule: Rule::MalformedFile,
                    line: section.line,
                    column: 1,
                    span: "-- migrate:up".len(),
                    message: "the up section is empty".to_owned(),
                    help: "write the upgrade SQL below `-- migrate:up`; only a merge revision (`migrate merge`) may have none".to_owned(),
                });
            }
        }
    }
    if let Some(section) = &mut parsed.up {
        section.sql = up;
        psql_only::check(section, problems);
    }
    if let Some(section) = &mut parsed.down {
        section.sql = down;
        psql_only::check(section, problems);
    }
    // A down section with nothing to run (as `new` leaves it) undoes nothing: the revision is
    // irreversible, so `downgrade` refuses instead of recording a revert that did not happen.
    // A merge revision's empty down section is its whole downgrade.
    let merge = matches!(&parsed.revises, Some(Revises::Parents(p)) if p.len() > 1);
    if parsed.down.as_ref().is_some_and(|d| !has_sql(&d.sql)) && !merge {
        parsed.down = None;
    }
}

fn push_line(body: &mut String, line: &str) {
    body.push_str(line);
    body.push('\n');
}

/// Whether a section holds anything but blank lines and `--` comments.
fn has_sql(body: &str) -> bool {
    body.lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && !l.starts_with("--"))
}

#[cfg(test)]
mod tests;
