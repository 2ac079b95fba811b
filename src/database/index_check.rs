//! The indexes a `transaction:false` section builds with `CREATE INDEX CONCURRENTLY`, and
//! whether the server holds any of them invalid: a failed or interrupted build leaves the index
//! behind, invalid, and an `IF NOT EXISTS` rerun would skip it. No revision is recorded while
//! one of its indexes is invalid.

use std::sync::LazyLock;

use postgres::Client;
use postgres::types::Type;
use regex::Regex;

use super::script::Script;
use crate::sql::quote;

/// `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON`, capturing the name.
static BUILD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)^\s*create\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)\s+on\b"#,
    )
    .ok()
});

/// An index a statement of the section builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Build {
    /// The statement's index in the section.
    pub(crate) statement: usize,
    /// The index's name as the catalog holds it: unquoted names folded to lower case.
    pub(crate) name: String,
}

impl Build {
    /// The statement that drops this index without blocking writes.
    pub(crate) fn drop_sql(&self) -> String {
        format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {};",
            quote::identifier(&self.name)
        )
    }
}

/// The concurrent index builds among the section's statements, in order.
pub(crate) fn builds(script: &Script<'_>) -> Vec<Build> {
    let Some(pattern) = BUILD.as_ref() else {
        return Vec::new();
    };
    script
        .bound_lexed
        .statements
        .iter()
        .enumerate()
        .filter_map(|(statement, s)| {
            let written = pattern
                .captures(s.text(&script.bound.text))?
                .get(1)?
                .as_str();
            let name = match written.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => written.to_ascii_lowercase(),
            };
            Some(Build { statement, name })
        })
        .collect()
}

/// The builds whose index exists and is invalid, in order.
pub(crate) fn invalid(
    client: &mut Client,
    builds: &[Build],
) -> Result<Vec<Build>, postgres::Error> {
    if builds.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<&str> = builds.iter().map(|b| b.name.as_str()).collect();
    let rows = client.query_typed(
        "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE NOT i.indisvalid AND c.relname = ANY($1)
           AND pg_table_is_visible(i.indrelid)",
        &[(&names, Type::TEXT_ARRAY)],
    )?;
    let bad: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    Ok(builds
        .iter()
        .filter(|b| bad.contains(&b.name))
        .cloned()
        .collect())
}
