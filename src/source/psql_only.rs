//! Statements only psql can run, refused by name in `check`: a psql meta-command (`\set`,
//! `\i`, `\copy`) is not SQL, and `COPY ... FROM STDIN` needs psql to send the rows that follow
//! it. Sent to the server, the first is a syntax error and the second waits for data that
//! never comes.

use std::sync::LazyLock;

use regex::Regex;

use super::finding::Finding;
use crate::diagnostic::Rule;
use crate::revision::Section;
use crate::sql::{lex, line_of};

static COPY_FROM_STDIN: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?is)^copy\b.*\bfrom\s+stdin\b").ok());

/// The findings for a section's psql-only statements.
pub(super) fn check(section: &Section, problems: &mut Vec<Finding>) {
    // `check` reads every file of the tree: lex only a section that could hold either, which
    // is almost none, so the common case costs one scan without allocating.
    let bytes = section.sql.as_bytes();
    let suspect = memchr::memchr(b'\\', bytes).is_some()
        || bytes.windows(4).any(|w| w.eq_ignore_ascii_case(b"copy"));
    if !suspect {
        return;
    }
    let lexed = lex(&section.sql);
    let mut after_copy = false;
    for statement in &lexed.statements {
        let text = statement.text(&section.sql);
        // The line is counted only for a finding: counting it for every statement would cost
        // the section's length each time.
        let finding = |span: usize, message: String, help: &str| Finding {
            rule: Rule::MalformedFile,
            line: section.line + line_of(&section.sql, statement.start),
            column: 1,
            span,
            message,
            help: help.to_owned(),
        };
        if let Some(command) = text.strip_prefix('\\') {
            // The rows of a `COPY FROM STDIN` end at `\.`, already named with the COPY.
            if after_copy && command.starts_with('.') {
                continue;
            }
            let word: String = command.chars().take_while(|c| !c.is_whitespace()).collect();
            problems.push(finding(
                word.chars().count() + 1,
                format!("`\\{word}` is a psql meta-command, which only psql runs"),
                "write it as SQL (a value comes from `--set NAME=VALUE`), or run this file with psql",
            ));
        } else if COPY_FROM_STDIN.as_ref().is_some_and(|r| r.is_match(text)) {
            after_copy = true;
            problems.push(finding(
                "COPY".len(),
                "`COPY ... FROM STDIN` needs psql to send the rows that follow it".to_owned(),
                "load the rows with `INSERT`, or `COPY ... FROM` a file the server can read",
            ));
        }
    }
}
