//! Alembic's version table (`alembic_version`, one `version_num` row per head the database is
//! at), read without Python and without creating or changing anything.

use postgres::Client;

use super::history::db_error;
use crate::Error;
use crate::settings::HistoryTable;
use crate::sql::quote;

/// Alembic's default table, in the schema a default search path puts it.
#[must_use]
pub(crate) fn default_table() -> HistoryTable {
    HistoryTable {
        schema: "public".to_owned(),
        name: "alembic_version".to_owned(),
    }
}

/// The ids in the table, sorted; `None` when the table does not exist (nothing applied yet).
pub(crate) fn read(
    client: &mut Client,
    table: &HistoryTable,
) -> Result<Option<Vec<String>>, Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table.to_string()])
        .map_err(|e| db_error("look up the version table", &e))?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let sql = format!(
        "SELECT version_num::text FROM {} ORDER BY 1",
        quote::qualified(&table.schema, &table.name)
    );
    let rows = client
        .query(sql.as_str(), &[])
        .map_err(|e| db_error(&format!("read {table}"), &e))?;
    rows.iter()
        .map(|row| {
            row.try_get::<_, Option<String>>(0)
                .map_err(|e| db_error(&format!("read {table}"), &e))?
                .ok_or_else(|| Error::Database(format!("{table} holds a NULL version_num")))
        })
        .collect::<Result<Vec<String>, Error>>()
        .map(Some)
}
