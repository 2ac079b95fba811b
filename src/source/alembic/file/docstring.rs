//! An Alembic revision's module docstring: its text, where its `Revision ID:` and `Revises:`
//! lines are, and whether they agree with the code.

use super::super::python::{Kind, Token};
use super::{DocField, Down, Parsed};
use crate::diagnostic::Rule;
use crate::source::finding::Finding;

/// Takes the docstring and finds its `Revision ID:` and `Revises:` lines in the source itself,
/// so that their places are exact and a rewrite keeps everything around them.
pub(super) fn read(text: &str, tokens: &[Token<'_>], parsed: &mut Parsed) {
    let mut doc = String::new();
    for token in tokens {
        if let Kind::Str { value, .. } = &token.kind {
            doc.push_str(value);
        }
    }
    parsed.doc = Some(doc);
    let Some(Kind::Str { content, .. }) = tokens.first().map(|t| &t.kind) else {
        return;
    };
    let (start, end) = *content;
    let first_line = text[..start].matches('\n').count() + 1;
    let mut offset = start;
    for (line, physical) in (first_line..).zip(text[start..end].split_inclusive('\n')) {
        let body = physical.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        for (key, slot) in [
            ("Revision ID:", &mut parsed.doc_revision),
            ("Revises:", &mut parsed.doc_revises),
        ] {
            if slot.is_none()
                && let Some(after) = body[indent..].strip_prefix(key)
            {
                let value = after.trim();
                let value_start =
                    offset + indent + key.len() + (after.len() - after.trim_start().len());
                let line_start = offset;
                *slot = Some(DocField {
                    value: value.to_owned(),
                    line,
                    column: text[line_start..value_start].chars().count() + 1,
                    range: (value_start, value_start + value.len()),
                });
            }
        }
        offset += physical.len();
    }
}

/// The docstring's `Revision ID:` and `Revises:` lines against `revision` and `down_revision`.
pub(super) fn check(parsed: &Parsed, problems: &mut Vec<Finding>) {
    if let (Some(revision), Some(field)) = (&parsed.revision, &parsed.doc_revision)
        && field.value != revision.value
    {
        problems.push(stale_docstring(
            field,
            format!(
                "the docstring says `Revision ID: {}`, but `revision` is `{}`",
                field.value, revision.value
            ),
            format!("write `Revision ID: {}`", revision.value),
        ));
    }
    stale_revises(parsed, problems);
}

fn stale_revises(parsed: &Parsed, problems: &mut Vec<Finding>) {
    let (Some(down), Some(field)) = (&parsed.down, &parsed.doc_revises) else {
        return;
    };
    let code: Vec<&str> = match down {
        Down::Root => Vec::new(),
        Down::Parents(parents) => parents.iter().map(|p| p.value.as_str()).collect(),
    };
    let mut written = revises_ids(&field.value);
    let mut sorted_code = code.clone();
    sorted_code.sort_unstable();
    written.sort_unstable();
    written.dedup();
    sorted_code.dedup();
    if written != sorted_code {
        let code_text = if code.is_empty() {
            "None".to_owned()
        } else {
            code.join(", ")
        };
        problems.push(stale_docstring(
            field,
            format!(
                "the docstring says `Revises: {}`, but `down_revision` is `{code_text}`",
                field.value
            ),
            format!("write `Revises: {}`", code.join(", "))
                .trim_end()
                .to_owned(),
        ));
    }
}

fn stale_docstring(field: &DocField, message: String, help: String) -> Finding {
    Finding {
        rule: Rule::StaleDocstring,
        line: field.line,
        column: field.column,
        span: field.value.chars().count().max(1),
        message,
        help,
    }
}

/// The ids a `Revises:` line names, in every form Alembic's templates have written: empty,
/// `None`, one id, `a, b`, or the repr of a tuple or list (`('a', 'b')`).
fn revises_ids(value: &str) -> Vec<&str> {
    let inner = value
        .trim()
        .strip_prefix(['(', '['])
        .and_then(|v| v.strip_suffix([')', ']']))
        .unwrap_or(value);
    inner
        .split(',')
        .map(|id| id.trim().trim_matches(['\'', '"']).trim())
        .filter(|id| !id.is_empty() && *id != "None")
        .collect()
}
