//! Branch labels that revision files take from constants of their own repository
//! (`branch_labels = (migration.EXPAND_BRANCH,)`), resolved by reading the module, never by
//! running it.
//!
//! A module is looked for as Python would find it with the repository on its path: `a/b/c.py` or
//! `a/b/c/__init__.py`, in the versions directory's ancestors up to the repository's top (the
//! first holding `.git`), and in their `src/`. Only top-level assignments of string literals, of
//! tuples or lists of them, and of names the module itself defined or imported that way count.

use std::collections::HashMap;
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
    values: HashMap<String, Vec<String>>,
    imports: Vec<Import>,
}

/// Reads modules once each, for every file that names them.
struct Resolver {
    roots: Vec<PathBuf>,
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
                LabelItem::Name { dotted, .. } => match resolver.usage(dotted, &imports) {
                    Some(values) => settled.extend(values.into_iter().map(LabelItem::Literal)),
                    None => settled.push(item),
                },
                LabelItem::Literal(_) => settled.push(item),
            }
        }
        draft.parsed.label_items = settled;
        draft.parsed.imports = imports;
    }
}

impl Resolver {
    fn new(versions_dir: &Path) -> Resolver {
        let start = std::path::absolute(versions_dir).unwrap_or_else(|_| versions_dir.to_owned());
        let mut roots = Vec::new();
        for ancestor in start.ancestors() {
            roots.push(ancestor.to_owned());
            if ancestor.join(".git").exists() {
                break;
            }
        }
        Resolver {
            roots,
            modules: HashMap::new(),
        }
    }

    /// The strings a dotted name in a revision file stands for, through the file's imports.
    fn usage(&mut self, dotted: &str, imports: &[Import]) -> Option<Vec<String>> {
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
    fn constant(&mut self, module: &str, name: &str, depth: usize) -> Option<Vec<String>> {
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

    /// The text of the module's file, the first found from the versions directory upwards.
    fn find(&self, module: &str) -> Option<String> {
        let relative: PathBuf = module.split('.').collect();
        let file = relative.with_extension("py");
        let package = relative.join("__init__.py");
        self.roots
            .iter()
            .flat_map(|root| [root.clone(), root.join("src")])
            .flat_map(|base| [base.join(&file), base.join(&package)])
            .find_map(|path| bounded::read_to_string(&path, bounded::CONFIG_LIMIT).ok())
    }
}

fn join(head: &[&str], tail: &[&str]) -> String {
    head.iter()
        .chain(tail)
        .copied()
        .collect::<Vec<_>>()
        .join(".")
}

/// The string constants and imports at a module's top level. A name assigned something else
/// later is forgotten, as its value is then unknown.
fn read_module(text: &str) -> Module {
    let mut module = Module::default();
    let keep = |first: &python::Token<'_>, indent: usize, _: usize| match first.kind {
        Kind::Name(_) if indent == 0 => Keep::All,
        _ => Keep::Nothing,
    };
    let Ok(lines) = python::logical_lines(text, keep) else {
        return module;
    };
    for line in &lines.lines {
        let tokens = lines.tokens(line);
        if matches!(line.first.kind, Kind::Name("from" | "import")) {
            module.imports.extend(names::imports(tokens));
            continue;
        }
        let (Some(Kind::Name(target)), Some(Kind::Op(op))) = (
            tokens.first().map(|t| &t.kind),
            tokens.get(1).map(|t| &t.kind),
        ) else {
            continue;
        };
        let equals = match *op {
            "=" => 1,
            ":" => match tokens.iter().position(|t| t.kind == Kind::Op("=")) {
                Some(at) => at,
                None => continue,
            },
            _ => continue,
        };
        let value = &tokens[equals + 1..];
        let strings = match literal(value) {
            Some(Value::Str(one, _)) => Some(vec![one.value]),
            Some(Value::List(many, _)) => Some(many.into_iter().map(|l| l.value).collect()),
            Some(Value::None) => None,
            None => names::label_items(value).and_then(|items| {
                let mut all = Vec::new();
                for item in items {
                    match item {
                        LabelItem::Literal(s) => all.push(s),
                        LabelItem::Name { dotted, .. } => {
                            all.extend(module.values.get(&dotted)?.iter().cloned());
                        }
                    }
                }
                Some(all)
            }),
        };
        match strings {
            Some(strings) => module.values.insert((*target).to_owned(), strings),
            None => module.values.remove(*target),
        };
    }
    module
}

#[cfg(test)]
mod tests;
