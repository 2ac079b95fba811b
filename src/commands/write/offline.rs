//! `--sql`: the plan for a `FROM:TO` range as a script, with variables left for `psql -v`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{Action, Command, Files, steps};
use crate::Error;
use crate::database::history::{State, Tables};
use crate::database::plan::{AppliedRevision, Planner, Target};
use crate::output::{Body, Report};
use crate::sql::Variables;

/// The script of `command` over the range its target names.
pub(super) fn script(
    files: &Files,
    tables: &Tables,
    command: Command<'_>,
) -> Result<Report, Error> {
    let name = command.name();
    let target = command.target_text();
    let (from, to) = target
        .split_once(':')
        .unwrap_or((command.sql_from(), target));
    let assumed: BTreeSet<usize> = match from {
        "" | "base" => BTreeSet::new(),
        revision => {
            let node = files.project.resolve(revision)?;
            let mut set = files.project.graph.ancestors(node);
            set.insert(node);
            set
        }
    };
    let applied: Vec<AppliedRevision> = assumed
        .iter()
        .map(|node| AppliedRevision {
            version: files.identities[*node].version,
            node: Some(*node),
            applied_on: String::new(),
        })
        .collect();
    let planner = Planner::new(&files.project, applied);
    let actions = command.plan(&planner, &Target::parse(to)?)?;
    let state = State::default();
    let steps = match steps::prepare(files, &state, &actions, &Variables::unbound(), command) {
        Ok(steps) => steps,
        Err(refusals) => {
            let mut report = Report::new(name, Body::Nothing);
            report.diagnostics = refusals;
            return Ok(report);
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "-- migrate {name} --sql {from}:{to}");
    if assumed.is_empty() {
        out.push_str(&tables.create_sql());
    }
    for step in &steps {
        let _ = writeln!(out, "\n-- {}", step.label);
        let transaction = step.script.as_ref().is_none_or(|s| s.transaction);
        if transaction {
            let _ = writeln!(out, "BEGIN;");
        }
        if let Some(script) = &step.script {
            let _ = writeln!(out, "{}", script.sql.trim_end());
            if !script.sql.trim_end().ends_with(';') {
                let _ = writeln!(out, ";");
            }
        }
        let history = match step.action {
            Action::Up(_) | Action::StampUp(_) => tables.record_sql(&step.record),
            Action::Down(_) | Action::StampDown(_) => tables.forget_sql(step.record.version),
        };
        let _ = writeln!(out, "{history};");
        if transaction {
            let _ = writeln!(out, "COMMIT;");
        }
    }
    Ok(Report::new(name, Body::Sql(out)))
}
