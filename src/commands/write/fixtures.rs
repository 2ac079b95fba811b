//! `[verify]` fixtures: at the target, `migrate verify` loads the fixtures, runs their cleanup,
//! and every table must hold as many rows as before. A fixture that no longer loads against the
//! schema is `fixture-failed` at its file and line: the drift between a schema and its test data.

use std::path::Path;

use postgres::error::ErrorPosition;
use postgres::{Client, SimpleQueryMessage};

use crate::Error;
use crate::database::describe;
use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::relpath;
use crate::source::bounded;
use crate::sql::quote;

/// Loads `fixtures`, runs `cleanup`, and says what failed or was left behind.
pub(super) fn check(
    client: &mut Client,
    fixtures: &[std::path::PathBuf],
    cleanup: &[std::path::PathBuf],
    skip_tables: &[&str],
) -> Result<Vec<Diagnostic>, Error> {
    let before = row_counts(client, skip_tables)?;
    for file in fixtures.iter().chain(cleanup) {
        if let Some(failed) = run_file(client, file)? {
            return Ok(vec![failed]);
        }
    }
    let after = row_counts(client, skip_tables)?;
    let at = cleanup.last().map_or_else(
        || Location::file("migrate.toml"),
        |f| Location::file(&relpath::display(f)),
    );
    Ok(after
        .iter()
        .filter(|(table, rows)| before.iter().find(|(t, _)| t == table).map_or(0, |(_, r)| *r) != *rows)
        .map(|(table, rows)| {
            let was = before.iter().find(|(t, _)| t == table).map_or(0, |(_, r)| *r);
            Diagnostic::new(
                Rule::FixtureFailed,
                at.clone(),
                format!("after the fixtures and their cleanup, table {table} holds {rows} rows, and held {was} before"),
                "make the cleanup remove exactly what the fixtures load",
            )
        })
        .collect())
}

/// Runs one SQL file as one query string; its failure at the file's line.
fn run_file(client: &mut Client, file: &Path) -> Result<Option<Diagnostic>, Error> {
    let shown = relpath::display(file);
    let text =
        bounded::read_to_string(file, bounded::MIGRATION_LIMIT).map_err(|source| Error::Io {
            action: "read",
            path: shown.clone(),
            source,
        })?;
    let Err(error) = client.batch_execute(&text) else {
        return Ok(None);
    };
    // The file may have left a transaction open on the error; nothing of it should stay.
    let _ = client.batch_execute("ROLLBACK");
    let line = match error.as_db_error().and_then(|db| db.position()) {
        Some(ErrorPosition::Original(p)) => text
            .char_indices()
            .nth((*p as usize).saturating_sub(1))
            .map_or(1, |(byte, _)| text[..byte].matches('\n').count() + 1),
        _ => 1,
    };
    Ok(Some(Diagnostic::new(
        Rule::FixtureFailed,
        Location::span(&shown, line, 1, 1),
        format!(
            "`{shown}` does not load against the schema at the target: {}",
            describe(&error)
        ),
        "bring the fixture in step with the migrations",
    )))
}

/// Every user table's row count, by its quoted name.
fn row_counts(client: &mut Client, skip_tables: &[&str]) -> Result<Vec<(String, u64)>, Error> {
    let skip: Vec<String> = skip_tables.iter().map(|t| quote::literal(t)).collect();
    let listing = client
        .simple_query(&format!(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') \
             AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' \
             AND c.relname NOT IN ({}) ORDER BY 1",
            skip.join(", ")
        ))
        .map_err(|e| Error::Database(format!("cannot list the tables: {}", describe(&e))))?;
    let tables: Vec<String> = cells(&listing).into_iter().map(|(name, _)| name).collect();
    if tables.is_empty() {
        return Ok(Vec::new());
    }
    // The names come back quoted by the server (`format('%I')`).
    let sql: Vec<String> = tables
        .iter()
        .map(|t| format!("SELECT {}, count(*) FROM {t}", quote::literal(t)))
        .collect();
    let counts = client
        .simple_query(&sql.join(" UNION ALL "))
        .map_err(|e| Error::Database(format!("cannot count the rows: {}", describe(&e))))?;
    Ok(cells(&counts)
        .into_iter()
        .map(|(table, count)| (table, count.parse().unwrap_or(0)))
        .collect())
}

fn cells(messages: &[SimpleQueryMessage]) -> Vec<(String, String)> {
    messages
        .iter()
        .filter_map(|m| match m {
            // `try_get`: a row of one column has no second, and `get` would panic.
            SimpleQueryMessage::Row(row) => Some((
                row.try_get(0).ok().flatten().unwrap_or_default().to_owned(),
                row.try_get(1).ok().flatten().unwrap_or_default().to_owned(),
            )),
            _ => None,
        })
        .collect()
}
