//! The GitHub format: workflow commands that annotate a pull request, escaped as GitHub's
//! toolkit does, then the command's result in its plain form.

use std::io::{self, Write};

use super::escape::terminal;
use super::{Report, text};

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    text::body(&report.body, out, true)?;
    for d in &report.diagnostics {
        let title = format!("{} ({})", d.rule.name(), d.rule.id());
        let text = format!("{}\nhelp: {}", d.message, d.help);
        let place = match &d.location {
            Some(loc) => format!(
                "file={},line={},col={},",
                escape_property(&loc.path),
                loc.line,
                loc.column
            ),
            None => String::new(),
        };
        writeln!(
            out,
            "::{} {place}title={}::{}",
            d.severity(),
            escape_property(&title),
            escape_data(&text),
        )?;
    }
    Ok(())
}

/// Escapes a message the way `@actions/core` does (`escapeData`), and any other control
/// character so that the log cannot be redrawn.
fn escape_data(text: &str) -> String {
    let text = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    terminal(&text).into_owned()
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
        assert_eq!(escape_data("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
    }
}
