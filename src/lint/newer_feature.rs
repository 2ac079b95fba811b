//! `newer-than-pg-version`: SQL that the PostgreSQL `pg_version` names does not have yet, so
//! that a revision written against a newer server fails the gate, not the deploy. Each feature
//! is the first major that accepts it and the words that say it is used.

use std::sync::LazyLock;

use regex::Regex;
use squawk_syntax::ast::{self, AstNode};

use super::Subject;
use crate::diagnostic::{Diagnostic, Rule};

/// A feature: the first major that has it, what it is, and the statements that use it.
struct Feature {
    since: u32,
    what: &'static str,
    used: fn(&ast::Stmt, &str) -> bool,
}

static MAINTAIN: LazyLock<Regex> = LazyLock::new(|| word(r"maintain"));
static MEMBERSHIP_OPTION: LazyLock<Regex> =
    LazyLock::new(|| word(r"with\s+(inherit|set)\s+(true|false|option)"));
static MULTIRANGE: LazyLock<Regex> =
    LazyLock::new(|| word(r"(int4|int8|num|date|ts|tstz)multirange"));
static GENERATED: LazyLock<Regex> = LazyLock::new(|| word(r"generated\s+always\s+as\s*\("));
static STORED: LazyLock<Regex> = LazyLock::new(|| word(r"stored"));
static VIRTUAL: LazyLock<Regex> = LazyLock::new(|| word(r"virtual"));
static NAMED_NOT_NULL: LazyLock<Regex> =
    LazyLock::new(|| word(r#"add\s+constraint\s+("[^"]+"|\w+)\s+not\s+null"#));

fn word(pattern: &str) -> Regex {
    Regex::new(&format!(r"(?i)\b{pattern}\b")).expect("the feature patterns are valid")
}

const FEATURES: &[Feature] = &[
    Feature {
        since: 17,
        what: "the `MAINTAIN` privilege",
        used: |s, text| {
            matches!(s, ast::Stmt::Grant(_) | ast::Stmt::Revoke(_)) && MAINTAIN.is_match(text)
        },
    },
    Feature {
        since: 16,
        what: "`INHERIT` and `SET` options on a role membership",
        used: |s, text| matches!(s, ast::Stmt::Grant(_)) && MEMBERSHIP_OPTION.is_match(text),
    },
    Feature {
        since: 14,
        what: "multirange types",
        used: |s, text| {
            matches!(
                s,
                ast::Stmt::CreateTable(_)
                    | ast::Stmt::AlterTable(_)
                    | ast::Stmt::CreateFunction(_)
                    | ast::Stmt::CreateDomain(_)
            ) && MULTIRANGE.is_match(text)
        },
    },
    Feature {
        since: 18,
        what: "virtual generated columns (`GENERATED ALWAYS AS (...)` without `STORED`)",
        used: |s, text| {
            matches!(s, ast::Stmt::CreateTable(_) | ast::Stmt::AlterTable(_))
                && (VIRTUAL.is_match(text)
                    || GENERATED.find_iter(text).count() > STORED.find_iter(text).count())
        },
    },
    Feature {
        since: 18,
        what: "a `NOT NULL` table constraint with a name (`ADD CONSTRAINT ... NOT NULL column`)",
        used: |s, text| matches!(s, ast::Stmt::AlterTable(_)) && NAMED_NOT_NULL.is_match(text),
    },
];

pub(super) fn findings(subject: &Subject<'_>) -> Vec<Diagnostic> {
    let major = subject.context.settings.lint.pg_major;
    let mut found = Vec::new();
    for statement in subject.parse.tree().stmts() {
        let text = statement.syntax().text().to_string();
        for feature in FEATURES.iter().filter(|f| f.since > major) {
            if (feature.used)(&statement, &text) {
                found.push(subject.finding_at(
                    Rule::NewerThanPgVersion,
                    &statement,
                    format!(
                        "{} came with PostgreSQL {}, and `pg_version` is {major}: this fails on that server",
                        feature.what, feature.since
                    ),
                    format!(
                        "write it another way for PostgreSQL {major}, or set `pg_version` in migrate.toml to the major you deploy to ({} or later)",
                        feature.since
                    ),
                ));
            }
        }
    }
    found
}
