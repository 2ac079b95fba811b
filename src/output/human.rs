//! The human format: coloured, rustc-style, with the offending line of the file underlined.

use std::io::{self, Write};

use colored::{ColoredString, Colorize};

use super::snippet::Snippets;
use super::{Body, Report, text};
use crate::diagnostic::{Diagnostic, Severity, plural};
use crate::escape::{message, one_line};

pub(super) fn render(report: &Report, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
    let mut snippets = Snippets::new(&report.sources);
    match &report.body {
        Body::Check {
            revisions,
            heads,
            trees,
            fixes,
            linted,
        } => {
            if let Some(fixes) = fixes {
                text::rewrites(fixes.dry_run, &fixes.changes, out)?;
            }
            let scope = if trees.len() > 1 {
                let each: Vec<String> = trees
                    .iter()
                    .map(|t| {
                        format!(
                            "`{}` ({}, {})",
                            one_line(&t.dir),
                            plural(t.revisions, "revision"),
                            plural(t.heads, "head")
                        )
                    })
                    .collect();
                format!("{}: {}", plural(trees.len(), "tree"), each.join(", "))
            } else if let Some(linted) = linted {
                format!("{} linted, of {revisions}", plural(*linted, "revision"))
            } else {
                format!(
                    "{} ({})",
                    plural(*revisions, "revision"),
                    plural(*heads, "head")
                )
            };
            check(report, &scope, &mut snippets, out)?;
        }
        body => {
            for diagnostic in report.findings() {
                render_one(diagnostic, &mut snippets, out)?;
                writeln!(out)?;
            }
            text::body(body, out, false)?;
        }
    }
    for diagnostic in report.refusals() {
        render_one(diagnostic, &mut snippets, err)?;
    }
    Ok(())
}

/// `check`'s result: every finding, then the one-line summary.
fn check(
    report: &Report,
    scope: &str,
    snippets: &mut Snippets<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut errors = 0;
    let mut warnings = 0;
    for diagnostic in report.findings() {
        match diagnostic.severity() {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
        render_one(diagnostic, snippets, out)?;
        writeln!(out)?;
    }
    if errors + warnings == 0 {
        writeln!(out, "{} {scope}", "All checks passed:".green().bold())
    } else {
        let found = match (errors, warnings) {
            (0, w) => plural(w, "warning"),
            (e, 0) => plural(e, "error"),
            (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
        };
        writeln!(out, "{} in {scope}", format!("Found {found}").bold())
    }
}

fn label(severity: Severity) -> ColoredString {
    match severity {
        Severity::Error => severity.as_str().red().bold(),
        Severity::Warning => severity.as_str().yellow().bold(),
    }
}

fn render_one(d: &Diagnostic, snippets: &mut Snippets<'_>, out: &mut dyn Write) -> io::Result<()> {
    let severity = d.severity();
    writeln!(
        out,
        "{}{} {}",
        label(severity),
        format!("[{}]:", d.rule.name()).bold(),
        message(&d.message).bold()
    )?;
    let Some(loc) = &d.location else {
        return writeln!(
            out,
            "  {} {}: {}",
            "=".blue().bold(),
            "help".bold(),
            message(&d.help)
        );
    };
    let snippet = loc
        .span
        .and_then(|span| snippets.get(&loc.path, loc.line, loc.column, span));
    let gutter = " ".repeat(loc.line.to_string().len());
    writeln!(
        out,
        "{gutter}{} {}:{}:{}",
        "-->".blue().bold(),
        one_line(&loc.path),
        loc.line,
        loc.column
    )?;
    let bar = "|".blue().bold();
    if let Some(snippet) = snippet {
        writeln!(out, "{gutter} {bar}")?;
        writeln!(
            out,
            "{} {bar} {}",
            loc.line.to_string().blue().bold(),
            snippet.text
        )?;
        let pad = " ".repeat(snippet.pad);
        let carets = "^".repeat(snippet.carets);
        let carets = match severity {
            Severity::Error => carets.red().bold(),
            Severity::Warning => carets.yellow().bold(),
        };
        writeln!(out, "{gutter} {bar} {pad}{carets}")?;
    }
    for related in &d.related {
        writeln!(
            out,
            "{gutter} {} {}: {}:{}",
            "=".blue().bold(),
            "see".bold(),
            one_line(&related.path),
            related.line
        )?;
    }
    writeln!(
        out,
        "{gutter} {} {}: {}",
        "=".blue().bold(),
        "help".bold(),
        message(&d.help)
    )
}
