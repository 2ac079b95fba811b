//! `migrate show REV`: one revision in full, its SQL included.

use crate::Error;
use crate::cli::ShowArgs;
use crate::output::{Body, Report};
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, args: &ShowArgs) -> Result<Report, Error> {
    let (project, warning) = super::load_for_listing(settings)?;
    let node = project.resolve(&args.revision)?;
    let mut report = Report::new(
        "show",
        Body::Show {
            project: Box::new(project),
            node,
        },
    );
    report.diagnostics.extend(warning);
    Ok(report)
}
