//! The GitHub format: workflow commands that annotate a pull request, escaped as GitHub's
//! toolkit does, then the command's result in its plain form.

use std::io::{self, Write};

use super::{Report, text};
use crate::escape::terminal;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    text::body(&report.body, out, true)?;
    for d in &report.diagnostics {
        let title = format!("{} ({})", d.rule.name(), d.rule.id());
        let mut text = format!("{}\nhelp: {}", d.message, d.help);
        // GitHub attaches an annotation only to a file of the pull request: a file that exists
        // only on the base (`origin/main:migrations/x.sql`) is named in the text, and the
        // annotation goes on the pull request's own file involved, when there is one.
        let mut location = d.location.as_ref();
        if let Some(loc) = location.filter(|l| at_ref(&l.path)) {
            text = format!("{text}\non the base: {}", loc.path);
            location = d.related.iter().find(|r| !at_ref(&r.path));
        }
        let place = match location {
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

/// Whether output shows this path as a file at a git ref (`origin/main:migrations/x.sql`),
/// as the base branch's files are shown, rather than a file of the working tree.
fn at_ref(path: &str) -> bool {
    // A git ref holds no blank, control character or `:`: a file name with `::` in it is not
    // a path at a ref.
    path.split_once(':').is_some_and(|(reference, rest)| {
        !reference.is_empty()
            && !reference
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
            && !rest.starts_with(['/', ':'])
    })
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
