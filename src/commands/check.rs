//! `migrate check`: every finding about the migrations.

use crate::Error;
use crate::cli::CheckArgs;
use crate::collision::base_branch::Base;
use crate::collision::head_file::HeadFile;
use crate::collision::references;
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::output::{Body, Progress, Report};
use crate::project::Project;
use crate::settings::Settings;

pub(super) fn run(
    settings: &Settings,
    args: &CheckArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let mut project = Project::load(settings)?;
    let mut found = HeadFile::load(settings)?.diagnostics(&project);
    if !args.no_references {
        let scan = references::check(settings, &project)?;
        for skipped in &scan.skipped {
            progress.warn(&format!("the stale-reference scan skips {skipped}"));
        }
        found.extend(scan.diagnostics);
        project.sources.extend(scan.sources);
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
    let mut report = report("check", &project, diagnostics);
    if args.strict && report.count(Severity::Warning) > 0 {
        report.fail();
    }
    Ok(report)
}

/// `check`'s report of `diagnostics` about `project`, sorted: what `check` prints, and what a
/// command that refuses an invalid tree prints before its refusal.
pub(super) fn report(
    command: &'static str,
    project: &Project,
    mut diagnostics: Vec<Diagnostic>,
) -> Report {
    diagnostic::sort(&mut diagnostics);
    let mut report = Report::new(
        command,
        Body::Check {
            revisions: project.revisions.len(),
            heads: project.graph.heads().len(),
        },
    );
    for diagnostic in &diagnostics {
        // Each file's text once, however many findings point into it.
        if let Some(path) = diagnostic.path()
            && !report.sources.contains_key(path)
            && let Some(text) = project.sources.get(path)
        {
            report.sources.insert(path.to_owned(), text.clone());
        }
    }
    report.diagnostics = diagnostics;
    report
}
