//! The engine of the writing commands, `upgrade`, `downgrade` and `stamp`: the gate that
//! refuses before anything runs (`gate`), the steps a plan becomes (`steps`), carrying them out
//! under the lock (`execute`), and the offline script of `--sql` (`offline`).
//!
//! What differs between the three commands follows from which command it is (`Command`).

mod execute;
mod fixtures;
mod gate;
mod matching;
mod offline;
mod pooled;
pub(super) mod schema;
mod scratch;
mod session;
mod steps;
pub(super) mod verify;
mod verify_plan;
mod verify_roles;
mod verify_step;
mod verify_words;

use postgres::Client;

use crate::Error;
use crate::cli::{DowngradeArgs, StampArgs, UpgradeArgs, WriteArgs};
use crate::database::history::{State, Tables};
use crate::database::plan::{AppliedRevision, Planner, Target};
use crate::database::refinery_identity::Identity;
use crate::database::{self, ConnInfo, conninfo, interrupt, lock, pooler};
use crate::diagnostic::refusal;
use crate::output::{Body, Progress, Report};
use crate::project::Project;
use crate::revision::Timeouts;
use crate::settings::Settings;
use crate::sql::Variables;

pub(super) use gate::load_valid;
pub(super) use matching::{
    applied_nodes, applied_revisions, identities, nodes_by_version, stored_label, unknown_revision,
    version_label,
};

/// How often such a statement is tried again, with backoff from 200 ms doubling to 5 s: about
/// 20 s of waiting in all before the run gives up.
const DEFAULT_LOCK_RETRIES: u32 = 5;

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

/// A writing command with its arguments: everything that differs between them follows from it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Command<'a> {
    Upgrade(&'a UpgradeArgs),
    Downgrade(&'a DowngradeArgs),
    Stamp(&'a StampArgs),
}

impl Command<'_> {
    pub(super) fn name(self) -> &'static str {
        match self {
            Command::Upgrade(_) => "upgrade",
            Command::Downgrade(_) => "downgrade",
            Command::Stamp(_) => "stamp",
        }
    }

    fn target_text(&self) -> &str {
        match self {
            Command::Upgrade(a) => &a.target,
            Command::Downgrade(a) => &a.target,
            Command::Stamp(a) => &a.target,
        }
    }

    pub(super) fn write(&self) -> std::borrow::Cow<'_, WriteArgs> {
        match self {
            Command::Upgrade(a) => std::borrow::Cow::Borrowed(&a.write),
            Command::Downgrade(a) => std::borrow::Cow::Borrowed(&a.write),
            Command::Stamp(a) => std::borrow::Cow::Owned(stamp_write(a)),
        }
    }

    fn single_transaction(self) -> bool {
        match self {
            Command::Upgrade(a) => a.single_transaction,
            Command::Downgrade(a) => a.single_transaction,
            Command::Stamp(_) => false,
        }
    }

    /// Where an offline `--sql` range starts when only TO is given.
    fn sql_from(self) -> &'static str {
        match self {
            Command::Downgrade(_) => "head",
            Command::Upgrade(_) | Command::Stamp(_) => "base",
        }
    }

    /// The actions that move the database to `target`.
    fn plan(self, planner: &Planner<'_>, target: &Target) -> Result<Vec<Action>, Error> {
        Ok(match self {
            Command::Upgrade(_) => planner
                .upgrade(target)?
                .into_iter()
                .map(Action::Up)
                .collect(),
            Command::Downgrade(_) => planner
                .downgrade(target)?
                .into_iter()
                .map(Action::Down)
                .collect(),
            Command::Stamp(_) => {
                let plan = planner.stamp(target)?;
                plan.remove
                    .into_iter()
                    .map(Action::StampDown)
                    .chain(plan.add.into_iter().map(Action::StampUp))
                    .collect()
            }
        })
    }
}

/// The files, validated, with each revision's refinery identity (indexed like the revisions).
pub(super) struct Files {
    pub project: Project,
    pub identities: Vec<Identity>,
}

/// What every database a command runs on shares: the files, validated, the variables and
/// the target, read once.
pub(crate) struct Prepared {
    pub files: Files,
    pub variables: Variables,
    pub target: Target,
}

/// How one database's run waits, where a fleet changes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waits {
    /// How long to wait for another runner's session lock.
    pub lock: std::time::Duration,
    /// The run needs a session that stays on one server connection (a schema target's
    /// `search_path`): refused on a path that may move it.
    pub needs_session: bool,
    /// The path is known to be direct: another connection to the same server was proven so,
    /// and the proof (which reads this process's sockets) need not be made again.
    pub known_direct: bool,
}

/// Runs a writing command: offline with `--sql`, else locked against other runners.
pub(super) fn run(
    settings: &Settings,
    command: Command<'_>,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let prepared = match prepare(settings, command)? {
        Ok(prepared) => prepared,
        Err(refusal) => return Ok(refusal),
    };
    if command.write().sql {
        let tables = Tables::new(&settings.history_table);
        return offline::script(&prepared.files, &tables, command);
    }
    let (mut client, info) = connect(settings)?;
    let waits = Waits {
        lock: command.write().lock_wait,
        needs_session: false,
        known_direct: false,
    };
    run_connected(
        settings,
        command,
        &prepared,
        &mut client,
        &info,
        waits,
        progress,
    )
}

/// Reads and checks what every database of the run shares; the report of a refusal when the
/// files are not fit to run.
pub(crate) fn prepare(
    settings: &Settings,
    command: Command<'_>,
) -> Result<Result<Prepared, Report>, Error> {
    let variables = Variables::from_pairs(&command.write().set).map_err(Error::Usage)?;
    let files = match load_valid(settings, command.name())? {
        Ok(files) => files,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let target = if command.write().sql {
        Target::parse("head")?
    } else {
        Target::parse(command.target_text())?
    };
    Ok(Ok(Prepared {
        files,
        variables,
        target,
    }))
}

/// The run on one database, on `client`: locked against other runners, each revision in its
/// transaction, interruptible.
pub(crate) fn run_connected(
    settings: &Settings,
    command: Command<'_>,
    prepared: &Prepared,
    client: &mut Client,
    info: &ConnInfo,
    waits: Waits,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let tables = Tables::new(&settings.history_table);
    let table = settings.history_table.to_string();
    let direct_condition = if waits.known_direct {
        "true".to_owned()
    } else {
        pooler::direct_condition(info)
    };
    let first = tables.first_look(client, &lock::try_sql(&table), &direct_condition)?;
    // The server's end of the connection is this process's socket: nothing in between, and
    // the server lets go of the session's lock when the connection ends, however it ends.
    let direct = first.direct;
    let moving = match may_move(settings, command, info, direct) {
        Ok(Some(why)) if waits.needs_session => {
            return Ok(Report::refused(
                command.name(),
                refusal::pooled_session_needed(
                    &info.to_string(),
                    "search_path of --schemas-query",
                    &why,
                ),
            ));
        }
        Ok(moving) => moving,
        Err(refused) => return Ok(*refused),
    };
    // From here on a signal cancels what runs on the server instead of abandoning it.
    let _watch = interrupt::Watch::start(client.cancel_token(), info, moving.is_some())?;
    let (timeouts, retries) = lock_policy(settings, command);
    let context = Context {
        command,
        files: &prepared.files,
        tables: &tables,
        info,
        variables: &prepared.variables,
        target: &prepared.target,
        timeouts,
        retries,
        lock_wait: waits.lock,
    };
    match moving {
        // No session lock, which the pooler could strand: each revision guards itself.
        Some(why) => pooled::run(&context, &why, client, progress),
        None => session::run(&context, client, first, progress),
    }
}

/// What a run needs from the command, whichever way it goes.
pub(super) struct Context<'a> {
    pub command: Command<'a>,
    pub files: &'a Files,
    pub tables: &'a Tables,
    pub info: &'a ConnInfo,
    pub variables: &'a Variables,
    pub target: &'a Target,
    pub timeouts: Timeouts,
    pub retries: u32,
    /// How long to wait for another runner's session lock.
    pub lock_wait: std::time::Duration,
}

/// The steps from `state` to `target`, or the report of the refusals that stop the run before
/// anything is sent: the gate's (drift, unknown revisions, ...) and the steps' own.
fn planned<'a>(
    files: &'a Files,
    state: &'a State,
    command: Command<'_>,
    target: &Target,
    variables: &Variables,
) -> Result<Result<Vec<steps::Step<'a>>, Report>, Error> {
    let refusals = gate::judge(files, state, command);
    let refusals = if refusals.is_empty() {
        let planner = Planner::new(&files.project, applied_revisions(state, &files.identities));
        let actions = command.plan(&planner, target)?;
        match steps::prepare(files, state, &actions, variables, command) {
            Ok(steps) => return Ok(Ok(steps)),
            Err(refusals) => refusals,
        }
    } else {
        refusals
    };
    let mut report = Report::new(command.name(), Body::Nothing);
    report.diagnostics = refusals;
    Ok(Err(report))
}

/// Why the session may move between server connections, `None` when it stays put (direct,
/// declared or known to be session-pooled); the refusal of statement pooling.
fn may_move(
    settings: &Settings,
    command: Command<'_>,
    info: &ConnInfo,
    direct: bool,
) -> Result<Option<String>, Box<Report>> {
    if direct {
        return Ok(None);
    }
    match pooler::judge(info, settings.run.pool_mode) {
        pooler::Path::SessionKept => Ok(None),
        pooler::Path::MayMove { why } => Ok(Some(why)),
        pooler::Path::Statement => Err(Box::new(Report::refused(
            command.name(),
            refusal::pooled(&info.to_string(), "statement"),
        ))),
    }
}

/// The run's timeouts and lock retries: flags, then `migrate.toml`, then the defaults.
fn lock_policy(settings: &Settings, command: Command<'_>) -> (Timeouts, u32) {
    let write = command.write();
    let timeouts = Timeouts {
        lock: Some(
            write
                .lock_timeout
                .or(settings.run.lock_timeout)
                .unwrap_or(crate::settings::DEFAULT_LOCK_TIMEOUT),
        ),
        statement: write.statement_timeout.or(settings.run.statement_timeout),
    };
    let retries = write
        .lock_retries
        .or(settings.run.lock_retries)
        .unwrap_or(DEFAULT_LOCK_RETRIES);
    (timeouts, retries)
}

/// The write options of `stamp`, which runs no revision SQL: no variables, and no timeouts
/// for statements it does not run.
fn stamp_write(args: &StampArgs) -> WriteArgs {
    WriteArgs {
        sql: args.sql,
        lock_wait: args.lock_wait,
        set: Vec::new(),
        lock_timeout: None,
        lock_retries: None,
        statement_timeout: None,
    }
}

/// Connects to the configured database.
pub(super) fn connect(settings: &Settings) -> Result<(Client, ConnInfo), Error> {
    let url = settings.require_database_url()?;
    let info = ConnInfo::parse(url, &conninfo::process_env)?;
    let client = database::connect(&info)?;
    Ok((client, info))
}
