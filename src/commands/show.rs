//! `migrate show REV`: one revision in full, its SQL included.

use std::io::Write;

use super::{Outcome, finish, human_only, load_for_listing, stdout};
use crate::cli::ShowArgs;
use crate::revision::Section;
use crate::settings::Settings;
use crate::Error;
use crate::output::alembic_text as listing;

pub(super) fn run(settings: &Settings, args: &ShowArgs) -> Result<Outcome, Error> {
    human_only(settings, "show")?;
    let project = load_for_listing(settings)?;
    let node = project.resolve(&args.revision)?;
    let revision = &project.revisions[node];
    let mut out = stdout();
    writeln!(
        out,
        "{}",
        listing::verbose(&project.revisions, &project.graph, node)
    )?;
    write_section(&mut out, "up", revision.up.as_ref())?;
    write_section(&mut out, "down", revision.down.as_ref())?;
    finish(out)?;
    Ok(Outcome::Success)
}

fn write_section(
    out: &mut impl Write,
    marker: &str,
    section: Option<&Section>,
) -> Result<(), Error> {
    let Some(section) = section else {
        return Ok(());
    };
    let options = if section.transaction {
        ""
    } else {
        " transaction:false"
    };
    writeln!(out, "-- migrate:{marker}{options}")?;
    write!(out, "{}", section.sql)?;
    Ok(())
}
