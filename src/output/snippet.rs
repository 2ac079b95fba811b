//! The offending line of a file as the human format shows it. Lines are found through an index
//! built once per file, and a long line is cut to a window around the span, so that tens of
//! thousands of findings, or a finding on a line of a megabyte, render in linear time.

use std::collections::HashMap;

use crate::diagnostic::Sources;
use crate::escape::terminal;

/// How many characters of context a long line keeps on each side of the span.
const CONTEXT: usize = 40;
/// Lines up to this many characters are shown whole.
const WHOLE: usize = 120;

/// A line ready to print, with where its carets go.
pub(super) struct Snippet {
    pub(super) text: String,
    /// Characters before the first caret.
    pub(super) pad: usize,
    pub(super) carets: usize,
}

/// Finds lines in the report's sources, remembering what it has indexed.
pub(super) struct Snippets<'a> {
    sources: &'a Sources,
    /// Each file's line starts, in bytes.
    lines: HashMap<&'a str, Vec<usize>>,
    /// The byte offset of each character of the last line looked at, by path and line.
    chars: Option<(&'a str, usize, Vec<usize>)>,
}

impl<'a> Snippets<'a> {
    pub(super) fn new(sources: &'a Sources) -> Snippets<'a> {
        Snippets {
            sources,
            lines: HashMap::new(),
            chars: None,
        }
    }

    /// The snippet of `span` characters at 1-based `line` and `column` of `path`.
    pub(super) fn get(
        &mut self,
        path: &str,
        line: usize,
        column: usize,
        span: usize,
    ) -> Option<Snippet> {
        let (path, text) = self.sources.get_key_value(path)?;
        let starts = self.lines.entry(path.as_str()).or_insert_with(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(at, _)| at + 1))
                .collect()
        });
        let start = *starts.get(line.checked_sub(1)?)?;
        let end = starts
            .get(line)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let body = text[start..end].trim_end_matches('\r');
        let fresh = !matches!(&self.chars, Some((p, l, _)) if *p == path.as_str() && *l == line);
        if fresh {
            self.chars = Some((
                path.as_str(),
                line,
                body.char_indices().map(|(at, _)| at).collect(),
            ));
        }
        let offsets = &self.chars.as_ref()?.2;
        let count = offsets.len();
        let byte = |index: usize| offsets.get(index).copied().unwrap_or(body.len());
        let first = column.saturating_sub(1).min(count);
        let span = span.max(1);
        let (from, to) = if count <= WHOLE {
            (0, count)
        } else {
            (
                first.saturating_sub(CONTEXT),
                (first + span + CONTEXT).min(count),
            )
        };
        let shown =
            |a: usize, b: usize| terminal(&body[byte(a)..byte(b)].replace('\t', " ")).into_owned();
        let before = shown(from, first);
        let mut text = String::new();
        if from > 0 {
            text.push_str("...");
        }
        let pad = text.chars().count() + before.chars().count();
        text.push_str(&before);
        text.push_str(&shown(first, to));
        if to < count {
            text.push_str("...");
        }
        Some(Snippet {
            text,
            pad,
            carets: span.min(to.saturating_sub(first)).max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let mut sources = Sources::new();
        let long = format!("{}XYZ{}", "a".repeat(1000), "b".repeat(1000));
        sources.insert("f".to_owned(), format!("first\n{long}\nlast"));
        let mut snippets = Snippets::new(&sources);
        let snippet = snippets.get("f", 2, 1001, 3).unwrap();
        assert!(snippet.text.starts_with("...") && snippet.text.ends_with("..."));
        assert_eq!(&snippet.text[snippet.pad..snippet.pad + 3], "XYZ");
        assert_eq!(snippet.carets, 3);
        let short = snippets.get("f", 1, 2, 2).unwrap();
        assert_eq!(
            (short.text.as_str(), short.pad, short.carets),
            ("first", 1, 2)
        );
        assert!(snippets.get("f", 9, 1, 1).is_none());
    }
}
