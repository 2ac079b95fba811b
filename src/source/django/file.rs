//! One Django migration file, read without running it: `class Migration`, and in its body the
//! `dependencies`, `replaces` and `run_before` lists of `(app, name)` pairs and `initial`.

use crate::diagnostic::Rule;
use crate::source::alembic::python::{self, Keep, Kind, Token};
use crate::source::finding::Finding;

/// A migration named by its app and name, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    pub app: String,
    pub name: String,
    /// The 1-based line and column of the pair.
    pub line: usize,
    pub column: usize,
}

/// What the file declares.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// Whether the file defines `class Migration`.
    pub migration: bool,
    pub dependencies: Vec<Key>,
    pub replaces: Vec<Key>,
    pub run_before: Vec<Key>,
    /// `initial = True`.
    pub initial: bool,
    /// Entries of the lists that are not `(app, name)` literals
    /// (`migrations.swappable_dependency(settings.AUTH_USER_MODEL)`): resolved by Django from the
    /// settings, which `migrate` does not import.
    pub unread: usize,
}

/// Reads the file's declarations; a file that cannot be tokenized is one finding.
pub(crate) fn parse(text: &str) -> (Parsed, Vec<Finding>) {
    let mut parsed = Parsed::default();
    let keep = |token: &Token<'_>, indent: usize, _: usize| match token.kind {
        Kind::Name("class") if indent == 0 => Keep::All,
        Kind::Name("dependencies" | "replaces" | "run_before" | "initial") if indent > 0 => {
            Keep::All
        }
        _ => Keep::Nothing,
    };
    let lines = match python::logical_lines(text, keep) {
        Ok(lines) => lines,
        Err(at) => {
            return (
                parsed,
                vec![Finding {
                    rule: Rule::MalformedFile,
                    line: at.line,
                    column: at.column,
                    span: 0,
                    message: "a string or bracket is never closed: Django cannot import this file"
                        .to_owned(),
                    help: "close it".to_owned(),
                }],
            );
        }
    };
    for line in &lines.lines {
        let tokens = lines.tokens(line);
        match tokens.first().map(|t| &t.kind) {
            Some(Kind::Name("class")) => {
                parsed.migration |= matches!(
                    tokens.get(1).map(|t| &t.kind),
                    Some(Kind::Name("Migration"))
                );
            }
            Some(Kind::Name(name)) if tokens.get(1).map(|t| &t.kind) == Some(&Kind::Op("=")) => {
                let value = &tokens[2..];
                match *name {
                    "initial" => {
                        parsed.initial =
                            matches!(value.first().map(|t| &t.kind), Some(Kind::Name("True")));
                    }
                    "dependencies" => pairs(value, &mut parsed.dependencies, &mut parsed.unread),
                    "replaces" => pairs(value, &mut parsed.replaces, &mut parsed.unread),
                    _ => pairs(value, &mut parsed.run_before, &mut parsed.unread),
                }
            }
            _ => {}
        }
    }
    (parsed, Vec::new())
}

/// The `(app, name)` pairs of a list or tuple literal; every other entry is counted in `unread`.
fn pairs(value: &[Token<'_>], out: &mut Vec<Key>, unread: &mut usize) {
    let (Some(first), Some(last)) = (value.first(), value.last()) else {
        return;
    };
    let bracketed = matches!(
        (&first.kind, &last.kind),
        (Kind::Op("["), Kind::Op("]")) | (Kind::Op("("), Kind::Op(")"))
    );
    if !bracketed || value.len() < 2 {
        *unread += 1;
        return;
    }
    for item in split_top(&value[1..value.len() - 1]) {
        match pair(item) {
            Some(key) => out.push(key),
            None => *unread += 1,
        }
    }
}

/// `("app", "0001_initial")`, as written.
fn pair(item: &[Token<'_>]) -> Option<Key> {
    let [open, app, comma, name, rest @ ..] = item else {
        return None;
    };
    let close_ok = match rest {
        [close]
        | [
            Token {
                kind: Kind::Op(","),
                ..
            },
            close,
        ] => close.kind == Kind::Op(")"),
        _ => false,
    };
    match (&open.kind, &app.kind, &comma.kind, &name.kind) {
        (
            Kind::Op("("),
            Kind::Str {
                value: app_value, ..
            },
            Kind::Op(","),
            Kind::Str {
                value: name_value, ..
            },
        ) if close_ok => Some(Key {
            app: app_value.to_string(),
            name: name_value.to_string(),
            line: app.line,
            column: open.column,
        }),
        _ => None,
    }
}

/// The entries of a bracket's content, split at its top-level commas; empty entries dropped.
fn split_top<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Op("(" | "[" | "{") => depth += 1,
            Kind::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
            Kind::Op(",") if depth == 0 => {
                items.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&tokens[start..]);
    items.retain(|item| !item.is_empty());
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_migration() {
        let text = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    initial = True\n\n    dependencies = [\n        ('shop', '0001_initial'),\n        (\"auth\", \"0012_alter_user\"),\n        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n    ]\n    replaces = [('shop', '0002_a'), ('shop', '0003_b')]\n    run_before = (('other', '0001_initial'),)\n\n    operations = [migrations.RunSQL(\"select '('\")]\n";
        let (parsed, problems) = parse(text);
        assert!(problems.is_empty());
        assert!(parsed.migration && parsed.initial);
        let names: Vec<(&str, &str)> = parsed
            .dependencies
            .iter()
            .map(|k| (k.app.as_str(), k.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [("shop", "0001_initial"), ("auth", "0012_alter_user")]
        );
        assert_eq!(parsed.dependencies[0].line, 8);
        assert_eq!(parsed.unread, 1);
        assert_eq!(parsed.replaces.len(), 2);
        assert_eq!(parsed.run_before[0].app, "other");
    }

    #[test]
    fn a_file_without_the_class_is_not_a_migration() {
        assert!(!parse("x = 1\n").0.migration);
    }
}
