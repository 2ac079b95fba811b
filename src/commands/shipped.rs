//! What has shipped, for the repairs: git's shipped refs, and the history of the database the
//! settings name, when they name one.

use crate::Error;
use crate::collision::git::Git;
use crate::collision::shipped::Shipped;
use crate::output::Progress;
use crate::project::Project;
use crate::settings::{Origin, Settings};

/// Reads every place that says a revision has shipped. A database named with
/// `--database-url` must answer; one that comes from the environment or `migrate.toml` and
/// cannot be read is named in a warning, and git alone then says what shipped.
pub(super) fn load(
    settings: &Settings,
    work: &Project,
    git: Option<&Git>,
    progress: &mut Progress,
) -> Result<Shipped, Error> {
    let mut shipped = match git {
        Some(git) => Shipped::from_git(git, settings.base.as_deref(), work.format)?,
        None => Shipped::default(),
    };
    let Some((_, origin)) = &settings.database_url else {
        return Ok(shipped);
    };
    match super::current::recorded(settings, work) {
        Ok((names, database)) => {
            shipped.add_recorded(names, &format!("in the history of `{database}`"));
        }
        Err(error) if !matches!(origin, Origin::Flag(_)) => progress.warn(&format!(
            "cannot read the history of the database {origin} names, so only git says what has shipped: {error}"
        )),
        Err(error) => return Err(error),
    }
    Ok(shipped)
}
