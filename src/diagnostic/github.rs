//! The GitHub format: workflow commands that annotate a pull request, escaped as GitHub's toolkit does.

use std::io::{self, Write};

use super::Report;

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
        let loc = &d.location;
        let title = format!("{} ({})", d.rule.name(), d.rule.id());
        let text = format!("{}\nhelp: {}", d.message, d.help);
        writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            d.severity(),
            escape_property(&loc.path),
            loc.line,
            loc.column,
            escape_property(&title),
            escape_data(&text),
        )?;
    }
    Ok(())
}

/// Escapes a message the way `@actions/core` does (`escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value the way `@actions/core` does (`escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
