//! `migrate history`: the revisions newest first, in Alembic's form, optionally within `-r FROM:TO`.

use std::collections::{BTreeMap, BTreeSet};

use crate::Error;
use crate::cli::HistoryArgs;
use crate::output::{Body, Mark, Report, Style};
use crate::project::Project;
use crate::settings::Settings;

pub(super) fn run(settings: &Settings, args: &HistoryArgs) -> Result<Report, Error> {
    let (project, warning) = super::load_for_listing(settings)?;
    let (selected, heads) = match &args.rev_range {
        Some(range) => select(&project, range)?,
        None => ((0..project.graph.len()).collect(), real_heads(&project)),
    };
    // Alembic's order, over the revisions a topological order can place (not a cycle's).
    let placed: BTreeSet<usize> = project.graph.topological_order().into_iter().collect();
    let todo: BTreeSet<usize> = selected.intersection(&placed).copied().collect();
    let nodes = super::history_order::alembic_order(&project, &todo, &heads);
    let mut marks = BTreeMap::new();
    if args.indicate_current {
        let position = super::current::position(settings, &project)?;
        for &node in &position.applied {
            let mark = if position.current.contains(&node) {
                Mark::Current
            } else {
                Mark::Applied
            };
            marks.insert(node, mark);
        }
    }
    let style = if args.verbose {
        Style::Verbose
    } else {
        Style::History
    };
    let mut report = Report::new(
        "history",
        Body::Revisions {
            project: Box::new(project),
            nodes,
            style,
            marks,
        },
    );
    report.diagnostics.extend(warning);
    Ok(report)
}

/// What Alembic walks `history` down from (its `_real_heads`): revisions nothing revises and
/// nothing depends on; a head only dependencies point at is reached through them.
fn real_heads(project: &Project) -> Vec<usize> {
    (0..project.graph.len())
        .filter(|&n| project.graph.is_real_head(n))
        .collect()
}

/// The revisions between `FROM` and `TO`, both included: descendants of `FROM`, ancestors of
/// `TO`; and the heads the walk starts from, `TO` or every head.
fn select(project: &Project, range: &str) -> Result<(BTreeSet<usize>, Vec<usize>), Error> {
    let (from, to) = range.split_once(':').ok_or_else(|| {
        Error::Usage(format!(
            "`-r {range}` is not a range; write `FROM:TO`, as in `-r 039:head`"
        ))
    })?;
    let graph = &project.graph;
    let everything = || (0..graph.len()).collect::<BTreeSet<usize>>();
    let (upper, heads) = match to {
        "" | "head" | "heads" => (everything(), real_heads(project)),
        name => {
            let node = project.resolve(name)?;
            let mut set = graph.ancestors(node);
            set.insert(node);
            (set, vec![node])
        }
    };
    let lower = match from {
        "" | "base" => everything(),
        name => {
            let node = project.resolve(name)?;
            let mut set = graph.descendants(node);
            set.insert(node);
            set
        }
    };
    Ok((upper.intersection(&lower).copied().collect(), heads))
}
