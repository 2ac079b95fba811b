//! `migrate check`: every finding about the migrations, in the chosen format.

use super::{Outcome, finish, stdout};
use crate::collision::base_branch::Base;
use crate::cli::CheckArgs;
use crate::diagnostic::{self, Diagnostic, Format, Report, Severity};
use crate::collision::head_file::HeadFile;
use crate::project::Project;
use crate::settings::Settings;
use crate::Error;
use crate::collision::references;

pub(super) fn run(settings: &Settings, args: &CheckArgs) -> Result<Outcome, Error> {
    let mut project = Project::load(settings)?;
    let mut found = HeadFile::load(settings)?.diagnostics(&project);
    if !args.no_references {
        let (stale, sources) = references::check(settings, &project)?;
        found.extend(stale);
        project.sources.extend(sources);
    }
    // With a base, the graph rules judge the tree that merging it would produce.
    let project = match &args.base {
        Some(reference) => {
            let comparison = Base::load(settings, reference, project.format)?.compare(project);
            found.extend(comparison.diagnostics);
            comparison.merged
        }
        None => project,
    };
    let mut diagnostics = project.diagnostics();
    diagnostics.extend(found);
    diagnostic::sort(&mut diagnostics);
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
