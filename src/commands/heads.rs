//! `migrate heads`: the revisions nothing revises yet.

use std::io::Write;

use super::{Outcome, finish, human_only, load_for_listing, stdout};
use crate::cli::HeadsArgs;
use crate::settings::Settings;
use crate::{Error, listing};

pub(super) fn run(settings: &Settings, args: &HeadsArgs) -> Result<Outcome, Error> {
    human_only(settings, "heads")?;
    let project = load_for_listing(settings)?;
    let mut out = stdout();
    for node in project.graph.heads() {
        if args.verbose {
            writeln!(
                out,
                "{}",
                listing::verbose(&project.revisions, &project.graph, node)
            )?;
        } else {
            writeln!(
                out,
                "{}",
                listing::head(&project.revisions, &project.graph, node)
            )?;
        }
    }
    finish(out)?;
    Ok(Outcome::Success)
}
