//! Escaping text that comes from files or the server before it reaches a terminal, so that no
//! file name or message can move the cursor, change colours or forge a line.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control character but newline and tab written as `\u{1b}`; multi-line
/// messages keep their lines.
#[must_use]
pub(crate) fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(escaped, "\\u{{{:x}}}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// `text` on one line: newlines escaped too, for a progress line or a concise diagnostic.
#[must_use]
pub(crate) fn one_line(text: &str) -> Cow<'_, str> {
    match terminal(text) {
        Cow::Borrowed(t) if !t.contains('\n') => Cow::Borrowed(t),
        other => Cow::Owned(other.replace('\n', "\\n")),
    }
}

/// `text` as a message of several lines: escaped, and every line after the first indented, so
/// that no text from a file can begin a line of its own (`::error ...` is a GitHub command
/// only at the start of a line).
#[must_use]
pub(crate) fn message(text: &str) -> Cow<'_, str> {
    let escaped = terminal(text);
    if !escaped.contains('\n') {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 8);
    for (i, line) in escaped.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.starts_with([' ', '\t']) && !line.is_empty() {
                out.push_str("  ");
            }
        }
        // A runner may read a command after leading blanks: a line of text from a file never
        // starts one, indented or not.
        if i > 0 && line.trim_start().starts_with("::") {
            let at = line.len() - line.trim_start().len();
            out.push_str(&line[..at]);
            out.push_str("\\u{3a}");
            out.push_str(&line[at + 1..]);
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// `text` escaped as `terminal` does, its lines kept as they are (Alembic prints a message's
/// lines unindented), but none may start a GitHub command: a leading `::` is written `\u{3a}:`.
#[must_use]
pub(crate) fn lines(text: &str) -> Cow<'_, str> {
    let escaped = terminal(text);
    if !escaped.contains('\n')
        || !escaped
            .split('\n')
            .skip(1)
            .any(|l| l.trim_start().starts_with("::"))
    {
        return escaped;
    }
    let guarded: Vec<String> = escaped
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let at = line.len() - line.trim_start().len();
            if i > 0 && line[at..].starts_with("::") {
                format!("{}\\u{{3a}}{}", &line[..at], &line[at + 1..])
            } else {
                line.to_owned()
            }
        })
        .collect();
    Cow::Owned(guarded.join("\n"))
}

fn needs_escape(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_visible() {
        assert_eq!(terminal("a\u{1b}[31mb\r"), "a\\u{1b}[31mb\\u{d}");
        assert_eq!(terminal("two\nlines\tok"), "two\nlines\tok");
        assert_eq!(one_line("two\nlines"), "two\\nlines");
        assert!(matches!(terminal("plain"), Cow::Borrowed(_)));
        assert_eq!(message("a\n::error::x"), "a\n  \\u{3a}:error::x");
        assert_eq!(message("a\n  ::warning x"), "a\n  \\u{3a}:warning x");
        assert_eq!(lines("a\nb"), "a\nb");
        assert_eq!(lines("a\n::error::x"), "a\n\\u{3a}:error::x");
    }
}
