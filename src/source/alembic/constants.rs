//! Branch labels that revision files take from constants of their own repository
//! (`branch_labels = (migration.EXPAND_BRANCH,)`), resolved by reading the module, never by
//! running it.
//!
//! A module is looked for as Python would find it with the repository on its path: `a/b/c.py` or
//! `a/b/c/__init__.py`, in the versions directory's ancestors up to the repository's top (the
//! first holding `.git`), and in their `src/`. Only top-level assignments of string literals, of
//! tuples or lists of them, and of names the module itself defined or imported that way count.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::Draft;
use super::file::names::{self, Import, LabelItem};
use super::file::{Value, literal};
use super::python::{self, Keep, Kind};
use crate::source::bounded;

/// How far a constant is followed through modules that import it from others.
const MAX_DEPTH: usize = 4;

/// What a module's top level assigns, as far as it can be read.
#[derive(Default)]
struct Module {
    values: HashMap<String, Constant>,
    imports: Vec<Import>,
}

/// A constant's strings, and whether it is a tuple or list of them rather than one string.
#[derive(Clone)]
struct Constant {
    values: Vec<String>,
    tuple: bool,
}

/// Reads modules once each, for every file that names them.
struct Resolver {
    roots: Vec<PathBuf>,
    /// The repository's top: no module is read from outside it, through a link or not.
    top: Option<PathBuf>,
    modules: HashMap<String, Option<Module>>,
}

/// Replaces the names in each file's `branch_labels` with the strings they hold. Names that
/// stay unresolved are left for `build` to report.
pub(super) fn resolve(drafts: &mut [Draft], versions_dir: &Path) {
    let mut resolver: Option<Resolver> = None;
    for draft in drafts {
        if draft.parsed.label_items.is_empty() {
            continue;
        }
        let resolver = resolver.get_or_insert_with(|| Resolver::new(versions_dir));
        let imports = std::mem::take(&mut draft.parsed.imports);
        let items = std::mem::take(&mut draft.parsed.label_items);
        let mut settled = Vec::with_capacity(items.len());
        for item in items {
            match &item {
                LabelItem::Name {
                    dotted, in_tuple, ..
                } => match resolver.usage(dotted, &imports) {
                    // `(consts.BRANCHES,)` with a tuple constant is a tuple in a tuple, which
                    // Alembic refuses.
                    Some(constant) if !(constant.tuple && *in_tuple) => {
                        settled.extend(constant.values.into_iter().map(LabelItem::Literal));
                    }
                    _ => settled.push(item),
                },
                LabelItem::Literal(_) => settled.push(item),
            }
        }
        draft.parsed.label_items = settled;
        draft.parsed.imports = imports;
    }
}

impl Resolver {
    /// The module search stays inside the repository: the versions directory's ancestors up to
    /// the first holding `.git`, or, outside git, up to the working directory. A versions
    /// directory outside both reads no module.
    fn new(versions_dir: &Path) -> Resolver {
        let start = std::fs::canonicalize(versions_dir).unwrap_or_else(|_| versions_dir.to_owned());
        let top = start
            .ancestors()
            .find(|a| a.join(".git").exists())
            .map(Path::to_path_buf)
            .or_else(|| {
                std::env::current_dir()
                    .and_then(std::fs::canonicalize)
                    .ok()
                    .filter(|cwd| start.starts_with(cwd))
            });
        let roots = match &top {
            Some(top) => start
                .ancestors()
                .take_while(|a| a.starts_with(top))
                .map(Path::to_path_buf)
                .collect(),
            None => Vec::new(),
        };
        Resolver {
            roots,
            top,
            modules: HashMap::new(),
        }
    }

    /// The strings a dotted name in a revision file stands for, through the file's imports.
    fn usage(&mut self, dotted: &str, imports: &[Import]) -> Option<Constant> {
        let parts: Vec<&str> = dotted.split('.').collect();
        // The longest prefix an import binds decides, as Python's attribute lookup would.
        for bound in (1..=parts.len()).rev() {
            let local = parts[..bound].join(".");
            let Some(import) = imports.iter().rev().find(|i| i.local == local) else {
                continue;
            };
            let rest = &parts[bound..];
            return match (&import.attribute, rest) {
                (Some(attribute), []) => self.constant(&import.module, attribute, 0),
                (Some(attribute), [inner @ .., name]) => {
                    let module = join(&[&import.module, attribute], inner);
                    self.constant(&module, name, 0)
                }
                (None, [inner @ .., name]) => {
                    let module = join(&[&import.module], inner);
                    self.constant(&module, name, 0)
                }
                (None, []) => None,
            };
        }
        None
    }

    /// The strings `name` holds at the top level of `module`, following its own imports.
    fn constant(&mut self, module: &str, name: &str, depth: usize) -> Option<Constant> {
        if depth > MAX_DEPTH || module.starts_with('.') {
            return None;
        }
        let found = self.module(module)?;
        if let Some(values) = found.values.get(name) {
            return Some(values.clone());
        }
        let import = found.imports.iter().rev().find(|i| i.local == name)?;
        let (from, attribute) = (import.module.clone(), import.attribute.clone()?);
        self.constant(&from, &attribute, depth + 1)
    }

    fn module(&mut self, module: &str) -> Option<&Module> {
        if !self.modules.contains_key(module) {
            let read = self.find(module).map(|text| read_module(&text));
            self.modules.insert(module.to_owned(), read);
        }
        self.modules.get(module)?.as_ref()
    }

    /// The text of the module's file, the first found from the versions directory upwards; a
    /// package (`c/__init__.py`) before a module (`c.py`), as Python's finder takes them.
    fn find(&self, module: &str) -> Option<String> {
        let top = self.top.as_ref()?;
        let relative: PathBuf = module.split('.').collect();
        let file = relative.with_extension("py");
        let package = relative.join("__init__.py");
        self.roots
            .iter()
            .flat_map(|root| [root.clone(), root.join("src")])
            .flat_map(|base| [base.join(&package), base.join(&file)])
            .filter_map(|path| std::fs::canonicalize(path).ok())
            .filter(|real| real.starts_with(top))
            .find_map(|real| bounded::read_to_string(&real, bounded::CONFIG_LIMIT).ok())
            .map(|text| match text.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_owned(),
                None => text,
            })
    }
}

fn join(head: &[&str], tail: &[&str]) -> String {
    head.iter()
        .chain(tail)
        .copied()
        .collect::<Vec<_>>()
        .join(".")
}

/// The string constants and imports at a module's top level. A name bound anywhere else in
/// the module (an augmented assignment, a `for`, `with ... as`, an unpacking, a walrus, a
/// `def`, an import, an assignment inside a block) is unknown: its value depends on running it.
fn read_module(text: &str) -> Module {
    let mut module = Module::default();
    let Ok(lines) = python::logical_lines(text, |_, _, _| Keep::All) else {
        return module;
    };
    let rebound = rebound(&lines);
    for line in lines.lines.iter().filter(|l| l.indent == 0) {
        let tokens = lines.tokens(line);
        if matches!(line.first.kind, Kind::Name("from" | "import")) {
            module.imports.extend(names::imports(tokens));
            continue;
        }
        let Some(equals) = simple_assignment(tokens) else {
            continue;
        };
        let Kind::Name(target) = tokens[0].kind else {
            continue;
        };
        if rebound.contains(target) {
            continue;
        }
        let value = &tokens[equals + 1..];
        let constant = match literal(value) {
            Some(Value::Str(one, _)) => Some(Constant {
                values: vec![one.value],
                tuple: false,
            }),
            Some(Value::List(many, _)) => Some(Constant {
                values: many.into_iter().map(|l| l.value).collect(),
                tuple: true,
            }),
            Some(Value::None) => None,
            None => names::label_items(value).and_then(|items| {
                let mut values = Vec::new();
                for item in items {
                    match item {
                        LabelItem::Literal(s) => values.push(s),
                        // A tuple inside a tuple is no label Alembic accepts.
                        LabelItem::Name {
                            dotted, in_tuple, ..
                        } => match module.values.get(&dotted)? {
                            inner if inner.tuple && in_tuple => return None,
                            inner => values.extend(inner.values.iter().cloned()),
                        },
                    }
                }
                Some(Constant {
                    values,
                    tuple: value
                        .first()
                        .is_some_and(|t| matches!(t.kind, Kind::Op("(" | "["))),
                })
            }),
        };
        match constant {
            Some(constant) => module.values.insert(target.to_owned(), constant),
            None => module.values.remove(target),
        };
    }
    module
}

/// Where the `=` of `NAME = value` or `NAME: type = value` is, for a line that is only that.
fn simple_assignment(tokens: &[python::Token<'_>]) -> Option<usize> {
    if !matches!(tokens.first()?.kind, Kind::Name(_)) {
        return None;
    }
    match tokens.get(1)?.kind {
        Kind::Op("=") => Some(1),
        Kind::Op(":") => tokens.iter().position(|t| t.kind == Kind::Op("=")),
        _ => None,
    }
}

/// The names the module binds other than by a plain top-level assignment, at any depth.
fn rebound(lines: &python::Lines<'_>) -> HashSet<String> {
    let mut found = HashSet::new();
    for line in &lines.lines {
        let tokens = lines.tokens(line);
        if matches!(line.first.kind, Kind::Name("from" | "import")) {
            found.extend(names::imports(tokens).into_iter().map(|i| i.local));
            continue;
        }
        let plain = line.indent == 0 && simple_assignment(tokens).is_some();
        // An unpacking: a comma before the line's first `=`, outside brackets.
        let mut depth = 0usize;
        let mut unpacking = false;
        for token in tokens {
            match token.kind {
                Kind::Op("(" | "[" | "{") => depth += 1,
                Kind::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
                Kind::Op(",") if depth == 0 => unpacking = true,
                Kind::Op("=") if depth == 0 => break,
                _ => {}
            }
        }
        let has_equals = tokens.iter().any(|t| t.kind == Kind::Op("="));
        let mut depth = 0usize;
        let mut before_equals = true;
        for (i, token) in tokens.iter().enumerate() {
            match token.kind {
                Kind::Op("(" | "[" | "{") => depth += 1,
                Kind::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
                Kind::Op("=") if depth == 0 => before_equals = false,
                _ => {}
            }
            let Kind::Name(name) = token.kind else {
                continue;
            };
            let next = tokens.get(i + 1).map(|t| &t.kind);
            let previous = i.checked_sub(1).map(|p| &tokens[p].kind);
            let assigned = depth == 0
                && matches!(next, Some(Kind::Op(op)) if op.ends_with('=') && !matches!(*op, "==" | "<=" | ">=" | "!="));
            let walrus = matches!(next, Some(Kind::Op(":=")));
            let introduced = matches!(
                previous,
                Some(Kind::Name(
                    "def" | "class" | "as" | "for" | "global" | "nonlocal"
                ))
            );
            let unpacked = unpacking && has_equals && before_equals && depth == 0;
            if (assigned && !(plain && i == 0)) || walrus || introduced || unpacked {
                found.insert(name.to_owned());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests;
