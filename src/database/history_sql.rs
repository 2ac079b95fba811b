//! The history statements with their values written out: what `--sql` prints, and what a
//! transactional revision sends in its one round trip. Every value goes through the one quoting
//! function, `quote::literal`.

use super::history::{FORGET, RECORD, Record, Tables};
use crate::sql::quote;

impl Tables {
    /// Whether `table`, as the server names a table in an error (unqualified), is one of these.
    pub(crate) fn names(&self, table: &str) -> bool {
        [self.history_name(), self.companion_name()]
            .iter()
            .any(|name| name.rsplit('.').next() == Some(table))
    }

    /// The history insert with its values written out, for `--sql`.
    pub(crate) fn record_sql(&self, record: &Record<'_>) -> String {
        self.record_sql_with(record, "NULL")
    }

    /// The history insert with its values written out and the execution time measured by the
    /// server, from the start of the query it ends: what a revision's one round trip sends.
    pub(crate) fn record_sql_timed(&self, record: &Record<'_>) -> String {
        self.record_sql_with(
            record,
            "(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::bigint",
        )
    }

    /// Every value goes through the one quoting function, `quote::literal`.
    fn record_sql_with(&self, record: &Record<'_>, execution_ms: &str) -> String {
        let parents: Vec<String> = record.parents.iter().map(|p| quote::literal(p)).collect();
        let values = [
            record.version.to_string(),
            quote::literal(record.name),
            quote::literal(&record.checksum),
            format!("ARRAY[{}]::text[]", parents.join(", ")),
            quote::literal(record.file_name),
            record.down_sql.map_or("NULL".to_owned(), quote::literal),
            record.down_transaction.to_string(),
            execution_ms.to_owned(),
        ];
        substitute_params(&self.fill(RECORD), &values)
    }

    /// The history delete for `version`, for `--sql`.
    pub(crate) fn forget_sql(&self, version: i32) -> String {
        substitute_params(&self.fill(FORGET), &[version.to_string()])
    }
}

/// Writes literal values in place of `$1`, `$2`, ... in one pass over the template, so that a
/// value holding `$1` (a function body in a down section) is never substituted again.
fn substitute_params(sql: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(sql.len() + values.iter().map(String::len).sum::<usize>());
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let value = rest[at + 1..at + 1 + digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| values.get(n.checked_sub(1)?));
        match value {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[at..=at + digits]),
        }
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::substitute_params;

    #[test]
    fn a_value_that_holds_a_placeholder_is_not_substituted_again() {
        let values = [
            "'CREATE FUNCTION f(int) AS $$ SELECT $1 + $2 $$'".to_owned(),
            "7".to_owned(),
        ];
        assert_eq!(
            substitute_params("VALUES ($1, $2, $20, $)", &values),
            "VALUES ('CREATE FUNCTION f(int) AS $$ SELECT $1 + $2 $$', 7, $20, $)"
        );
    }
}
