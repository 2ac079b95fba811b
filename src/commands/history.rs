//! `migrate history`: the revisions newest first, in Alembic's form, optionally within `-r FROM:TO`.

use std::collections::BTreeSet;

use super::{Outcome, human_only, load_for_listing, write_revisions};
use crate::cli::HistoryArgs;
use crate::project::Project;
use crate::settings::Settings;
use crate::{Error, listing};

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
    write_revisions(&project, newest_first, args.verbose, listing::line)
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
