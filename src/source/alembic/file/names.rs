//! Names a revision file borrows from its repository: its top-level imports, and the members of
//! `branch_labels` that are names (`migration.EXPAND_BRANCH`) rather than string literals.

use super::super::python::{Kind, Token};
use super::strings;

/// One member of `branch_labels`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LabelItem {
    Literal(String),
    /// A dotted name, with where it is written and how long it is.
    Name {
        dotted: String,
        line: usize,
        column: usize,
        span: usize,
        /// Whether it is a member of a tuple or list rather than the whole value.
        in_tuple: bool,
    },
}

/// One name a top-level import binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Import {
    /// The name as the file uses it: `migration`, `m`, or `neutron.db.migration` for a plain
    /// `import neutron.db.migration`.
    pub local: String,
    /// The module imported from, dots included for a relative import (`..db`).
    pub module: String,
    /// The name taken from that module, for `from module import name`.
    pub attribute: Option<String>,
}

/// The names an `import` or `from ... import` line binds; nothing for any other line, or for a
/// form this reader does not follow (`import *`).
#[must_use]
pub(in crate::source::alembic) fn imports(tokens: &[Token<'_>]) -> Vec<Import> {
    match tokens.first().map(|t| &t.kind) {
        Some(Kind::Name("import")) => tokens[1..]
            .split(|t| t.kind == Kind::Op(","))
            .filter_map(|part| {
                let (module, rest) = dotted(part)?;
                match rest {
                    [] => Some(Import {
                        local: module.clone(),
                        module,
                        attribute: None,
                    }),
                    [as_, alias] if as_.kind == Kind::Name("as") => Some(Import {
                        local: name(alias)?.to_owned(),
                        module,
                        attribute: None,
                    }),
                    _ => None,
                }
            })
            .collect(),
        Some(Kind::Name("from")) => {
            let Some(split) = tokens.iter().position(|t| t.kind == Kind::Name("import")) else {
                return Vec::new();
            };
            let mut module = String::new();
            for token in &tokens[1..split] {
                match &token.kind {
                    Kind::Op(".") => module.push('.'),
                    Kind::Name(word) => module.push_str(word),
                    _ => return Vec::new(),
                }
            }
            let names = tokens[split + 1..]
                .iter()
                .filter(|t| !matches!(t.kind, Kind::Op("(" | ")")))
                .cloned()
                .collect::<Vec<_>>();
            names
                .split(|t| t.kind == Kind::Op(","))
                .filter_map(|part| {
                    let attribute = name(part.first()?)?.to_owned();
                    let local = match part {
                        [_] => attribute.clone(),
                        [_, as_, alias] if as_.kind == Kind::Name("as") => name(alias)?.to_owned(),
                        _ => return None,
                    };
                    Some(Import {
                        local,
                        module: module.clone(),
                        attribute: Some(attribute),
                    })
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The members of a `branch_labels` value that holds names: a dotted name alone, or a tuple or
/// list of string literals and dotted names. `None` for anything else.
#[must_use]
pub(in crate::source::alembic) fn label_items(tokens: &[Token<'_>]) -> Option<Vec<LabelItem>> {
    let first = tokens.first()?;
    let last = tokens.last()?;
    let (inner, in_tuple) = match (&first.kind, &last.kind) {
        (Kind::Op("("), Kind::Op(")")) | (Kind::Op("["), Kind::Op("]")) if tokens.len() >= 2 => {
            let inner = &tokens[1..tokens.len() - 1];
            // `(NAME)` without a comma is the name in parentheses, not a tuple.
            let tuple =
                first.kind == Kind::Op("[") || inner.iter().any(|t| t.kind == Kind::Op(","));
            (inner, tuple)
        }
        _ => (tokens, false),
    };
    let mut items = Vec::new();
    for part in inner.split(|t| t.kind == Kind::Op(",")) {
        if part.is_empty() {
            continue;
        }
        if let Some(literal) = strings(part) {
            items.push(LabelItem::Literal(literal.value));
        } else if let Some((dotted, [])) = dotted(part) {
            let (start, end) = (part[0].start, part[part.len() - 1].end);
            items.push(LabelItem::Name {
                dotted,
                line: part[0].line,
                column: part[0].column,
                span: end - start,
                in_tuple,
            });
        } else {
            return None;
        }
    }
    items
        .iter()
        .any(|item| matches!(item, LabelItem::Name { .. }))
        .then_some(items)
}

/// A dotted name at the start of `tokens` (`neutron.db.migration`), and the tokens after it.
fn dotted<'t, 'a>(tokens: &'t [Token<'a>]) -> Option<(String, &'t [Token<'a>])> {
    let mut joined = name(tokens.first()?)?.to_owned();
    let mut at = 1;
    while let (Some(dot), Some(next)) = (tokens.get(at), tokens.get(at + 1)) {
        match (&dot.kind, name(next)) {
            (Kind::Op("."), Some(word)) => {
                joined.push('.');
                joined.push_str(word);
                at += 2;
            }
            _ => break,
        }
    }
    Some((joined, &tokens[at..]))
}

/// A token's identifier, when it is one and not a keyword that can end a name.
fn name<'a>(token: &Token<'a>) -> Option<&'a str> {
    match token.kind {
        Kind::Name(word) if !matches!(word, "as" | "import" | "None" | "True" | "False") => {
            Some(word)
        }
        _ => None,
    }
}
