//! A command's result in its plain form, shared by the human, concise and GitHub formats:
//! Alembic's listings, the database's position, one line a revision run, a rebase's changes.

use std::io::{self, Write};

use colored::Colorize;

use super::alembic_text;
use super::{Body, Change, Current, Mark, RowState, Style, diff};
use crate::diagnostic::plural;
use crate::escape::{message, one_line, terminal};
use crate::project::{self, Project};
use crate::revision::Section;

/// `indent` keeps every line a docstring adds to a one-line entry indented, so that no text from
/// a file begins a line of its own (the GitHub format); otherwise the lines are Alembic's.
pub(super) fn body(body: &Body, out: &mut dyn Write, indent: bool) -> io::Result<()> {
    match body {
        Body::Nothing => Ok(()),
        Body::Check { fixes, .. } => match fixes {
            Some(fixes) => rewrites(fixes.dry_run, &fixes.changes, out),
            None => Ok(()),
        },
        Body::Revisions {
            project,
            nodes,
            style,
            marks,
        } => {
            for &node in nodes {
                let entry = entry(project, node, *style);
                let entry = match marks.get(&node) {
                    Some(Mark::Current) => mark_entry(&entry, " (current)"),
                    Some(Mark::Applied) => mark_entry(&entry, " (applied)"),
                    None => entry,
                };
                // Control characters are always escaped; the verbose block has lines of its
                // own, and its path is escaped as it is built.
                if *style == Style::Verbose {
                    writeln!(out, "{}", terminal(&entry))?;
                } else if !indent {
                    writeln!(out, "{}", crate::escape::lines(&entry))?;
                } else {
                    writeln!(out, "{}", message(&entry))?;
                }
            }
            Ok(())
        }
        Body::Show { project, node } => {
            let revision = &project.revisions[*node];
            writeln!(out, "{}", terminal(&entry(project, *node, Style::Verbose)))?;
            section(out, "up", revision.up.as_ref())?;
            section(out, "down", revision.down.as_ref())
        }
        Body::Current(current) => position(current, out),
        Body::Run(run) => {
            for step in &run.steps {
                if step.status == super::StepStatus::Failed {
                    continue;
                }
                writeln!(
                    out,
                    "{:<9} {}  {}",
                    step.status.as_str(),
                    one_line(&step.file),
                    format!("{} ms", step.took.as_millis()).dimmed()
                )?;
            }
            Ok(())
        }
        Body::Sql(sql) => write!(out, "{sql}"),
        Body::Rebase { dry_run, changes } => rewrites(*dry_run, changes, out),
        Body::Created { path } => writeln!(out, "{}", one_line(path)),
        Body::Fleet(fleet) => super::fleet_text::body(fleet, out),
        Body::Schema { objects } => {
            for object in objects {
                writeln!(out, "{} {}", object.kind, one_line(&object.name))?;
                for line in terminal(&object.definition).lines() {
                    writeln!(out, "    {line}")?;
                }
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

/// The files a rebase or a fix changes: a unified diff for a dry run, else one line each.
pub(super) fn rewrites(dry_run: bool, changes: &[Change], out: &mut dyn Write) -> io::Result<()> {
    if dry_run {
        return write!(out, "{}", terminal(&diff::patch(changes)));
    }
    for change in changes {
        if change.from == change.to {
            writeln!(out, "rewrote {}", one_line(&change.from))?;
        } else {
            writeln!(
                out,
                "renamed {} -> {}",
                one_line(&change.from),
                one_line(&change.to)
            )?;
        }
    }
    Ok(())
}

fn entry(project: &Project, node: usize, style: Style) -> String {
    let (revisions, graph) = (&project.revisions, &project.graph);
    match style {
        Style::Heads => alembic_text::head(revisions, graph, node),
        Style::History => alembic_text::line(revisions, graph, node),
        Style::Verbose => alembic_text::verbose(revisions, graph, node),
    }
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

fn section(out: &mut dyn Write, marker: &str, section: Option<&Section>) -> io::Result<()> {
    let Some(section) = section else {
        return Ok(());
    };
    let options = if section.transaction {
        ""
    } else {
        " transaction:false"
    };
    writeln!(out, "-- migrate:{marker}{options}")?;
    write!(out, "{}", terminal(&section.sql))
}

/// `current`: the revisions the database is at, then what is pending.
fn position(current: &Current, out: &mut dyn Write) -> io::Result<()> {
    let project = &current.project;
    if current.empty {
        writeln!(
            out,
            "no revision applied ({} is empty or missing)",
            current.table
        )?;
    }
    for &node in &current.at {
        let revision = &project.revisions[node];
        let id = if current.alembic {
            alembic_text::head(&project.revisions, &project.graph, node)
        } else if project.graph.children(node).is_empty() {
            format!("{} (head)", revision.id)
        } else {
            revision.id.to_string()
        };
        writeln!(out, "{}", message(&format!("{id}, {}", revision.message())))?;
    }
    if current.verbose {
        for row in &current.rows {
            let state = match row.state {
                RowState::Ok => "ok".green(),
                RowState::Changed => "changed since applied".red(),
                RowState::NoFile => "no file".red(),
            };
            let ms = row.ms.map_or(String::new(), |ms| format!(", {ms} ms"));
            writeln!(
                out,
                "  {:>6}  {}  applied {}{ms}  {state}",
                row.id,
                one_line(&row.file),
                row.applied_on.as_deref().unwrap_or("?"),
            )?;
        }
    }
    if current.pending.is_empty() {
        if !current.unknown.is_empty() {
            writeln!(
                out,
                "past the files: the database has {} that no file defines",
                plural(current.unknown.len(), "revision")
            )?;
        } else if !project.revisions.is_empty() {
            writeln!(out, "at head")?;
        }
    } else if current.alembic {
        writeln!(
            out,
            "{} pending; not at {}",
            plural(current.pending.len(), "revision"),
            project::describe(&project.revisions, &current.missing_heads)
        )?;
    } else {
        writeln!(out, "{} pending", plural(current.pending.len(), "revision"))?;
    }
    Ok(())
}
