//! What the database commands share: validating the files, connecting, locking, and carrying
//! out a plan of actions, or printing it as SQL with `--sql`.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use colored::Colorize;
use postgres::Client;

use super::{Outcome, finish, refuse, stdout};
use crate::Error;
use crate::cli::WriteArgs;
use crate::database::apply::{Runner, Script};
use crate::database::history::{Applied, Direction, Record, State, Tables};
use crate::database::refinery_identity::{self as migration, Identity};
use crate::database::{self, ConnInfo, conninfo, lock};
use crate::diagnostic::{Format, Severity};
use crate::database::plan::{AppliedRevision, Planner, Target};
use crate::project::Project;
use crate::revision::DirFormat;
use crate::settings::Settings;
use crate::sql::Variables;

/// One thing a plan does to the database.
#[derive(Debug, Clone)]
pub(super) enum Action {
    /// Run a revision's up SQL and record it.
    Up(usize),
    /// Run an applied revision's down SQL and delete its record.
    Down(AppliedRevision),
    /// Record a revision without running it.
    StampUp(usize),
    /// Delete a revision's record without running anything.
    StampDown(AppliedRevision),
}

/// The files, validated, with each revision's refinery identity (indexed like the revisions).
pub(super) struct Files {
    pub project: Project,
    pub identities: Vec<Identity>,
}

/// Loads the migrations for a command that may write; `None` after printing the diagnostics
/// of an invalid graph, exactly as `check` prints them.
pub(super) fn load_valid(settings: &Settings) -> Result<Option<Files>, Error> {
    let project = Project::load(settings)?;
    if project.format == DirFormat::Alembic {
        refuse(&format!(
            "`{}` holds Alembic revisions, and migrate does not execute Python migrations: run them with `alembic`; `migrate current --check-heads` checks the result",
            settings.display_dir
        ));
        return Ok(None);
    }
    let diagnostics = project.diagnostics();
    let report = super::check::report(&project, &diagnostics);
    if report.count(Severity::Error) > 0 {
        let mut out = stdout();
        report.render(settings.format.unwrap_or(Format::Human), &mut out)?;
        finish(out)?;
        refuse("the migrations do not pass `migrate check`, so nothing was run");
        return Ok(None);
    }
    let identities = identities(&project)?;
    Ok(Some(Files {
        project,
        identities,
    }))
}

/// Each revision's refinery identity; any revision number beyond int4 is an error.
pub(super) fn identities(project: &Project) -> Result<Vec<Identity>, Error> {
    project
        .revisions
        .iter()
        .map(|r| {
            let text = project.sources.get(&r.path).map_or("", String::as_str);
            migration::identity(r, text)
        })
        .collect()
}

/// Connects to the configured database.
pub(super) fn connect(settings: &Settings) -> Result<(Client, ConnInfo), Error> {
    let url = settings.require_database_url()?;
    let info = ConnInfo::parse(url, &conninfo::process_env)?;
    let client = database::connect(&info)?;
    Ok((client, info))
}

/// The applied rows as the planner sees them, each matched to its file by number.
pub(super) fn applied_revisions(state: &State, identities: &[Identity]) -> Vec<AppliedRevision> {
    let nodes = nodes_by_version(identities);
    state
        .applied
        .iter()
        .map(|row| AppliedRevision {
            version: row.version,
            node: nodes.get(&row.version).copied(),
            applied_on: row.applied_on.clone().unwrap_or_default(),
        })
        .collect()
}

/// Each revision's graph node by its version, so matching history rows stays linear.
pub(super) fn nodes_by_version(identities: &[Identity]) -> HashMap<i32, usize> {
    identities
        .iter()
        .enumerate()
        .map(|(node, identity)| (identity.version, node))
        .collect()
}

/// Options of a writing command.
pub(super) struct Options<'a> {
    pub name: &'static str,
    pub target: &'a str,
    pub write: &'a WriteArgs,
    pub single_transaction: bool,
    /// `upgrade` refuses drifted files and unknown revisions; the others need not.
    pub guard: bool,
    pub allow_unknown: bool,
    /// Where an offline `--sql` range starts when only TO is given.
    pub sql_from: &'static str,
    /// Which command this is, for what differs between them.
    pub kind: Kind,
}

/// The writing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Upgrade,
    Downgrade,
    Stamp,
}

type PlanFn<'f> = &'f dyn Fn(&Planner<'_>, &Target) -> Result<Vec<Action>, Error>;

/// Runs a writing command: offline with `--sql`, else locked against other runners.
pub(super) fn write(
    settings: &Settings,
    options: &Options<'_>,
    plan: PlanFn<'_>,
) -> Result<Outcome, Error> {
    let variables = Variables::from_pairs(&options.write.set).map_err(Error::Usage)?;
    let Some(files) = load_valid(settings)? else {
        return Ok(Outcome::Failure);
    };
    let tables = Tables::new(&settings.history_table);
    if options.write.sql {
        return offline(&files, &tables, options, plan);
    }
    let target = Target::parse(options.target)?;
    let (mut client, info) = connect(settings)?;
    let table = settings.history_table.to_string();
    lock::acquire(&mut client, &table, options.write.lock_timeout)?;
    let state = tables.read(&mut client)?;
    if options.guard && !guard(&files, &state, options.allow_unknown) {
        return Ok(Outcome::Failure);
    }
    if options.kind == Kind::Downgrade
        && let Some(partial) = state.progress.iter().find(|p| p.direction == Direction::Up)
    {
        refuse(&format!(
            "revision {} stopped part-way through its upgrade ({} statement(s) ran): finish it with              `migrate upgrade`, or undo those statements by hand and run `migrate stamp` to clear the record",
            partial.version, partial.done
        ));
        return Ok(Outcome::Failure);
    }
    let planner = Planner::new(&files.project, applied_revisions(&state, &files.identities));
    let actions = plan(&planner, &target)?;
    let Some(steps) = prepare(&files, &state, &actions, &variables, options) else {
        return Ok(Outcome::Failure);
    };
    eprintln!(
        "{} {} on {info}: {}",
        "note:".cyan().bold(),
        options.name,
        if steps.is_empty() {
            "nothing to do".to_owned()
        } else {
            crate::diagnostic::plural(steps.len(), "revision")
        }
    );
    let clear = options.kind == Kind::Stamp && !state.progress.is_empty();
    if steps.is_empty() && !clear {
        lock::release(&mut client, &table)?;
        return Ok(Outcome::Success);
    }
    // Only now, with a plan that passed every check, is anything created.
    let prepared = tables.writer_setup(&mut client)?;
    let mut runner = Runner {
        client: &mut client,
        prepared,
        variables: &variables,
        single: options.single_transaction,
    };
    let outcome = execute(&mut runner, &steps, &state)?;
    if clear && outcome == Outcome::Success {
        tables.clear_progress(&mut client)?;
    }
    lock::release(&mut client, &table)?;
    Ok(outcome)
}

/// Refuses to upgrade a database whose applied files changed, or that is ahead of the files.
fn guard(files: &Files, state: &State, allow_unknown: bool) -> bool {
    let mut ok = true;
    for row in &state.applied {
        match files
            .identities
            .iter()
            .position(|i| i.version == row.version)
        {
            Some(node) => {
                let identity = &files.identities[node];
                if row.checksum.as_deref() != Some(identity.checksum.as_str()) {
                    refuse(&format!(
                        "{} changed since it was applied on {} (checksum {} in the database, {} now)\n  \
                         an applied migration must not be edited: restore the file as it was (`git log -p -- {}`) \
                         and write the change as a new revision",
                        files.project.revisions[node].path,
                        row.applied_on.as_deref().unwrap_or("an unknown date"),
                        row.checksum.as_deref().unwrap_or("NULL"),
                        identity.checksum,
                        files.project.revisions[node].path,
                    ));
                    ok = false;
                }
            }
            None if !allow_unknown => {
                refuse(&unknown_message(row));
                ok = false;
            }
            None => {}
        }
    }
    for progress in &state.progress {
        if progress.direction == Direction::Down {
            refuse(&format!(
                "revision {} stopped part-way through a downgrade ({}); finish it with `migrate downgrade` first",
                progress.version, progress.error
            ));
            ok = false;
        }
    }
    ok
}

/// The message for a history row no file knows: the database is ahead of this checkout.
pub(super) fn unknown_message(row: &Applied) -> String {
    let file = row
        .meta
        .as_ref()
        .and_then(|m| m.file_name.clone())
        .unwrap_or_else(|| format!("a file named {}", row.name.as_deref().unwrap_or("?")));
    format!(
        "the database has revision {} ({file}, applied {}), which no file here knows: \
         the database is ahead of these migrations, as when an older release runs against a newer database\n  \
         deploy the release that has that file; or undo it with `migrate downgrade`, which uses the down SQL stored when it was applied; \
         or pass `--allow-unknown` to upgrade anyway",
        row.version,
        row.applied_on.as_deref().unwrap_or("at an unknown date"),
    )
}

/// One action with everything needed to carry it out.
struct Step<'a> {
    action: Action,
    label: String,
    record: Record<'a>,
    script: Option<Script<'a>>,
}

/// Turns actions into steps, refusing before anything runs when a variable has no value, a
/// revision cannot be reverted, or `--single-transaction` meets a `transaction:false` section.
fn prepare<'a>(
    files: &'a Files,
    state: &'a State,
    actions: &[Action],
    variables: &Variables,
    options: &Options<'_>,
) -> Option<Vec<Step<'a>>> {
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    for action in actions {
        match step(files, state, action, variables) {
            Ok(step) => {
                if options.single_transaction
                    && step.script.as_ref().is_some_and(|s| !s.transaction)
                {
                    problems.push(format!(
                        "{} runs outside a transaction (`transaction:false`), which `--single-transaction` cannot include",
                        step.label
                    ));
                }
                steps.push(step);
            }
            Err(problem) => problems.push(problem),
        }
    }
    for problem in &problems {
        refuse(&format!("{problem}; nothing was run"));
    }
    problems.is_empty().then_some(steps)
}

/// SQL to run: where it comes from, the text, its first line and whether it is transactional.
type Source<'a> = (String, &'a str, usize, bool);

/// One action's step, or the reason it cannot run.
fn step<'a>(
    files: &'a Files,
    state: &'a State,
    action: &Action,
    variables: &Variables,
) -> Result<Step<'a>, String> {
    let (record, source, label): (Record<'a>, Option<Source<'a>>, String) = match action {
        Action::Up(node) | Action::StampUp(node) => {
            let revision = &files.project.revisions[*node];
            let source = revision.up.as_ref().map(|up| {
                (
                    revision.path.clone(),
                    up.sql.as_str(),
                    up.line + 1,
                    up.transaction,
                )
            });
            (
                file_record(files, *node),
                source,
                revision.file_name().to_owned(),
            )
        }
        Action::Down(applied) | Action::StampDown(applied) => {
            if let Some(node) = applied.node {
                let revision = &files.project.revisions[node];
                let source = revision.down.as_ref().map(|d| {
                    (
                        revision.path.clone(),
                        d.sql.as_str(),
                        d.line + 1,
                        d.transaction,
                    )
                });
                (
                    file_record(files, node),
                    source,
                    revision.file_name().to_owned(),
                )
            } else {
                // Known only to the database: its down SQL is the one stored when it was applied.
                let row = state.get(applied.version);
                let meta = row.and_then(|r| r.meta.as_ref());
                let label = meta
                    .and_then(|m| m.file_name.clone())
                    .unwrap_or_else(|| format!("revision {}", applied.version));
                let source = meta.and_then(|m| {
                    m.down_sql.as_deref().map(|sql| {
                        (
                            format!("the down SQL of {label} stored in the database"),
                            sql,
                            1,
                            m.down_transaction,
                        )
                    })
                });
                (stored_record(applied, row), source, label)
            }
        }
    };
    let script = match (action, source) {
        (Action::StampUp(_) | Action::StampDown(_), _) => None,
        (_, Some((origin, sql, line, transaction))) => Some(
            Script::new(origin, sql, line, transaction, variables).map_err(|missing| {
                format!(
                    "{label} uses {} without a value: pass `--set NAME=VALUE` or set the environment variable",
                    missing
                        .iter()
                        .map(|m| format!("`:'{m}'`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?,
        ),
        (_, None) => {
            return Err(format!(
                "{label} cannot be reverted: it has no `-- migrate:down` section"
            ));
        }
    };
    Ok(Step {
        action: action.clone(),
        label,
        record,
        script,
    })
}

fn file_record(files: &Files, node: usize) -> Record<'_> {
    let revision = &files.project.revisions[node];
    let identity = &files.identities[node];
    Record {
        version: identity.version,
        name: &identity.name,
        checksum: identity.checksum.clone(),
        parents: revision
            .parent_ids()
            .iter()
            .map(|id| id.as_str().to_owned())
            .collect(),
        file_name: revision.file_name(),
        down_sql: revision.down.as_ref().map(|d| d.sql.as_str()),
        down_transaction: revision.down.as_ref().is_none_or(|d| d.transaction),
    }
}

fn stored_record<'a>(applied: &AppliedRevision, row: Option<&'a Applied>) -> Record<'a> {
    Record {
        version: applied.version,
        name: row.and_then(|r| r.name.as_deref()).unwrap_or(""),
        checksum: row.and_then(|r| r.checksum.clone()).unwrap_or_default(),
        parents: Vec::new(),
        file_name: "",
        down_sql: None,
        down_transaction: true,
    }
}

/// Carries out the steps, printing one line per revision; on failure, names what was applied.
fn execute(runner: &mut Runner<'_>, steps: &[Step<'_>], state: &State) -> Result<Outcome, Error> {
    let mut out = stdout();
    if runner.single && !steps.is_empty() {
        runner
            .client
            .batch_execute("BEGIN")
            .map_err(|e| database::history::db_error("begin the transaction", &e))?;
    }
    let mut done: Vec<&str> = Vec::new();
    for step in steps {
        let (verb, result) = match (&step.action, &step.script) {
            (Action::Up(_), Some(script)) => (
                "applied",
                runner.run(
                    script,
                    &step.record,
                    Direction::Up,
                    state.progress_of(step.record.version),
                ),
            ),
            (Action::Down(_), Some(script)) => (
                "reverted",
                runner.run(
                    script,
                    &step.record,
                    Direction::Down,
                    state.progress_of(step.record.version),
                ),
            ),
            (Action::StampUp(_), _) => (
                "stamped",
                runner.stamp(&step.record, Direction::Up).map(|()| 0),
            ),
            (_, _) => (
                "unstamped",
                runner.stamp(&step.record, Direction::Down).map(|()| 0),
            ),
        };
        match result {
            Ok(ms) => {
                writeln!(
                    out,
                    "{verb:<9} {}  {}",
                    step.label,
                    format!("{ms} ms").dimmed()
                )?;
                out.flush()?;
                done.push(&step.label);
            }
            Err(message) => {
                finish(out)?;
                if runner.single {
                    let _ = runner.client.batch_execute("ROLLBACK");
                }
                refuse(&format!("{} failed: {message}", step.label));
                if !runner.single && !done.is_empty() {
                    eprintln!(
                        "  {} before the failure, and still in place: {}",
                        if matches!(step.action, Action::Up(_)) {
                            "applied"
                        } else {
                            "done"
                        },
                        done.join(", ")
                    );
                }
                return Ok(Outcome::Failure);
            }
        }
    }
    if runner.single && !steps.is_empty() {
        runner
            .client
            .batch_execute("COMMIT")
            .map_err(|e| database::history::db_error("commit the transaction", &e))?;
    }
    finish(out)?;
    Ok(Outcome::Success)
}

/// `--sql`: the plan for a `FROM:TO` range as a script, with variables left for `psql -v`.
fn offline(
    files: &Files,
    tables: &Tables,
    options: &Options<'_>,
    plan: PlanFn<'_>,
) -> Result<Outcome, Error> {
    let (from, to) = options
        .target
        .split_once(':')
        .unwrap_or((options.sql_from, options.target));
    let assumed: BTreeSet<usize> = match from {
        "" | "base" => BTreeSet::new(),
        name => {
            let node = files.project.resolve(name)?;
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
    let actions = plan(&planner, &Target::parse(to)?)?;
    let state = State::default();
    let Some(steps) = prepare(files, &state, &actions, &Variables::unbound(), options) else {
        return Ok(Outcome::Failure);
    };
    let mut out = stdout();
    writeln!(out, "-- migrate {} --sql {from}:{to}", options.name)?;
    if assumed.is_empty() {
        write!(out, "{}", tables.create_sql())?;
    }
    for step in &steps {
        writeln!(out, "\n-- {}", step.label)?;
        let transaction = step.script.as_ref().is_none_or(|s| s.transaction);
        if transaction {
            writeln!(out, "BEGIN;")?;
        }
        if let Some(script) = &step.script {
            writeln!(out, "{}", script.sql.trim_end())?;
            if !script.sql.trim_end().ends_with(';') {
                writeln!(out, ";")?;
            }
        }
        let history = match step.action {
            Action::Up(_) | Action::StampUp(_) => tables.record_sql(&step.record),
            Action::Down(_) | Action::StampDown(_) => tables.forget_sql(step.record.version),
        };
        writeln!(out, "{history};")?;
        if transaction {
            writeln!(out, "COMMIT;")?;
        }
    }
    finish(out)?;
    Ok(Outcome::Success)
}
