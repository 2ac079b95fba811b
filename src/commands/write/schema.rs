//! `migrate schema`: the catalog snapshot `verify` compares, as stable text, one object per
//! block, sorted by kind and name: a lean `pg_dump --schema-only` that diffs cleanly in review.
//! With a database URL, that database as it is; else a throwaway cluster upgraded to head.

use super::scratch::open_scratch;
use super::steps;
use super::verify::{history_tables, scratch_runner};
use super::verify_step::run_step;
use super::{Action, load_valid};
use crate::Error;
use crate::cli::SchemaArgs;
use crate::database::history::{Direction, State, Tables};
use crate::database::snapshot::{self, Scope};
use crate::database::{self, conninfo};
use crate::diagnostic::Rule;
use crate::output::{Body, Progress, Report, SchemaObject};
use crate::settings::Settings;
use crate::sql::Variables;

pub(in crate::commands) fn run(
    settings: &Settings,
    args: &SchemaArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let tables = Tables::new(&settings.history_table);
    let skip = history_tables(&tables);
    let snapshot = if let Some((url, _)) = &settings.database_url {
        let info = conninfo::ConnInfo::parse(url, &conninfo::process_env)?;
        let mut client = database::connect(&info)?;
        let scope = Scope {
            skip_tables: &skip,
            known_roles: &[],
            spent: std::cell::Cell::default(),
        };
        snapshot::take(&mut client, &scope)?
    } else {
        let name = format!("migrate_schema_{}", crate::unique::hex12());
        let mut pairs = args.set.clone();
        pairs.extend(args.database_variable.iter().map(|v| format!("{v}={name}")));
        let variables = Variables::from_pairs(&pairs).map_err(Error::Usage)?;
        let files = match load_valid(settings, "schema")? {
            Ok(files) => files,
            Err(refusal) => return Ok(refusal),
        };
        let (_cluster, scratch) =
            open_scratch(settings, &name, args.postgres.as_deref(), progress)?;
        let info = scratch.info();
        let mut client = database::connect(&info)?;
        let prepared = tables.writer_setup(&mut client, false, true)?;
        let mut runner = scratch_runner(&mut client, &tables, prepared, &variables, &info);
        let state = State::default();
        for node in files.project.graph.topological_order() {
            let step = match steps::step(&files, &state, &Action::Up(node), &variables) {
                Ok(step) => step,
                Err(problem) => return Ok(Report::refused("schema", *problem)),
            };
            if let Some(failed) = run_step(
                &mut runner,
                &step,
                Direction::Up,
                Rule::UpgradeFailed,
                "upgrade",
            ) {
                return Ok(Report::refused("schema", failed));
            }
        }
        let scope = Scope {
            skip_tables: &skip,
            known_roles: &scratch.known_roles,
            spent: std::cell::Cell::default(),
        };
        snapshot::take(runner.client, &scope)?
    };
    let objects = snapshot
        .objects
        .into_iter()
        .map(|((kind, name), definition)| SchemaObject {
            kind,
            name,
            definition,
        })
        .collect();
    Ok(Report::new("schema", Body::Schema { objects }))
}
