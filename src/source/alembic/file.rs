//! Alembic revision files, read without running Python: the module docstring and the top-level
//! assignments to `revision`, `down_revision`, `depends_on` and `branch_labels`.
//!
//! Only literals are read: strings, `None`, and tuples or lists of strings, with or without a
//! type annotation. Anything else is reported as `unreadable-revision`, never guessed at.

use super::python::{self, Keep, Kind, Token};
use crate::diagnostic::Rule;

/// A string read from the file, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub value: String,
    pub line: usize,
    pub column: usize,
}

/// What `down_revision` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Down {
    /// `None` (or an empty tuple): a base revision.
    Root,
    /// One parent, or several for a merge.
    Parents(Vec<Located>),
}

/// A `Key: value` line of the docstring, with the value's place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocField {
    /// The value, trimmed.
    pub value: String,
    pub line: usize,
    pub column: usize,
    /// The value's byte range in the file.
    pub range: (usize, usize),
}

/// What one file says.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub revision: Option<Located>,
    /// `None` when `down_revision` is missing or unreadable.
    pub down: Option<Down>,
    /// The line of the `down_revision` assignment.
    pub down_line: Option<usize>,
    pub depends_on: Vec<Located>,
    pub branch_labels: Vec<String>,
    /// The module docstring, escapes resolved.
    pub doc: Option<String>,
    pub doc_revision: Option<DocField>,
    pub doc_revises: Option<DocField>,
    /// Byte ranges of the `revision` and `down_revision` values, for rewriting them.
    pub revision_range: Option<(usize, usize)>,
    pub down_range: Option<(usize, usize)>,
}

/// Something wrong with the file, with the rule it falls under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub rule: Rule,
    pub line: usize,
    pub column: usize,
    /// Characters to underline; 0 for the whole file.
    pub span: usize,
    pub message: String,
    pub help: String,
}

/// The name, when a word is one that Alembic reads from a revision module. A `match` tells
/// most words apart by their length alone, which counts: every line's first word comes here.
fn alembic_name(word: &str) -> Option<&'static str> {
    match word {
        "revision" => Some("revision"),
        "down_revision" => Some("down_revision"),
        "depends_on" => Some("depends_on"),
        "branch_labels" => Some("branch_labels"),
        _ => None,
    }
}

/// A literal on the right of `=`.
enum Value {
    None,
    Str(Located, (usize, usize)),
    List(Vec<Located>, (usize, usize)),
}

/// Reads one file's text.
#[must_use]
pub(crate) fn parse(text: &str) -> (Parsed, Vec<Problem>) {
    let mut parsed = Parsed::default();
    let mut problems = Vec::new();
    // Only the docstring and assignments to the names Alembic reads are collected, and of the
    // other top-level lines the first token, which tells where functions and classes start. Lines
    // inside them are only scanned past.
    let keep = |first: &Token<'_>, indent: usize, index: usize| match &first.kind {
        Kind::Str { .. } if index == 0 => Keep::All,
        Kind::Name(word) if alembic_name(word).is_some() => Keep::All,
        _ if indent == 0 => Keep::First,
        _ => Keep::Nothing,
    };
    let lines = match python::logical_lines(text, keep) {
        Ok(lines) => lines,
        Err(at) => {
            problems.push(Problem {
                rule: Rule::MalformedFile,
                line: at.line,
                column: at.column,
                span: 1,
                message: "a string literal is never closed".to_owned(),
                help: "close the string: Python cannot import this file either".to_owned(),
            });
            return (parsed, problems);
        }
    };
    let mut in_function = false;
    for line in &lines.lines {
        let tokens = lines.tokens(line);
        if line.indent == 0 {
            if line.index == 0
                && !tokens.is_empty()
                && tokens.iter().all(|t| matches!(t.kind, Kind::Str { .. }))
            {
                read_docstring(text, tokens, &mut parsed);
                continue;
            }
            in_function = matches!(
                line.first.kind,
                Kind::Name("def" | "class" | "async") | Kind::Op("@")
            );
            assignment(tokens, &mut parsed, &mut problems);
        } else if !in_function
            && let Some(name) = target(tokens)
            && matches!(tokens.get(1).map(|t| &t.kind), Some(Kind::Op("=" | ":")))
        {
            problems.push(unreadable(
                &tokens[0],
                format!(
                    "`{name}` is assigned inside a block, so its value depends on running the file"
                ),
            ));
        }
    }
    finish(&mut parsed, &mut problems);
    (parsed, problems)
}

/// The name a line assigns to, when it is one Alembic reads.
fn target(tokens: &[Token<'_>]) -> Option<&'static str> {
    match &tokens.first()?.kind {
        Kind::Name(word) => alembic_name(word),
        _ => None,
    }
}

fn unreadable(at: &Token<'_>, message: String) -> Problem {
    Problem {
        rule: Rule::UnreadableRevision,
        line: at.line,
        column: at.column,
        span: at.end - at.start,
        message,
        help:
            "write a literal: a string, `None`, or a tuple of strings, as `alembic revision` does"
                .to_owned(),
    }
}

fn malformed(at: &Token<'_>, message: String, help: &str) -> Problem {
    Problem {
        rule: Rule::MalformedFile,
        line: at.line,
        column: at.column,
        span: at.end - at.start,
        message,
        help: help.to_owned(),
    }
}

fn assignment(tokens: &[Token<'_>], parsed: &mut Parsed, problems: &mut Vec<Problem>) {
    let Some(name) = target(tokens) else {
        return;
    };
    let equals = match tokens.get(1).map(|t| &t.kind) {
        Some(Kind::Op("=")) => Some(1),
        // An annotation (`revision: str = "040"`) runs to the first `=`.
        Some(Kind::Op(":")) => tokens.iter().position(|t| t.kind == Kind::Op("=")),
        Some(Kind::Op(op)) if *op == "," || (op.ends_with('=') && *op != "==") => {
            problems.push(unreadable(
                &tokens[0],
                format!("`{name}` is assigned in a form migrate does not read"),
            ));
            return;
        }
        _ => return,
    };
    let Some(equals) = equals else {
        // An annotation without a value declares the name without assigning it.
        return;
    };
    let value_tokens = &tokens[equals + 1..];
    let Some(value) = literal(value_tokens) else {
        problems.push(unreadable(
            &tokens[0],
            format!("`{name}` is not a literal migrate can read without running Python"),
        ));
        if name == "down_revision" {
            parsed.down = None;
            parsed.down_line = Some(tokens[0].line);
        }
        return;
    };
    match (name, value) {
        ("revision", Value::Str(located, range)) => {
            if let Some(bad) = located.value.chars().find(|c| matches!(c, '@' | '-' | '+')) {
                problems.push(malformed(
                    &value_tokens[0],
                    format!("the revision id `{}` contains `{bad}`", located.value),
                    "Alembic refuses `@`, `-` and `+` in revision ids: choose another id",
                ));
            } else if located.value.is_empty() {
                problems.push(malformed(
                    &value_tokens[0],
                    "the revision id is empty".to_owned(),
                    "give the revision an id",
                ));
            } else {
                parsed.revision = Some(located);
                parsed.revision_range = Some(range);
            }
        }
        ("revision", _) => problems.push(malformed(
            &tokens[0],
            "`revision` must be a string".to_owned(),
            "write the revision's id as a string, as in `revision = \"041\"`",
        )),
        ("down_revision", value) => {
            parsed.down_line = Some(tokens[0].line);
            let (down, range) = match value {
                Value::None => (Down::Root, None),
                Value::Str(one, range) => (Down::Parents(vec![one]), Some(range)),
                Value::List(many, _) if many.is_empty() => (Down::Root, None),
                Value::List(many, range) => (Down::Parents(many), Some(range)),
            };
            parsed.down = Some(down);
            parsed.down_range = range.or_else(|| {
                value_tokens
                    .first()
                    .zip(value_tokens.last())
                    .map(|(a, b)| (a.start, b.end))
            });
        }
        (list_name, value) => {
            let items = match value {
                Value::None => Vec::new(),
                Value::Str(one, _) => vec![one],
                Value::List(many, _) => many,
            };
            if list_name == "depends_on" {
                parsed.depends_on = items;
            } else {
                parsed.branch_labels = items.into_iter().map(|l| l.value).collect();
            }
        }
    }
}

/// Reads a literal: adjacent strings, `None`, or a tuple or list of strings.
fn literal(tokens: &[Token<'_>]) -> Option<Value> {
    let first = tokens.first()?;
    let last = tokens.last()?;
    let range = (first.start, last.end);
    if let Some(located) = strings(tokens) {
        return Some(Value::Str(located, range));
    }
    match (&first.kind, &last.kind) {
        (Kind::Name("None"), _) if tokens.len() == 1 => Some(Value::None),
        (Kind::Op(open), Kind::Op(close))
            if tokens.len() >= 2
                && ((*open == "(" && *close == ")") || (*open == "[" && *close == "]")) =>
        {
            let inner = &tokens[1..tokens.len() - 1];
            if inner.is_empty() {
                return Some(Value::List(Vec::new(), range));
            }
            let parts: Vec<&[Token<'_>]> = inner.split(|t| t.kind == Kind::Op(",")).collect();
            let had_comma = parts.len() > 1;
            let mut items = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                if part.is_empty() && i == parts.len() - 1 && had_comma {
                    continue;
                }
                items.push(strings(part)?);
            }
            if *open == "(" && !had_comma {
                // `("040")` is a parenthesized string, not a tuple.
                let one = items.pop()?;
                return Some(Value::Str(one, range));
            }
            Some(Value::List(items, range))
        }
        _ => None,
    }
}

/// One or more adjacent string literals, joined as Python joins them.
fn strings(tokens: &[Token<'_>]) -> Option<Located> {
    let first = tokens.first()?;
    let mut value = String::new();
    for token in tokens {
        match &token.kind {
            Kind::Str { value: part, .. } => value.push_str(part),
            _ => return None,
        }
    }
    Some(Located {
        value,
        line: first.line,
        column: first.column,
    })
}

/// Takes the docstring and finds its `Revision ID:` and `Revises:` lines in the source itself,
/// so that their places are exact and a rewrite keeps everything around them.
fn read_docstring(text: &str, tokens: &[Token<'_>], parsed: &mut Parsed) {
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

/// The checks that need the whole file: required names, and the docstring against the code.
fn finish(parsed: &mut Parsed, problems: &mut Vec<Problem>) {
    let whole_file = |message: &str, help: &str| Problem {
        rule: Rule::MalformedFile,
        line: 1,
        column: 1,
        span: 0,
        message: message.to_owned(),
        help: help.to_owned(),
    };
    let unreadable_named = |name: &str| {
        problems
            .iter()
            .any(|p| p.rule != Rule::MalformedFile && p.message.starts_with(&format!("`{name}`")))
    };
    if parsed.revision.is_none()
        && !unreadable_named("revision")
        && !problems.iter().any(|p| p.rule == Rule::MalformedFile)
    {
        problems.push(whole_file(
            "no top-level `revision = \"...\"`: this is not an Alembic revision file",
            "declare the revision's id, or move the file out of the versions directory: Alembic fails on it too",
        ));
    }
    if parsed.down.is_none() && parsed.down_line.is_none() && parsed.revision.is_some() {
        problems.push(whole_file(
            "no top-level `down_revision`",
            "write `down_revision = None` for a first revision, or the id of the revision this one follows",
        ));
    }
    let (Some(revision), Some(field)) = (&parsed.revision, &parsed.doc_revision) else {
        return stale_revises(parsed, problems);
    };
    if field.value != revision.value {
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

fn stale_revises(parsed: &Parsed, problems: &mut Vec<Problem>) {
    let (Some(down), Some(field)) = (&parsed.down, &parsed.doc_revises) else {
        return;
    };
    let code: Vec<&str> = match down {
        Down::Root => Vec::new(),
        Down::Parents(parents) => parents.iter().map(|p| p.value.as_str()).collect(),
    };
    let mut written: Vec<&str> = field
        .value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut sorted_code = code.clone();
    sorted_code.sort_unstable();
    written.sort_unstable();
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

fn stale_docstring(field: &DocField, message: String, help: String) -> Problem {
    Problem {
        rule: Rule::StaleDocstring,
        line: field.line,
        column: field.column,
        span: field.value.chars().count().max(1),
        message,
        help,
    }
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
    if let Some(field) = &parsed.doc_revision {
        edits.push((field.range, id.to_owned()));
    }
    if let Some(field) = &parsed.doc_revises {
        edits.push((field.range, parents.join(", ")));
    }
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0.0));
    let mut out = text.to_owned();
    for ((start, end), with) in edits {
        out.replace_range(start..end, &with);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = r#""""add readonly role

Revision ID: 041
Revises: 040
Create Date: 2026-01-05 10:00:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "041"
down_revision: Union[str, Sequence[str], None] = "040"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    revision = "not this one"
    op.execute("SELECT 1")
"#;

    fn values(located: &[Located]) -> Vec<&str> {
        located.iter().map(|l| l.value.as_str()).collect()
    }

    #[test]
    fn reads_a_generated_file() {
        let (parsed, problems) = parse(GENERATED);
        assert!(problems.is_empty(), "{problems:?}");
        let revision = parsed.revision.unwrap();
        assert_eq!((revision.value.as_str(), revision.line), ("041", 13));
        let Some(Down::Parents(parents)) = &parsed.down else {
            panic!("{:?}", parsed.down)
        };
        assert_eq!(values(parents), ["040"]);
        assert_eq!(parents[0].column, 50);
        assert_eq!(parsed.down_line, Some(14));
        assert!(parsed.depends_on.is_empty());
        assert!(
            parsed
                .doc
                .unwrap()
                .starts_with("add readonly role\n\nRevision ID: 041")
        );
        let field = parsed.doc_revision.unwrap();
        assert_eq!((field.line, field.column), (3, 14));
        assert_eq!(&GENERATED[field.range.0..field.range.1], "041");
    }

    #[test]
    fn merges_dependencies_and_labels() {
        let text = "revision = 'ae1027a6acf'\ndown_revision = (\n    '1975ea83b712',\n    \"27c6a30d7c24\",\n)\ndepends_on = ['55af2cb1c267']\nbranch_labels = ('shop',)\n";
        let (parsed, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        let Some(Down::Parents(parents)) = &parsed.down else {
            panic!()
        };
        assert_eq!(values(parents), ["1975ea83b712", "27c6a30d7c24"]);
        assert_eq!((parents[1].line, parents[1].column), (4, 5));
        assert_eq!(values(&parsed.depends_on), ["55af2cb1c267"]);
        assert_eq!(parsed.branch_labels, ["shop"]);
    }

    #[test]
    fn roots_and_parenthesized_strings() {
        let (parsed, _) = parse("revision = '1'\ndown_revision = None\n");
        assert_eq!(parsed.down, Some(Down::Root));
        let (parsed, _) = parse("revision = '2'\ndown_revision = ('1')\n");
        let Some(Down::Parents(parents)) = parsed.down else {
            panic!()
        };
        assert_eq!(values(&parents), ["1"]);
    }

    #[test]
    fn expressions_are_unreadable_not_guessed() {
        let text = "revision = make_id()\ndown_revision = '0' + '39'\ndepends_on = f'{x}'\nif True:\n    branch_labels = None\n";
        let (parsed, problems) = parse(text);
        assert!(parsed.revision.is_none());
        assert!(parsed.down.is_none());
        let found: Vec<(Rule, usize)> = problems.iter().map(|p| (p.rule, p.line)).collect();
        assert_eq!(
            found,
            [
                (Rule::UnreadableRevision, 1),
                (Rule::UnreadableRevision, 2),
                (Rule::UnreadableRevision, 3),
                (Rule::UnreadableRevision, 5),
            ]
        );
    }

    #[test]
    fn a_file_without_revision_is_malformed() {
        let (_, problems) = parse("import os\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].rule, Rule::MalformedFile);
        let (_, problems) = parse("revision = '1'\n");
        assert!(problems[0].message.contains("down_revision"));
    }

    #[test]
    fn a_stale_docstring_is_found_on_its_line() {
        let text = GENERATED
            .replace("Revision ID: 041", "Revision ID: 040")
            .replace("Revises: 040", "Revises: 039");
        let (_, problems) = parse(&text);
        let found: Vec<(Rule, usize, usize, &str)> = problems
            .iter()
            .map(|p| (p.rule, p.line, p.column, p.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Rule::StaleDocstring,
                    3,
                    14,
                    "the docstring says `Revision ID: 040`, but `revision` is `041`"
                ),
                (
                    Rule::StaleDocstring,
                    4,
                    10,
                    "the docstring says `Revises: 039`, but `down_revision` is `040`"
                ),
            ]
        );
    }

    #[test]
    fn rewrite_changes_code_and_docstring() {
        let after = rewrite(GENERATED, "042", &["041".to_owned()]);
        assert!(after.contains("Revision ID: 042\nRevises: 041\n"));
        assert!(after.contains("revision: str = \"042\"\n"));
        assert!(after.contains("down_revision: Union[str, Sequence[str], None] = \"041\"\n"));
        assert!(after.contains("revision = \"not this one\""));
        let (_, problems) = parse(&after);
        assert!(problems.is_empty(), "{problems:?}");
        let merged = rewrite(
            "revision = 'b'\ndown_revision = None\n",
            "b",
            &["x".to_owned(), "y".to_owned()],
        );
        assert_eq!(merged, "revision = 'b'\ndown_revision = ('x', 'y')\n");
    }
}
