//! The JSON format: one object, a stable contract documented in the README (version 1).

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Severity};

/// Bump only when a field changes meaning or disappears; new fields keep the version.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    diagnostics: Vec<Entry<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Entry<'a> {
    name: &'static str,
    family: &'static str,
    id: &'static str,
    severity: &'static str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    help: &'a str,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    path: &'a str,
    line: usize,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    revisions: usize,
    heads: usize,
}

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        version: VERSION,
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| Entry {
                name: d.rule.name(),
                family: d.rule.family().name(),
                id: d.rule.id(),
                severity: d.severity().as_str(),
                message: &d.message,
                path: &d.location.path,
                line: d.location.line,
                column: d.location.column,
                help: &d.help,
                related: d
                    .related
                    .iter()
                    .map(|r| Related {
                        path: &r.path,
                        line: r.line,
                    })
                    .collect(),
            })
            .collect(),
        summary: Summary {
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            revisions: report.revisions,
            heads: report.heads,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
