//! A command run on many targets, in its plain form: one line a target, then the summary
//! grouped by revision (`180 at 042, 19 at 041, 1 failed`).

use std::fmt::Write as _;
use std::io::{self, Write};

use colored::Colorize;

use super::fleet_view::position_label;
use super::{Fleet, FleetTarget, TargetStatus};
use crate::diagnostic::plural;
use crate::escape::one_line;

pub(super) fn body(fleet: &Fleet, out: &mut dyn Write) -> io::Result<()> {
    let width = fleet
        .targets
        .iter()
        .map(|t| one_line(&t.target).chars().count())
        .max()
        .unwrap_or(0);
    for target in &fleet.targets {
        let (word, detail) = line(target);
        let word = match target.status {
            TargetStatus::Done => word.green(),
            TargetStatus::Failed => word.red().bold(),
            TargetStatus::Interrupted | TargetStatus::NotStarted => word.yellow(),
        };
        writeln!(
            out,
            "{word:<12} {:<width$}  {detail}",
            one_line(&target.target)
        )?;
    }
    let mut summary = fleet.summary();
    if let Some(shard) = &fleet.shard {
        let _ = write!(
            summary,
            " ({} of {} targets, shard {})",
            fleet.targets.len(),
            fleet.listed,
            one_line(shard)
        );
    }
    writeln!(out, "{summary}")
}

/// The status word and the rest of a target's line.
fn line(target: &FleetTarget) -> (&'static str, String) {
    let from = position_label(&target.from);
    let to = position_label(&target.to);
    let took = format!("{} ms", target.elapsed.as_millis());
    match (target.status, target.position) {
        (TargetStatus::Done, Some(position)) => {
            let mut parts = vec![to];
            if position.pending > 0 {
                parts.push(format!("{} pending", position.pending));
            }
            if position.unknown > 0 {
                parts.push(format!("{} unknown", position.unknown));
            }
            if position.changed > 0 {
                parts.push(format!("{} changed", position.changed));
            }
            let word = if position.at_heads && position.unknown == 0 && position.changed == 0 {
                "at head"
            } else {
                "behind"
            };
            (word, one_line(&parts.join(", ")).into_owned())
        }
        (TargetStatus::Done, None) if target.steps.is_empty() => {
            ("ok", format!("{}  {}", one_line(&to), took.dimmed()))
        }
        (TargetStatus::Done, None) => (
            "ok",
            format!(
                "{} -> {}  {}, {}",
                one_line(&from),
                one_line(&to),
                plural(target.steps.len(), "revision"),
                took
            ),
        ),
        (TargetStatus::Failed, _) => {
            let why = target
                .diagnostics
                .iter()
                .find(|d| d.severity() == crate::diagnostic::Severity::Error)
                .map_or("", |d| d.message.lines().next().unwrap_or_default());
            if target.from.is_empty() && target.to.is_empty() && target.steps.is_empty() {
                ("failed", one_line(why).into_owned())
            } else {
                ("failed", format!("at {}: {}", one_line(&to), one_line(why)))
            }
        }
        (TargetStatus::Interrupted, _) => {
            ("interrupted", format!("at {}, rolled back", one_line(&to)))
        }
        (TargetStatus::NotStarted, _) => ("not started", String::new()),
    }
}
