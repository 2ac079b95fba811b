//! `migrate history`: the revisions newest first, in Alembic's form, optionally within `-r FROM:TO`.

use std::collections::BTreeSet;

use std::io::Write;

use super::{Outcome, finish, human_only, load_for_listing, stdout, write_revisions};
use crate::cli::HistoryArgs;
use crate::project::Project;
use crate::settings::Settings;
use crate::Error;
use crate::output::alembic_text as listing;

pub(super) fn run(settings: &Settings, args: &HistoryArgs) -> Result<Outcome, Error> {
    human_only(settings, "history")?;
    let project = load_for_listing(settings)?;
    let selected = match &args.rev_range {
        Some(range) => Some(select(&project, range)?),
        None => None,
    };
    let order = project.graph.topological_order();
    let newest_first = order
        .into_iter()
        .rev()
        .filter(|node| selected.as_ref().is_none_or(|s| s.contains(node)));
    if !args.indicate_current {
        return write_revisions(&project, newest_first, args.verbose, listing::line);
    }
    let (status, _) = super::current::status(settings, &project)?;
    let mut out = stdout();
    for node in newest_first {
        let mark = if status.current.contains(&node) {
            " (current)"
        } else if status.applied.contains(&node) {
            " (applied)"
        } else {
            ""
        };
        let entry = if args.verbose {
            listing::verbose(&project.revisions, &project.graph, node)
        } else {
            listing::line(&project.revisions, &project.graph, node)
        };
        writeln!(out, "{}", mark_entry(&entry, mark))?;
    }
    finish(out)?;
    Ok(Outcome::Success)
}

/// Puts the mark after the revision's own markers, as Alembic prints `042 (head) (current)`.
fn mark_entry(entry: &str, mark: &str) -> String {
    let first_line_end = entry.find('\n').unwrap_or(entry.len());
    let after_arrow = entry[..first_line_end].find(" -> ").map_or(0, |i| i + 4);
    let insert_at = entry[after_arrow..first_line_end]
        .find(", ")
        .map_or(first_line_end, |i| after_arrow + i);
    format!("{}{mark}{}", &entry[..insert_at], &entry[insert_at..])
}

/// The revisions between `FROM` and `TO`, both included: descendants of `FROM`, ancestors of `TO`.
fn select(project: &Project, range: &str) -> Result<BTreeSet<usize>, Error> {
    let (from, to) = range.split_once(':').ok_or_else(|| {
        Error::Usage(format!(
            "`-r {range}` is not a range; write `FROM:TO`, as in `-r 039:head`"
        ))
    })?;
    let graph = &project.graph;
    let everything = || (0..graph.len()).collect::<BTreeSet<usize>>();
    let upper = match to {
        "" | "head" | "heads" => everything(),
        name => {
            let node = project.resolve(name)?;
            let mut set = graph.ancestors(node);
            set.insert(node);
            set
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
    Ok(upper.intersection(&lower).copied().collect())
}
