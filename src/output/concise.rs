//! The concise format: one line a diagnostic, `path:line:col: severity[name] message`, and the
//! command's result in its plain form.

use std::io::{self, Write};

use super::{Report, text};
use crate::diagnostic::Diagnostic;
use crate::escape::one_line;

pub(super) fn render(report: &Report, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
    for d in report.findings() {
        line(d, out)?;
    }
    text::body(&report.body, out, false)?;
    for d in report.refusals() {
        line(d, err)?;
    }
    Ok(())
}

fn line(d: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
    if let Some(loc) = &d.location {
        write!(out, "{}:{}:{}: ", one_line(&loc.path), loc.line, loc.column)?;
    }
    writeln!(
        out,
        "{}[{}] {}",
        d.severity(),
        d.rule.name(),
        one_line(&d.message)
    )
}
