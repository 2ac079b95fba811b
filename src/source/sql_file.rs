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

use crate::revision::{ParentRef, Revises, RevisionId, Section};

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

/// One thing wrong with a file: a `malformed-file` diagnostic without its path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The 1-based line.
    pub line: usize,
    /// The 1-based column.
    pub column: usize,
    /// How many characters to underline; 0 when the problem is the file as a whole.
    pub span: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// Turns raw bytes into text: drops a byte-order mark, normalises CRLF to LF, refuses bad UTF-8.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, Problem> {
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
            Err(Problem {
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
pub(crate) fn parse(text: &str) -> (Parsed, Vec<Problem>) {
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
    problems: Vec<Problem>,
    part: Part,
    first_sql_in_header: Option<usize>,
    up_body: String,
    down_body: String,
}

impl Parser {
    /// Handles a `-- migrate:<name>` line; `rest_start` is the byte offset of what follows the name.
    fn directive(&mut self, line: &str, number: usize, name: &str, rest_start: usize) {
        let column = column_of(line, line.len() - line.trim_start().len());
        let problem = |message: &str, help: &str| Problem {
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
            _ => Some(problem(
                &format!("unknown directive `-- migrate:{name}`"),
                "the directives are `revises`, `up` and `down`",
            )),
        };
        self.problems.extend(found);
    }

    /// Starts a section at its marker line; its SQL is filled in when the file ends.
    fn section(&mut self, line: &str, rest_start: usize, number: usize) -> Section {
        let transaction = parse_options(line, rest_start, number, &mut self.problems);
        Section {
            line: number,
            sql: String::new(),
            transaction,
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
    problems: &mut Vec<Problem>,
    first_sql: Option<usize>,
    up: String,
    down: String,
) {
    let file_problem = |line: usize, message: &str, help: &str| Problem {
        line,
        column: 1,
        span: 1,
        message: message.to_owned(),
        help: help.to_owned(),
    };
    if parsed.revises_line.is_none() {
        problems.push(Problem {
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
            if !has_sql(&up) {
                problems.push(Problem {
                    line: section.line,
                    column: 1,
                    span: "-- migrate:up".len(),
                    message: "the up section is empty".to_owned(),
                    help: "write the upgrade SQL below `-- migrate:up`".to_owned(),
                });
            }
        }
    }
    if let Some(section) = &mut parsed.up {
        section.sql = up;
    }
    if let Some(section) = &mut parsed.down {
        section.sql = down;
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

/// The 1-based character column of byte offset `byte` in `line`.
fn column_of(line: &str, byte: usize) -> usize {
    line[..byte].chars().count() + 1
}

/// The words of `line` from byte `rest_start` on, each with its 1-based column.
fn tokens(line: &str, rest_start: usize) -> Vec<(usize, &str)> {
    let rest = &line[rest_start..];
    let mut offset = 0;
    rest.split_whitespace()
        .map(|token| {
            let at = rest[offset..].find(token).map_or(offset, |p| p + offset);
            offset = at + token.len();
            (column_of(line, rest_start + at), token)
        })
        .collect()
}

fn parse_revises(
    line: &str,
    rest_start: usize,
    number: usize,
    problems: &mut Vec<Problem>,
) -> Revises {
    let rest = &line[rest_start..];
    let mut parents = Vec::new();
    let mut saw_none = false;
    let mut ok = true;
    let tokens = tokens(line, rest_start);
    let mut problem = |column: usize, span: usize, message: String, help: &str| {
        problems.push(Problem {
            line: number,
            column,
            span,
            message,
            help: help.to_owned(),
        });
    };
    if tokens.is_empty() {
        problem(
            1,
            line.trim().len(),
            "`-- migrate:revises` names no revision".to_owned(),
            "name the parent revision, or `none` for the first revision",
        );
        return Revises::Unknown;
    }
    for &(column, token) in &tokens {
        if token == "none" {
            saw_none = true;
        } else if let Some(id) = RevisionId::parse(token) {
            if parents.iter().any(|p: &ParentRef| p.id == id) {
                problem(
                    column,
                    token.len(),
                    format!("`{token}` is named twice"),
                    "name each parent once",
                );
                ok = false;
            }
            parents.push(ParentRef {
                id,
                line: number,
                column,
            });
        } else {
            problem(
                column,
                token.chars().count(),
                format!("`{token}` is not a revision number"),
                "name parents by their number, as in `-- migrate:revises 040`",
            );
            ok = false;
        }
    }
    if saw_none && tokens.len() > 1 {
        problem(
            tokens[0].0,
            rest.trim().len(),
            "`none` cannot be combined with parents".to_owned(),
            "write `none` alone for the first revision, or only parent numbers",
        );
        ok = false;
    }
    match (ok, saw_none) {
        (false, _) => Revises::Unknown,
        (true, true) => Revises::Root,
        (true, false) => Revises::Parents(parents),
    }
}

/// Reads `key:value` options after a marker; returns whether the section runs in a transaction.
fn parse_options(
    line: &str,
    rest_start: usize,
    number: usize,
    problems: &mut Vec<Problem>,
) -> bool {
    let mut transaction = true;
    for (column, token) in tokens(line, rest_start) {
        let mut problem = |message: String, help: &str| {
            problems.push(Problem {
                line: number,
                column,
                span: token.chars().count(),
                message,
                help: help.to_owned(),
            });
        };
        match token.split_once(':') {
            Some(("transaction", "false")) => transaction = false,
            Some(("transaction", "true")) => transaction = true,
            Some(("transaction", value)) => {
                problem(
                    format!("`transaction` must be `true` or `false`, not `{value}`"),
                    "write `transaction:false` to run outside a transaction",
                );
            }
            _ => problem(
                format!("unknown option `{token}`"),
                "the only option is `transaction:false`",
            ),
        }
    }
    transaction
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<(usize, String)> {
        parse(text)
            .1
            .into_iter()
            .map(|p| (p.line, p.message))
            .collect()
    }

    #[test]
    fn parses_a_full_file() {
        let text = "-- Add readonly role\n-- more words\n-- migrate:revises 040\n\n-- migrate:up\nCREATE ROLE r;\n-- migrate:down\nDROP ROLE r;\n";
        let (parsed, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(parsed.description, vec!["Add readonly role", "more words"]);
        assert_eq!(parsed.revises_line, Some(3));
        let Some(Revises::Parents(parents)) = parsed.revises else {
            panic!("parents expected")
        };
        assert_eq!(parents[0].id.as_str(), "040");
        assert_eq!(parents[0].column, 20);
        let up = parsed.up.unwrap();
        assert_eq!(
            (up.line, up.sql.as_str(), up.transaction),
            (5, "CREATE ROLE r;\n", true)
        );
        assert_eq!(parsed.down.unwrap().sql, "DROP ROLE r;\n");
    }

    #[test]
    fn root_merge_and_options() {
        let (parsed, problems) =
            parse("-- migrate:revises none\n-- migrate:up transaction:false\nSELECT 1;\n");
        assert!(problems.is_empty());
        assert!(matches!(parsed.revises, Some(Revises::Root)));
        assert!(!parsed.up.unwrap().transaction);
        let (parsed, _) = parse("-- migrate:revises 040 041\n-- migrate:up\nSELECT 1;\n");
        let Some(Revises::Parents(parents)) = parsed.revises else {
            panic!()
        };
        assert_eq!(parents.len(), 2);
        assert_eq!(parents[1].column, 24);
    }

    #[test]
    fn missing_pieces() {
        assert_eq!(
            messages("-- migrate:up\nSELECT 1;\n"),
            vec![(1, "missing `-- migrate:revises`".to_owned())]
        );
        assert_eq!(
            messages("-- migrate:revises 1\nSELECT 1;\n"),
            vec![(2, "no `-- migrate:up` marker".to_owned())]
        );
        assert_eq!(
            messages("-- migrate:revises 1\n-- migrate:up\n-- just a comment\n\n"),
            vec![(2, "the up section is empty".to_owned())]
        );
        assert_eq!(
            messages(""),
            vec![
                (1, "missing `-- migrate:revises`".to_owned()),
                (1, "no `-- migrate:up` marker".to_owned())
            ]
        );
    }

    #[test]
    fn bad_directives_and_options() {
        let found = messages(
            "-- migrate:revises 1\n-- migrate:reverts 2\n-- migrate:up lock:yes\nSELECT 1;\n-- migrate:up\n-- migrate:revises 3\n",
        );
        assert_eq!(
            found,
            vec![
                (2, "unknown directive `-- migrate:reverts`".to_owned()),
                (3, "unknown option `lock:yes`".to_owned()),
                (5, "second `-- migrate:up` marker".to_owned()),
                (
                    6,
                    "`-- migrate:revises` must come before `-- migrate:up`".to_owned()
                ),
            ]
        );
        assert_eq!(
            messages("-- migrate:revises 1\n-- migrate:up transaction:maybe\nSELECT 1;\n")[0].1,
            "`transaction` must be `true` or `false`, not `maybe`"
        );
        assert_eq!(
            messages("-- migrate:revises\n-- migrate:up\nSELECT 1;\n")[0].1,
            "`-- migrate:revises` names no revision"
        );
        assert_eq!(
            messages("-- migrate:revises none 3\n-- migrate:up\nSELECT 1;\n")[0].1,
            "`none` cannot be combined with parents"
        );
        assert_eq!(
            messages("-- migrate:revises 3 03\n-- migrate:up\nSELECT 1;\n")[0].1,
            "`03` is named twice"
        );
        assert_eq!(
            messages("-- migrate:revises abc\n-- migrate:up\nSELECT 1;\n")[0].1,
            "`abc` is not a revision number"
        );
    }

    #[test]
    fn sql_in_header_and_down_first() {
        assert_eq!(
            messages("-- migrate:revises 1\nSELECT 0;\n-- migrate:up\nSELECT 1;\n")[0].0,
            2
        );
        assert_eq!(
            messages("-- migrate:revises 1\n-- migrate:down\n-- migrate:up\nSELECT 1;\n")[0].1,
            "`-- migrate:down` comes before `-- migrate:up`"
        );
    }

    #[test]
    fn decodes_bom_crlf_and_rejects_bad_utf8() {
        assert_eq!(
            decode(b"\xEF\xBB\xBF-- a\r\n-- b\r\n").unwrap(),
            "-- a\n-- b\n"
        );
        let problem = decode(b"-- ok\n-- caf\xE9\n").unwrap_err();
        assert_eq!((problem.line, problem.column), (2, 7));
    }
}
