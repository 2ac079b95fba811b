//! The concise format: one line a finding, `path:line:col: severity[name] message`.

use std::io::{self, Write};

use super::Report;

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let loc = &d.location;
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            loc.path,
            loc.line,
            loc.column,
            d.severity(),
            d.rule.name(),
            d.message
        )?;
    }
    Ok(())
}
