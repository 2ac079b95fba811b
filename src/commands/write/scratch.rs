//! The scratch database `verify` and `schema` run in: on the server the URL names, else on a
//! throwaway cluster of the server binaries chosen for it, and dropped however the run ends,
//! with the roles the run made.

use super::verify_roles;
use crate::Error;
use crate::database::server_binaries::{self, Asked, Chosen};
use crate::database::{self, ConnInfo, conninfo, snapshot, throwaway};
use crate::escape;
use crate::output::{Progress, RunServer};
use crate::settings::Settings;
use crate::sql::quote;

/// The scratch database, dropped however the run ends, with the roles the run created.
pub(super) struct Scratch {
    admin: ConnInfo,
    name: String,
    /// The roles there were before the run: never dropped, never compared.
    pub(super) known_roles: Vec<String>,
    /// The SQL sent to the scratch database, variables bound: a role made during the run is
    /// dropped only when this names it, for other sessions make roles on a shared server too.
    pub(super) sent: Vec<String>,
    /// The server binaries of a throwaway cluster, and why they were chosen.
    pub(super) chosen: Option<Chosen>,
}

impl Scratch {
    /// How to connect to the scratch database.
    pub(super) fn info(&self) -> ConnInfo {
        let mut info = self.admin.clone();
        info.config.dbname(&self.name);
        info
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A fresh connection: the run's may be broken, and a database in use cannot be dropped.
        let Ok(mut admin) = database::connect(&self.admin) else {
            return;
        };
        let _ = admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote::identifier(&self.name)
        ));
        for role in snapshot::roles(&mut admin).unwrap_or_default() {
            if !self.known_roles.contains(&role)
                && self.sent.iter().any(|sql| verify_roles::named(sql, &role))
            {
                let _ = admin
                    .batch_execute(&format!("DROP ROLE IF EXISTS {}", quote::identifier(&role)));
            }
        }
    }
}

/// The server to verify on (the URL's, else a throwaway cluster made from the binaries
/// `--postgres`, `MIGRATE_POSTGRES_BIN`, `postgres` or `pg_version` choose, which goes with the
/// first value returned) and the scratch database made there.
pub(super) fn open_scratch(
    settings: &Settings,
    name: &str,
    postgres: Option<&str>,
    progress: &mut Progress,
) -> Result<(Option<throwaway::Cluster>, Scratch), Error> {
    let mut chosen = None;
    let (admin, cluster) = if let Some((url, _)) = &settings.database_url {
        (
            conninfo::ConnInfo::parse(url, &conninfo::process_env)?,
            None,
        )
    } else {
        let asked = match (postgres, &settings.postgres) {
            (Some(value), _) => Some(Asked {
                value,
                origin: "`--postgres`".to_owned(),
            }),
            (None, Some((value, origin))) => Some(Asked {
                value,
                origin: origin.to_string(),
            }),
            (None, None) => None,
        };
        let lint = &settings.lint;
        let server = server_binaries::choose(asked, lint.written.then_some(lint.pg_major))?;
        let binaries = &server.binaries;
        progress.note(&format!(
            "no database URL: starting a throwaway PostgreSQL {} cluster from {} ({})",
            binaries.version,
            escape::one_line(&binaries.dir.display().to_string()),
            server.why
        ));
        if lint.written && binaries.major != lint.pg_major {
            progress.warn(&format!(
                "`pg_version` in migrate.toml is {}, but this runs on PostgreSQL {}: what passes here may fail there",
                lint.pg_major, binaries.major
            ));
        }
        let cluster = throwaway::start(&binaries.dir)?;
        chosen = Some(server);
        (cluster.info.clone(), Some(cluster))
    };
    let mut admin_client = database::connect(&admin)?;
    admin_client
        .batch_execute(&format!("CREATE DATABASE {}", quote::identifier(name)))
        .map_err(|e| {
            Error::Database(format!(
                "cannot create the scratch database {name} (verify needs CREATEDB on {admin}): {}",
                database::describe(&e)
            ))
        })?;
    let known_roles = snapshot::roles(&mut admin_client)?;
    Ok((
        cluster,
        Scratch {
            admin,
            name: name.to_owned(),
            known_roles,
            sent: Vec::new(),
            chosen,
        },
    ))
}

/// The server a run is on: the version it reports, which is what `verify` judges on, and for a
/// throwaway cluster the binaries and what chose them.
pub(super) fn run_server(
    client: &mut postgres::Client,
    scratch: &Scratch,
) -> Result<RunServer, Error> {
    let row = client
        .query_one("SELECT current_setting('server_version')", &[])
        .map_err(|e| database::history::db_error("read the server's version", &e))?;
    let said: String = row.get(0);
    Ok(RunServer {
        // Debian's servers add their package's version: `15.18 (Debian 15.18-0+deb12u1)`.
        version: said
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
        binaries: (scratch.chosen.as_ref()).map(|c| c.binaries.dir.display().to_string()),
        chosen_by: scratch.chosen.as_ref().map(|c| c.why.clone()),
    })
}
