//! The human format: coloured, rustc-style, with the offending line of the file underlined.

use std::io::{self, Write};

use colored::{ColoredString, Colorize};

use super::{Diagnostic, Report, Severity, plural};

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in report.diagnostics {
        render_one(diagnostic, report, out)?;
        writeln!(out)?;
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let scope = format!(
        "{} ({})",
        plural(report.revisions, "revision"),
        plural(report.heads, "head")
    );
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

fn render_one(d: &Diagnostic, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let severity = d.severity();
    writeln!(
        out,
        "{}{} {}",
        label(severity),
        format!("[{}]:", d.rule.name()).bold(),
        d.message.bold()
    )?;
    let loc = &d.location;
    let snippet = loc.span.and_then(|span| {
        let text = report.sources.get(&loc.path)?;
        let line = text.lines().nth(loc.line.checked_sub(1)?)?;
        Some((line.replace('\t', " "), span))
    });
    let gutter = " ".repeat(loc.line.to_string().len());
    writeln!(
        out,
        "{gutter}{} {}:{}:{}",
        "-->".blue().bold(),
        loc.path,
        loc.line,
        loc.column
    )?;
    let bar = "|".blue().bold();
    if let Some((line, span)) = snippet {
        writeln!(out, "{gutter} {bar}")?;
        writeln!(out, "{} {bar} {line}", loc.line.to_string().blue().bold())?;
        let pad = " ".repeat(loc.column.saturating_sub(1));
        let carets = "^".repeat(span.max(1));
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
            related.path,
            related.line
        )?;
    }
    writeln!(
        out,
        "{gutter} {} {}: {}",
        "=".blue().bold(),
        "help".bold(),
        d.help
    )
}
