//! Another tool's history table, read without changing anything: the versions goose, golang-
//! migrate, sqlx, dbmate, Flyway, refinery or diesel recorded as applied, so that
//! `current --check-heads` can say whether a database is at the files' head whatever the tool.

use postgres::Client;

use super::alembic_status::Status;
use super::history::db_error;
use crate::Error;
use crate::layout::Layout;
use crate::project::Project;
use crate::revision::RevisionId;
use crate::settings::HistoryTable;
use crate::sql::quote;

/// What a tool's table says.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    /// The versions recorded as applied, as the table writes them.
    pub versions: Vec<String>,
    /// golang-migrate's one version: every version up to it is applied.
    pub up_to: Option<String>,
    /// Why the table says the database is in no state to go on (golang-migrate's `dirty`).
    pub dirty: Option<String>,
}

/// The table each tool keeps, as it creates it by default; `None` is Django.
#[must_use]
pub(crate) fn default_table(layout: Option<Layout>) -> HistoryTable {
    let Some(layout) = layout else {
        return HistoryTable {
            schema: "public".to_owned(),
            name: "django_migrations".to_owned(),
        };
    };
    let name = match layout {
        Layout::Goose => "goose_db_version",
        Layout::GolangMigrate | Layout::Dbmate => "schema_migrations",
        Layout::Sqlx => "_sqlx_migrations",
        Layout::Flyway => "flyway_schema_history",
        Layout::Refinery => "refinery_schema_history",
        Layout::Diesel => "__diesel_schema_migrations",
    };
    HistoryTable {
        schema: "public".to_owned(),
        name: name.to_owned(),
    }
}

/// The query that lists what `layout`'s tool recorded as applied, one version per row, from
/// `table` (already quoted).
fn query(layout: Layout, table: &str) -> String {
    match layout {
        // goose appends a row per run and per rollback: a version is applied when its newest
        // row says so; version 0 is goose's own first row.
        Layout::Goose => format!(
            "SELECT version_id::text FROM (SELECT DISTINCT ON (version_id) version_id, is_applied \
             FROM {table} ORDER BY version_id, id DESC) AS newest \
             WHERE is_applied AND version_id IS DISTINCT FROM 0 ORDER BY version_id"
        ),
        Layout::GolangMigrate => format!("SELECT version::text, dirty FROM {table}"),
        Layout::Dbmate | Layout::Diesel | Layout::Refinery => {
            format!("SELECT version::text FROM {table} ORDER BY 1")
        }
        Layout::Sqlx => format!("SELECT version::text FROM {table} WHERE success ORDER BY version"),
        // An undo row takes its version back; a repeatable has no version.
        Layout::Flyway => format!(
            "SELECT version FROM (SELECT DISTINCT ON (version) version, type, success \
             FROM {table} WHERE version IS NOT NULL ORDER BY version, installed_rank DESC) AS newest \
             WHERE success AND type NOT LIKE 'UNDO%'"
        ),
    }
}

/// Reads what the tool recorded (`None`: Django's `app.name` rows); a missing table is a
/// database with nothing applied.
pub(crate) fn read(
    client: &mut Client,
    layout: Option<Layout>,
    table: &HistoryTable,
) -> Result<Recorded, Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table.to_string()])
        .map_err(|e| db_error("look up the history table", &e))?
        .get(0);
    if !exists {
        return Ok(Recorded::default());
    }
    let quoted = quote::qualified(&table.schema, &table.name);
    let sql = match layout {
        Some(layout) => query(layout, &quoted),
        None => format!("SELECT app || '.' || name FROM {quoted}"),
    };
    let rows = client
        .query(sql.as_str(), &[])
        .map_err(|e| db_error(&format!("read {table}"), &e))?;
    let mut recorded = Recorded::default();
    for row in &rows {
        let version: Option<String> = row
            .try_get(0)
            .map_err(|e| db_error(&format!("read {table}"), &e))?;
        let Some(version) = version else {
            return Err(Error::Database(format!(
                "{table} holds a row with no version: is it the table this tool keeps?"
            )));
        };
        let readable = match layout {
            None => version.contains('.'),
            Some(Layout::Flyway | Layout::Refinery) => RevisionId::dotted(&version).is_some(),
            Some(_) => RevisionId::parse(&version).is_some(),
        };
        if !readable {
            return Err(Error::Database(format!(
                "{table} holds `{}`, which is no version of this tool: is it the table this tool keeps?",
                crate::escape::one_line(&version)
            )));
        }
        if layout == Some(Layout::GolangMigrate) {
            let dirty: bool = row
                .try_get(1)
                .map_err(|e| db_error(&format!("read {table}"), &e))?;
            if dirty {
                recorded.dirty = Some(format!(
                    "{table} is dirty at version {version}: a migration failed part way, and golang-migrate refuses to go on until it is fixed by hand and forced"
                ));
            }
            recorded.up_to = Some(version);
        } else {
            recorded.versions.push(version);
        }
    }
    Ok(recorded)
}

/// Places what the tool recorded on the files' line. Every file must be applied for the
/// database to be at the head: a version merged below the newest applied one is pending, which
/// is the out-of-order merge these tools mishandle.
#[must_use]
pub(crate) fn status(project: &Project, layout: Option<Layout>, recorded: Recorded) -> Status {
    let parse = |text: &str| match layout {
        Some(Layout::Flyway | Layout::Refinery) => RevisionId::dotted(text),
        // dbmate's versions, and Django's `app.name`, are compared as written.
        Some(Layout::Dbmate | Layout::Diesel) | None => Some(RevisionId::name(text)),
        Some(_) => RevisionId::parse(text),
    };
    let mut status = Status::default();
    let ids = project.revisions.iter().enumerate();
    if let Some(top) = recorded.up_to.as_deref() {
        let top_id = parse(top);
        status.applied = ids
            .filter(|(_, r)| top_id.as_ref().is_some_and(|t| r.id <= *t))
            .map(|(n, _)| n)
            .collect();
        if top_id.is_none_or(|t| project.revisions.iter().all(|r| r.id != t)) {
            status.unknown.push(top.to_owned());
        }
        status.stored = vec![top.to_owned()];
    } else {
        let recorded_ids: Vec<(String, Option<RevisionId>)> = recorded
            .versions
            .iter()
            .map(|v| (v.clone(), parse(v)))
            .collect();
        status.applied = ids
            .filter(|(_, r)| {
                recorded_ids
                    .iter()
                    .any(|(_, id)| id.as_ref() == Some(&r.id))
            })
            .map(|(n, _)| n)
            .collect();
        // Django records the migrations of its own apps (`auth`, `contenttypes`) and of
        // packages too: only an app the repository holds can be ahead of its files.
        let app = |id: &str| id.split_once('.').map(|(app, _)| app.to_owned());
        let apps: std::collections::BTreeSet<String> = project
            .revisions
            .iter()
            .filter_map(|r| app(r.id.as_str()))
            .collect();
        status.unknown = recorded_ids
            .iter()
            .filter(|(_, id)| !project.revisions.iter().any(|r| Some(&r.id) == id.as_ref()))
            .filter(|(text, _)| layout.is_some() || app(text).is_some_and(|a| apps.contains(&a)))
            .map(|(text, _)| text.clone())
            .collect();
        status.stored = recorded.versions;
    }
    status.current = status
        .applied
        .iter()
        .copied()
        .filter(|&n| {
            !project
                .graph
                .children(n)
                .iter()
                .any(|c| status.applied.contains(c))
        })
        .collect();
    status.missing_heads = (0..project.revisions.len())
        .filter(|n| !status.applied.contains(n))
        .collect();
    status
}
