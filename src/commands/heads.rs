//! `migrate heads`: the revisions nothing revises yet.

use super::{Outcome, human_only, load_for_listing, write_revisions};
use crate::cli::HeadsArgs;
use crate::settings::Settings;
use crate::Error;
use crate::output::alembic_text as listing;

pub(super) fn run(settings: &Settings, args: &HeadsArgs) -> Result<Outcome, Error> {
    human_only(settings, "heads")?;
    let project = load_for_listing(settings)?;
    let heads = project.graph.heads();
    write_revisions(&project, heads.into_iter(), args.verbose, listing::head)
}
