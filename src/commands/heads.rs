//! `migrate heads`: the revisions nothing revises yet.

use std::collections::BTreeMap;

use crate::Error;
use crate::cli::HeadsArgs;
use crate::output::{Body, Report, Style};
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, args: &HeadsArgs) -> Result<Report, Error> {
    let (project, warning) = super::load_for_listing(settings)?;
    let nodes = project.graph.heads();
    let style = if args.verbose {
        Style::Verbose
    } else {
        Style::Heads
    };
    let mut report = Report::new(
        "heads",
        Body::Revisions {
            project: Box::new(project),
            nodes,
            style,
            marks: BTreeMap::new(),
        },
    );
    report.diagnostics.extend(warning);
    Ok(report)
}
