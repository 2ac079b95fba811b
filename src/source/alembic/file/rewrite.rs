//! Rewriting an Alembic revision file in place: new ids for `rebase`, or a docstring made to
//! agree with the code for `check --fix`. Only the values change; quotes and layout stay.

use super::{Down, parse};
use crate::diagnostic::Rule;

/// The file's text with its docstring's `Revision ID:` and `Revises:` lines made to agree with
/// `revision` and `down_revision`, when they do not; the code is left as it is.
#[must_use]
pub(crate) fn fix_docstring(text: &str) -> Option<String> {
    let (parsed, problems) = parse(text);
    if !problems.iter().any(|p| p.rule == Rule::StaleDocstring) {
        return None;
    }
    let revision = parsed.revision.as_ref()?;
    let parents: Vec<&str> = match parsed.down.as_ref()? {
        Down::Root => Vec::new(),
        Down::Parents(parents) => parents.iter().map(|p| p.value.as_str()).collect(),
    };
    let mut edits: Vec<((usize, usize), String)> = Vec::new();
    docstring_edits(
        text,
        &parsed,
        &revision.value,
        &parents.join(", "),
        &mut edits,
    );
    let out = apply(text, edits);
    (out != text).then_some(out)
}

/// The file's text with a new `revision`, `down_revision` and matching docstring lines. The
/// quote style of the file is kept.
#[must_use]
pub(crate) fn rewrite(text: &str, id: &str, parents: &[String]) -> String {
    let (parsed, _) = parse(text);
    let quote = parsed
        .revision_range
        .and_then(|(start, _)| text[start..].chars().next())
        .filter(|c| *c == '\'' || *c == '"')
        .unwrap_or('"');
    let quoted = |s: &str| format!("{quote}{s}{quote}");
    let down_value = match parents {
        [] => "None".to_owned(),
        [one] => quoted(one),
        many => format!(
            "({})",
            many.iter()
                .map(|p| quoted(p))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut edits: Vec<((usize, usize), String)> = Vec::new();
    if let Some(range) = parsed.revision_range {
        edits.push((range, quoted(id)));
    }
    if let Some(range) = parsed.down_range {
        edits.push((range, down_value));
    }
    docstring_edits(text, &parsed, id, &parents.join(", "), &mut edits);
    apply(text, edits)
}

/// The docstring's `Revision ID:` and `Revises:` values replaced. An empty `Revises:` that
/// gains a value gains the space after its colon too.
fn docstring_edits(
    text: &str,
    parsed: &super::Parsed,
    id: &str,
    revises: &str,
    edits: &mut Vec<((usize, usize), String)>,
) {
    for (field, value) in [(&parsed.doc_revision, id), (&parsed.doc_revises, revises)] {
        if let Some(field) = field {
            let after_colon = text[..field.range.0].ends_with(':');
            let value = if after_colon && !value.is_empty() {
                format!(" {value}")
            } else {
                value.to_owned()
            };
            edits.push((field.range, value));
        }
    }
}

/// Applies edits of byte ranges that do not overlap.
fn apply(text: &str, mut edits: Vec<((usize, usize), String)>) -> String {
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0.0));
    let mut out = text.to_owned();
    for ((start, end), with) in edits {
        out.replace_range(start..end, &with);
    }
    out
}
