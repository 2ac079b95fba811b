//! `migrate check`: every finding about the migrations, in the chosen format.

use super::{Outcome, finish, stdout};
use crate::Error;
use crate::cli::CheckArgs;
use crate::diagnostic::{Diagnostic, Format, Report, Severity};
use crate::project::Project;
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, args: &CheckArgs) -> Result<Outcome, Error> {
    let project = Project::load(settings)?;
    let diagnostics = project.diagnostics();
    let report = report(&project, &diagnostics);
    let mut out = stdout();
    report.render(settings.format.unwrap_or(Format::Human), &mut out)?;
    finish(out)?;
    let failed =
        report.count(Severity::Error) > 0 || (args.strict && report.count(Severity::Warning) > 0);
    Ok(if failed {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

/// The report of `diagnostics` about `project`, exactly as `check` prints it.
pub(super) fn report<'a>(project: &'a Project, diagnostics: &'a [Diagnostic]) -> Report<'a> {
    Report {
        diagnostics,
        revisions: project.revisions.len(),
        heads: project.graph.heads().len(),
        sources: &project.sources,
    }
}
