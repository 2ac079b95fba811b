//! Alembic revision files, read without running Python: the module docstring and the top-level
//! assignments to `revision`, `down_revision`, `depends_on` and `branch_labels`.
//!
//! Only literals are read: strings, `None`, and tuples or lists of strings, with or without a
//! type annotation. Anything else is reported as `unreadable-revision`, never guessed at.

mod docstring;
pub(crate) mod names;
mod rewrite;

pub(crate) use rewrite::{fix_docstring, rewrite};

use super::python::{self, Keep, Kind, Token};
use crate::diagnostic::Rule;
use crate::source::finding::Finding;

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
    /// Whether `branch_labels` is assigned something that cannot be read without Python.
    pub labels_unreadable: bool,
    /// `branch_labels` when it holds names the repository's modules may resolve; then
    /// `branch_labels` is filled once they are resolved.
    pub label_items: Vec<names::LabelItem>,
    /// The names top-level imports bind, kept only when `branch_labels` may need them.
    pub imports: Vec<names::Import>,
    /// The module docstring, escapes resolved.
    pub doc: Option<String>,
    pub doc_revision: Option<DocField>,
    pub doc_revises: Option<DocField>,
    /// Byte ranges of the `revision` and `down_revision` values, for rewriting them.
    pub revision_range: Option<(usize, usize)>,
    pub down_range: Option<(usize, usize)>,
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
pub(super) enum Value {
    None,
    Str(Located, (usize, usize)),
    List(Vec<Located>, (usize, usize)),
}

/// Reads one file's text.
#[must_use]
pub(crate) fn parse(text: &str) -> (Parsed, Vec<Finding>) {
    let mut parsed = Parsed::default();
    let mut problems = Vec::new();
    // Only the docstring and assignments to the names Alembic reads are collected, and of the
    // other top-level lines the first token, which tells where functions and classes start. Lines
    // inside them are only scanned past.
    let keep = |first: &Token<'_>, indent: usize, index: usize| match &first.kind {
        Kind::Str { .. } if index == 0 => Keep::All,
        Kind::Name(word) if alembic_name(word).is_some() => Keep::All,
        Kind::Name("from" | "import") if indent == 0 => Keep::All,
        _ if indent == 0 => Keep::First,
        _ => Keep::Nothing,
    };
    let lines = match python::logical_lines(text, keep) {
        Ok(lines) => lines,
        Err(at) => {
            problems.push(Finding {
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
                docstring::read(text, tokens, &mut parsed);
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
    // Imports are read only for the rare file whose labels are names.
    if !parsed.label_items.is_empty() {
        parsed.imports = (lines.lines.iter())
            .filter(|line| {
                line.indent == 0 && matches!(line.first.kind, Kind::Name("from" | "import"))
            })
            .flat_map(|line| names::imports(lines.tokens(line)))
            .collect();
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

fn unreadable(at: &Token<'_>, message: String) -> Finding {
    Finding {
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

fn malformed(at: &Token<'_>, message: String, help: &str) -> Finding {
    Finding {
        rule: Rule::MalformedFile,
        line: at.line,
        column: at.column,
        span: at.end - at.start,
        message,
        help: help.to_owned(),
    }
}

fn assignment(tokens: &[Token<'_>], parsed: &mut Parsed, problems: &mut Vec<Finding>) {
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
    if name == "branch_labels" {
        parsed.label_items.clear();
        if let Some(items) = names::label_items(value_tokens) {
            // Resolved, or reported, once the repository's modules have been read.
            parsed.label_items = items;
            parsed.branch_labels.clear();
            return;
        }
    }
    let Some(value) = literal(value_tokens) else {
        problems.push(unreadable(
            &tokens[0],
            format!("`{name}` is not a literal migrate can read without running Python"),
        ));
        parsed.labels_unreadable |= name == "branch_labels";
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
pub(super) fn literal(tokens: &[Token<'_>]) -> Option<Value> {
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

/// The checks that need the whole file: required names, and the docstring against the code.
fn finish(parsed: &mut Parsed, problems: &mut Vec<Finding>) {
    let whole_file = |message: &str, help: &str| Finding {
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
    docstring::check(parsed, problems);
}

#[cfg(test)]
mod tests;
