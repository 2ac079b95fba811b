//! `migrate lint`: the named revisions, or those after `lint_from`, judged by lint alone, with
//! the files' suppressions and migrate.toml's rule settings applied.

use std::collections::BTreeSet;

use crate::Error;
use crate::cli::LintArgs;
use crate::diagnostic::{Severity, suppress};
use crate::lint;
use crate::output::{Body, Report};
use crate::project::Project;
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, args: &LintArgs) -> Result<Report, Error> {
    let project = Project::load(settings)?;
    let nodes = selected(settings, args, &project)?;
    let context = lint::Context::new(settings, &args.deploy);
    let found = lint::lint(&context, &project, &nodes);
    // Only suppressions of lint's rules, in the files linted: the others are `check`'s to judge.
    let suppressions: Vec<_> = nodes
        .iter()
        .filter_map(|&n| {
            let path = &project.revisions[n].path;
            project.sources.get(path).map(|text| (path, text))
        })
        .flat_map(|(path, text)| suppress::find(path, text))
        .filter(|s| s.names_any(|rule| rule.family_name() == "lint"))
        .collect();
    let diagnostics = settings.rules.apply(suppress::apply(found, &suppressions));
    let mut report = Report::of_findings("lint", &project, diagnostics);
    if let Body::Check { linted, .. } = &mut report.body {
        *linted = Some(nodes.len());
    }
    if args.strict && report.count(Severity::Warning) > 0 {
        report.fail();
    }
    Ok(report)
}

/// The revisions to lint: those named; else those after `lint_from`; else every one.
fn selected(settings: &Settings, args: &LintArgs, project: &Project) -> Result<Vec<usize>, Error> {
    let nodes: BTreeSet<usize> = if !args.revisions.is_empty() {
        args.revisions
            .iter()
            .map(|name| project.resolve(name))
            .collect::<Result<_, _>>()?
    } else if let Some(from) = &settings.lint.from {
        let node = project.resolve(from).map_err(|_| {
            Error::Usage(format!(
                "`lint_from = \"{from}\"` in migrate.toml names no single revision of this tree; `migrate history` lists them"
            ))
        })?;
        project.graph.descendants(node)
    } else {
        (0..project.revisions.len()).collect()
    };
    Ok(nodes.into_iter().collect())
}
