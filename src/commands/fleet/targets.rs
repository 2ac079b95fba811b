//! The fleet's target list: the databases of a file or a query, or the schemas of a query,
//! checked before anything runs (none, or one named twice, is refused) and cut to this
//! runner's shard.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use postgres::{Client, SimpleQueryMessage};
use siphasher::sip::SipHasher13;

use crate::Error;
use crate::cli::{FleetArgs, Shard};
use crate::database::{self, ConnInfo, conninfo};
use crate::diagnostic::{Diagnostic, Location, refusal};
use crate::escape::one_line;
use crate::settings::{HistoryTable, Settings};
use crate::source::bounded;

/// Where the targets come from.
#[derive(Debug, Clone)]
pub(in crate::commands) enum Source {
    /// A file of connection strings, one per line.
    File(PathBuf),
    /// A query returning connection strings or database names.
    Query(String),
    /// A query returning schema names of the `--database-url` database.
    Schemas(String),
}

/// Where one target's revisions run.
#[derive(Debug, Clone)]
pub(super) enum Place {
    /// A database of its own.
    Database(Box<ConnInfo>),
    /// A schema of the `--database-url` database, with its history table in it.
    Schema(String),
}

/// One target of the fleet.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// As output shows it: `user@host:port/db` with no password, or the schema's name.
    pub shown: String,
    /// What makes two targets the same: the host, port and database (or the schema), so
    /// that two lines for one database with different users or passwords are one target.
    pub key: String,
    pub place: Place,
}

/// The target list the flags, the environment or `[targets]` in migrate.toml name; `None`
/// when none does (one database, as without the fleet).
pub(in crate::commands) fn source(
    args: &FleetArgs,
    settings: &Settings,
) -> Result<Option<Source>, Error> {
    let given = [
        args.targets.clone().map(Source::File),
        args.targets_query.clone().map(Source::Query),
        args.schemas_query.clone().map(Source::Schemas),
    ];
    let mut given = given.into_iter().flatten();
    let from_flags = given.next();
    if given.next().is_some() {
        return Err(Error::Usage(
            "give one target list: --targets, --targets-query or --schemas-query".to_owned(),
        ));
    }
    let configured = &settings.targets;
    let chosen = from_flags.or_else(|| {
        configured
            .file
            .clone()
            .map(Source::File)
            .or_else(|| configured.query.clone().map(Source::Query))
            .or_else(|| configured.schemas_query.clone().map(Source::Schemas))
    });
    if chosen.is_none() && args.tuning_given() {
        return Err(Error::Usage(
            "--jobs, --canary, --max-failures and --shard need a target list: --targets FILE, \
             --targets-query SQL or --schemas-query SQL (or [targets] in migrate.toml)"
                .to_owned(),
        ));
    }
    Ok(chosen)
}

/// The targets `source` names, checked: an empty list or one naming a target twice is a
/// refusal. `control` is the `--database-url` connection a query runs on, opened when needed.
pub(super) fn resolve(
    settings: &Settings,
    source: &Source,
    control: &mut Option<(Client, ConnInfo)>,
) -> Result<Result<Vec<Target>, Diagnostic>, Error> {
    let (targets, origin) = match source {
        Source::File(path) => (from_file(path)?, Some(path.as_path())),
        Source::Query(sql) => (from_query(settings, sql, control, false)?, None),
        Source::Schemas(sql) => (from_query(settings, sql, control, true)?, None),
    };
    if targets.is_empty() {
        return Ok(Err(refusal::invalid_targets(
            &format!("{} names no target", shown_source(source)),
            None,
        )));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, (line, target)) in targets.iter().enumerate() {
        if let Some(&first) = seen.get(target.key.as_str()) {
            let place = |n: usize| {
                origin.map_or_else(
                    || format!("row {}", n + 1),
                    |_| format!("line {}", targets[n].0),
                )
            };
            let location = origin.map(|path| Location::file(&crate::relpath::display(path)));
            let location = location.map(|l| Location { line: *line, ..l });
            return Ok(Err(refusal::invalid_targets(
                &format!(
                    "{} names `{}` twice ({} and {})",
                    shown_source(source),
                    one_line(&target.shown),
                    place(first),
                    place(i)
                ),
                location,
            )));
        }
        seen.insert(&target.key, i);
    }
    Ok(Ok(targets.into_iter().map(|(_, t)| t).collect()))
}

fn shown_source(source: &Source) -> String {
    match source {
        Source::File(path) => format!(
            "the target file `{}`",
            one_line(&crate::relpath::display(path))
        ),
        Source::Query(_) => "the targets query".to_owned(),
        Source::Schemas(_) => "the schemas query".to_owned(),
    }
}

/// Each target of the file with its 1-based line.
fn from_file(path: &Path) -> Result<Vec<(usize, Target)>, Error> {
    let shown = crate::relpath::display(path);
    let text =
        bounded::read_to_string(path, bounded::CONFIG_LIMIT).map_err(|source| Error::Io {
            action: "read the target file",
            path: shown.clone(),
            source,
        })?;
    let mut targets = Vec::new();
    for (n, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let line_no = n + 1;
        let entry = line.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        // The message never holds the line: it may carry a password.
        let info = ConnInfo::parse(entry, &conninfo::process_env).map_err(|e| {
            Error::Usage(format!(
                "`{}`, line {line_no}: not a connection string ({}); the line is not shown, since it may hold a password",
                one_line(&shown),
                one_line(&e.to_string())
            ))
        })?;
        targets.push((line_no, database_target(info)));
    }
    Ok(targets)
}

/// A database target, keyed by where it is.
fn database_target(info: ConnInfo) -> Target {
    // Host names are case-insensitive; a database name is not.
    let hosts: Vec<String> = info.hosts().iter().map(|h| h.to_lowercase()).collect();
    let dbname = info
        .config
        .get_dbname()
        .or(info.config.get_user())
        .unwrap_or_default();
    Target {
        shown: info.to_string(),
        key: format!("{}/{dbname}", hosts.join(",")),
        place: Place::Database(Box::new(info)),
    }
}

/// The targets a query returns: one column, each value a connection string, a database name
/// (which takes the `--database-url`'s other parts), or with `schemas` a schema name.
fn from_query(
    settings: &Settings,
    sql: &str,
    control: &mut Option<(Client, ConnInfo)>,
    schemas: bool,
) -> Result<Vec<(usize, Target)>, Error> {
    let what = if schemas { "schemas" } else { "targets" };
    if control.is_none() {
        let url = settings.require_database_url()?;
        let info = ConnInfo::parse(url, &conninfo::process_env)?;
        let client = database::connect(&info)?;
        *control = Some((client, info));
    }
    let Some((client, base)) = control.as_mut() else {
        return Ok(Vec::new());
    };
    let messages = client.simple_query(sql).map_err(|e| {
        Error::Database(format!(
            "the {what} query failed: {}",
            database::describe(&e)
        ))
    })?;
    let mut targets = Vec::new();
    for message in messages {
        let SimpleQueryMessage::Row(row) = message else {
            continue;
        };
        let row_no = targets.len() + 1;
        if row.len() != 1 {
            return Err(Error::Usage(format!(
                "the {what} query returns {} columns: it must return one",
                row.len()
            )));
        }
        let Some(value) = row.get(0) else {
            return Err(Error::Usage(format!(
                "the {what} query returns NULL in row {row_no}"
            )));
        };
        // An empty name would connect to the database named after the user.
        if value.trim().is_empty() {
            return Err(Error::Usage(format!(
                "the {what} query returns an empty value in row {row_no}"
            )));
        }
        let target = if schemas {
            schema_target(value, &settings.history_table)
                .map_err(|e| Error::Usage(format!("row {row_no} of the schemas query: {e}")))?
        } else if value.contains("://") || value.contains('=') {
            let info = ConnInfo::parse(value, &conninfo::process_env).map_err(|e| {
                Error::Usage(format!(
                    "row {row_no} of the targets query: not a connection string ({}); the value is not shown",
                    one_line(&e.to_string())
                ))
            })?;
            database_target(info)
        } else {
            let mut info = base.clone();
            info.config.dbname(value);
            database_target(info)
        };
        targets.push((row_no, target));
    }
    if schemas {
        missing_schemas(client, &targets)?;
    }
    Ok(targets)
}

/// Refuses schemas that do not exist (a typo would become a new tenant) and the system's own.
fn missing_schemas(client: &mut Client, targets: &[(usize, Target)]) -> Result<(), Error> {
    let names: Vec<&str> = targets.iter().map(|(_, t)| t.key.as_str()).collect();
    if let Some((row, target)) = targets
        .iter()
        .find(|(_, t)| t.key == "information_schema" || t.key.starts_with("pg_"))
    {
        return Err(Error::Usage(format!(
            "row {row} of the schemas query: `{}` is a system schema",
            one_line(&target.key)
        )));
    }
    let existing: std::collections::HashSet<String> = client
        .query(
            "SELECT nspname::text FROM pg_namespace WHERE nspname = ANY($1)",
            &[&names],
        )
        .map_err(|e| {
            Error::Database(format!(
                "cannot read the schemas: {}",
                database::describe(&e)
            ))
        })?
        .iter()
        .map(|row| row.get(0))
        .collect();
    match targets.iter().find(|(_, t)| !existing.contains(&t.key)) {
        Some((row, target)) => Err(Error::Usage(format!(
            "row {row} of the schemas query: schema `{}` does not exist; migrate runs in schemas, it does not create them",
            one_line(&target.key)
        ))),
        None => Ok(()),
    }
}

/// A schema target; its name must make a valid history table name with the configured table.
fn schema_target(schema: &str, table: &HistoryTable) -> Result<Target, String> {
    HistoryTable::parse(&format!("{schema}.{}", table.name)).map_err(|_| {
        format!(
            "schema `{}` is not a name migrate's history tables take (lower-case letters, digits and `_`, at most 63)",
            one_line(schema)
        )
    })?;
    Ok(Target {
        shown: schema.to_owned(),
        key: schema.to_owned(),
        place: Place::Schema(schema.to_owned()),
    })
}

/// The targets of `shard`: those whose key hashes to it. A target's share depends on its key
/// alone, so adding a target moves no other, and the shards are disjoint and cover the list.
pub(super) fn shard(targets: Vec<Target>, shard: Option<Shard>) -> Vec<Target> {
    let Some(shard) = shard else {
        return targets;
    };
    targets
        .into_iter()
        .filter(|t| share(&t.key, shard.count) == shard.index)
        .collect()
}

/// The share of `key` among `count`: SipHash-1-3 with fixed keys, the same on every machine
/// and in every release.
pub(super) fn share(key: &str, count: u32) -> u32 {
    use std::hash::Hasher as _;
    let mut hasher = SipHasher13::new_with_keys(0x6d69_6772_6174_6521, 0x666c_6565_7400_0001);
    hasher.write(key.as_bytes());
    u32::try_from(hasher.finish() % u64::from(count.max(1))).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(name: &str) -> Target {
        Target {
            shown: name.to_owned(),
            key: name.to_owned(),
            place: Place::Schema(name.to_owned()),
        }
    }

    #[test]
    fn shards_are_disjoint_cover_the_list_and_stay_put_when_a_target_is_added() {
        let list: Vec<Target> = (0..500).map(|i| schema(&format!("tenant_{i}"))).collect();
        for count in 1..=7 {
            let mut seen = std::collections::BTreeMap::new();
            for index in 0..count {
                for target in shard(list.clone(), Some(Shard { index, count })) {
                    assert!(seen.insert(target.key, index).is_none(), "in two shards");
                }
            }
            assert_eq!(
                seen.len(),
                list.len(),
                "N = {count}: some target in no shard"
            );
            // One more target moves none of the others.
            let mut longer = list.clone();
            longer.push(schema("tenant_new"));
            for index in 0..count {
                for target in shard(longer.clone(), Some(Shard { index, count })) {
                    if target.key != "tenant_new" {
                        assert_eq!(seen[&target.key], index);
                    }
                }
            }
            // Shares are even enough to be worth a pod each.
            let smallest = (0..count)
                .map(|i| seen.values().filter(|&&s| s == i).count())
                .min()
                .unwrap_or(0);
            assert!(
                smallest * 2 > list.len() / count as usize,
                "N = {count}: {smallest}"
            );
        }
    }

    /// A release that hashed differently would move targets between pods of one deploy run
    /// with two versions: the values are fixed.
    #[test]
    fn the_hash_is_the_same_in_every_release() {
        let shares: Vec<u32> = ["127.0.0.1:5432/tenant_1", "db:5432/app", "tenant_42"]
            .iter()
            .map(|k| share(k, 7))
            .collect();
        assert_eq!(shares, FIXED);
    }

    const FIXED: [u32; 3] = [2, 4, 2];
}
