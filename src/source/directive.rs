//! The directives of a `.sql` revision's header and markers: the parents `-- migrate:revises`
//! names, and the options after `-- migrate:up` and `-- migrate:down`, each word with its column.

use super::finding::Finding;
use crate::diagnostic::Rule;
use crate::revision::{ParentRef, Revises, RevisionId, Timeouts};

/// The 1-based character column of byte offset `byte` in `line`.
pub(super) fn column_of(line: &str, byte: usize) -> usize {
    line[..byte].chars().count() + 1
}

/// The words of `line` from byte `rest_start` on, each with its 1-based column, in one pass:
/// columns are counted as the words go, so a line of many words costs no more than its length.
fn tokens(line: &str, rest_start: usize) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (column, (at, c)) in (column_of(line, rest_start)..).zip(line[rest_start..].char_indices())
    {
        let at = rest_start + at;
        match (c.is_whitespace(), start) {
            (true, Some((begin, begin_column))) => {
                found.push((begin_column, &line[begin..at]));
                start = None;
            }
            (false, None) => start = Some((at, column)),
            _ => {}
        }
    }
    if let Some((begin, begin_column)) = start {
        found.push((begin_column, &line[begin..]));
    }
    found
}

pub(super) fn parse_revises(
    line: &str,
    rest_start: usize,
    number: usize,
    problems: &mut Vec<Finding>,
) -> Revises {
    let rest = &line[rest_start..];
    let mut parents = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut saw_none = false;
    let mut ok = true;
    let tokens = tokens(line, rest_start);
    let mut problem = |column: usize, span: usize, message: String, help: &str| {
        problems.push(Finding {
            rule: Rule::MalformedFile,
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
            if !seen.insert(id.clone()) {
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

/// Reads `key:value` options after a marker: whether the section runs in a transaction, and
/// its timeouts.
pub(super) fn parse_options(
    line: &str,
    rest_start: usize,
    number: usize,
    problems: &mut Vec<Finding>,
) -> (bool, Timeouts) {
    let mut transaction = true;
    let mut timeouts = Timeouts::default();
    for (column, token) in tokens(line, rest_start) {
        let mut problem = |message: String, help: &str| {
            problems.push(Finding {
                rule: Rule::MalformedFile,
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
            Some((key @ ("lock_timeout" | "statement_timeout"), value)) => {
                match humantime::parse_duration(value) {
                    Ok(duration) if key == "lock_timeout" => timeouts.lock = Some(duration),
                    Ok(duration) => timeouts.statement = Some(duration),
                    Err(_) => problem(
                        format!("`{key}` must be a duration, not `{value}`"),
                        "write a duration such as `5s`, `500ms` or `10m` (`0` turns it off)",
                    ),
                }
            }
            _ => problem(
                format!("unknown option `{token}`"),
                "the options are `transaction:false`, `lock_timeout:DURATION` and `statement_timeout:DURATION`",
            ),
        }
    }
    (transaction, timeouts)
}
