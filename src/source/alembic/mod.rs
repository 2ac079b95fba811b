//! An Alembic versions directory as a whole: which files are revisions, whether the tree is
//! numbered (`040_add_role.py` with `revision = "040"`), and the revisions built from the files.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

pub(crate) mod config;
mod constants;
pub(crate) mod executed;
pub(crate) mod file;
pub(crate) mod python;
pub(crate) mod template;

use self::file::names::LabelItem;
use self::file::{self as alembic_file, Down, Located, Parsed};
use super::finding::Finding;
use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::revision::{DirFormat, ParentRef, Revises, Revision, RevisionId};

/// The extension of Alembic's revision files.
pub(crate) const EXTENSION: &str = "py";

/// Whether a file in a versions directory is a revision, as Alembic decides: every `.py` file
/// except `__init__.py` and editors' lock files (`.#name.py`).
#[must_use]
pub(crate) fn is_candidate(name: &str) -> bool {
    name.strip_suffix(".py")
        .is_some_and(|stem| !stem.is_empty() && stem != "__init__" && !stem.starts_with(".#"))
}

/// Whether a Python file assigns `revision` at its top level: what makes a directory an Alembic
/// versions directory. Only the start of the file is read.
#[must_use]
pub(crate) fn assigns_revision(path: &Path) -> bool {
    let mut head = Vec::new();
    // Only a regular file is looked at: a FIFO named `x.py` must not hang the detection.
    let read = super::bounded::open(path)
        .map_err(super::bounded::Refused::from)
        .and_then(|file| {
            let regular = file.metadata()?.is_file();
            if regular {
                file.take(64 * 1024).read_to_end(&mut head)?;
            }
            Ok(regular)
        });
    read.is_ok_and(|regular| regular)
        && String::from_utf8_lossy(&head).lines().any(|line| {
            line.strip_prefix("revision")
                .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
        })
}

/// A file name's parts: the number before the first `_`, when there is one, and the slug.
fn name_parts(name: &str) -> (Option<&str>, &str) {
    let stem = name.strip_suffix(".py").unwrap_or(name);
    match stem.split_once('_') {
        Some((digits, slug))
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (Some(digits), slug)
        }
        Some((_, slug)) if !slug.is_empty() => (None, slug),
        _ => (None, stem),
    }
}

/// One file, parsed, waiting for the rest of the directory.
#[derive(Debug)]
pub(crate) struct Draft {
    name: String,
    shown: String,
    text: String,
    parsed: Parsed,
    problems: Vec<Finding>,
}

impl Draft {
    /// Parses one file's text.
    #[must_use]
    pub(crate) fn parse(name: &str, shown: String, text: String) -> Draft {
        let (parsed, problems) = alembic_file::parse(&text);
        Draft {
            name: name.to_owned(),
            shown,
            text,
            parsed,
            problems,
        }
    }

    /// Moves what `branch_labels` resolved to into the labels, and reports each name that stayed
    /// unresolved; the literals beside it are kept.
    fn settle_labels(&mut self) {
        for item in std::mem::take(&mut self.parsed.label_items) {
            match item {
                LabelItem::Literal(label) => self.parsed.branch_labels.push(label),
                LabelItem::Name {
                    dotted,
                    line,
                    column,
                    span,
                    ..
                } => {
                    self.parsed.labels_unreadable = true;
                    self.problems.push(Finding {
                        rule: Rule::UnreadableRevision,
                        line,
                        column,
                        span,
                        message: format!(
                            "`branch_labels` names `{dotted}`, which is not a string constant migrate found in this repository's modules"
                        ),
                        help: "assign the label as a string at the top level of a module the file imports with `from package import module`, or write it as a literal".to_owned(),
                    });
                }
            }
        }
        self.parsed.imports = Vec::new();
    }

    /// Whether the file name's number is the revision id.
    fn numbered(&self) -> bool {
        let (number, _) = name_parts(&self.name);
        number.is_some() && number == self.parsed.revision.as_ref().map(|r| r.value.as_str())
    }
}

/// The revisions of a directory, with their text, and what is wrong with the files.
#[derive(Debug, Default)]
pub(crate) struct Built {
    pub revisions: Vec<(Revision, String)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Builds the revisions. A tree is numbered when most files are named by their revision's
/// number; only then are ids compared as numbers, do the numbering rules apply, and must each
/// file's name match its revision.
/// `versions_dir` is where the files are on disk, for the modules their `branch_labels` name;
/// without it (files read from git) such names stay unresolved.
#[must_use]
pub(crate) fn build(mut drafts: Vec<Draft>, versions_dir: Option<&Path>) -> Built {
    if let Some(dir) = versions_dir {
        constants::resolve(&mut drafts, dir);
    }
    for draft in &mut drafts {
        if !draft.parsed.label_items.is_empty() {
            draft.settle_labels();
        }
    }
    let readable = drafts
        .iter()
        .filter(|d| d.parsed.revision.is_some())
        .count();
    let named_by_number = drafts.iter().filter(|d| d.numbered()).count();
    let numbered = named_by_number > 0 && named_by_number * 2 >= readable;
    let make_id = |text: &str| {
        if numbered {
            RevisionId::parse(text).unwrap_or_else(|| RevisionId::name(text))
        } else {
            RevisionId::name(text)
        }
    };
    // `depends_on` may name a branch label instead of a revision, as Alembic allows. Most trees
    // have no label, and then nothing needs resolving.
    let mut labels: HashMap<String, String> = HashMap::new();
    let mut ids: HashSet<String> = HashSet::new();
    if drafts.iter().any(|d| !d.parsed.branch_labels.is_empty()) {
        for draft in &drafts {
            if let Some(revision) = &draft.parsed.revision {
                ids.insert(revision.value.clone());
                for label in &draft.parsed.branch_labels {
                    labels.insert(label.clone(), revision.value.clone());
                }
            }
        }
    }
    let reference = |located: &Located| {
        let value = located.value.as_str();
        let resolved = match labels.get(value) {
            Some(revision) if !ids.contains(value) => revision.as_str(),
            _ => value,
        };
        ParentRef {
            id: make_id(resolved),
            line: located.line,
            column: located.column,
        }
    };
    let mut built = Built {
        revisions: Vec::with_capacity(drafts.len()),
        diagnostics: Vec::new(),
    };
    for draft in drafts {
        built
            .diagnostics
            .extend(draft.problems.iter().map(|p| p.at(&draft.shown)));
        let Some(revision) = &draft.parsed.revision else {
            continue;
        };
        let (number, slug) = name_parts(&draft.name);
        if numbered
            && revision.value.bytes().all(|b| b.is_ascii_digit())
            && number != Some(revision.value.as_str())
        {
            built
                .diagnostics
                .push(filename_mismatch(&draft, revision, number, slug));
        }
        let revises = match &draft.parsed.down {
            Some(Down::Root) => Revises::Root,
            Some(Down::Parents(parents)) => {
                Revises::Parents(parents.iter().map(&reference).collect())
            }
            None => Revises::Unknown,
        };
        let id = make_id(&revision.value);
        let slug = slug.to_owned();
        let depends_on = draft.parsed.depends_on.iter().map(&reference).collect();
        let Draft {
            shown,
            text,
            parsed,
            ..
        } = draft;
        let built_revision = Revision {
            id,
            format: DirFormat::Alembic,
            slug,
            path: shown,
            revises,
            revises_line: parsed.down_line,
            depends_on,
            branch_labels: parsed.branch_labels,
            shown_labels: Vec::new(),
            unreadable_labels: parsed.labels_unreadable,
            // The docstring stays whole: `message` and `show` split it where they need to.
            description: parsed.doc.into_iter().collect(),
            up: None,
            down: None,
        };
        built.revisions.push((built_revision, text));
    }
    built
}

fn filename_mismatch(
    draft: &Draft,
    revision: &Located,
    number: Option<&str>,
    slug: &str,
) -> Diagnostic {
    let better = format!("{}_{slug}.{EXTENSION}", revision.value);
    let message = match number {
        Some(number) => format!(
            "`{}` is named `{number}`, but its `revision` is `{}`",
            draft.name, revision.value
        ),
        None => format!(
            "`{}` carries no number, but its `revision` is `{}`",
            draft.name, revision.value
        ),
    };
    Diagnostic::new(
        Rule::FilenameMismatch,
        Location::span(
            &draft.shown,
            revision.line,
            revision.column,
            revision.value.chars().count() + 2,
        ),
        message,
        format!("rename the file to `{better}`, or correct `revision`"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str, text: &str) -> Draft {
        Draft::parse(name, format!("versions/{name}"), text.to_owned())
    }

    #[test]
    fn candidates() {
        assert!(is_candidate("040_add_role.py"));
        assert!(is_candidate("ae1027a6acf_x.py"));
        assert!(!is_candidate("__init__.py"));
        assert!(!is_candidate(".#040_x.py"));
        assert!(!is_candidate("040_x.pyc"));
    }

    #[test]
    fn name_parts_split_a_number_only() {
        assert_eq!(name_parts("040_add_role.py"), (Some("040"), "add_role"));
        assert_eq!(name_parts("ae1027a6acf_add_role.py"), (None, "add_role"));
        assert_eq!(name_parts("initial.py"), (None, "initial"));
    }

    #[test]
    fn a_numbered_tree_compares_numbers_and_names_files() {
        let built = build(
            vec![
                draft("039_a.py", "revision = '039'\ndown_revision = None\n"),
                draft("041_b.py", "revision = '040'\ndown_revision = '039'\n"),
            ],
            None,
        );
        assert!(built.revisions[0].0.id.is_number());
        let rules: Vec<(Rule, &str)> = built
            .diagnostics
            .iter()
            .map(|d| (d.rule, d.message.as_str()))
            .collect();
        assert_eq!(
            rules,
            [(
                Rule::FilenameMismatch,
                "`041_b.py` is named `041`, but its `revision` is `040`"
            )]
        );
    }

    #[test]
    fn hex_ids_are_names_and_labels_resolve() {
        let built = build(
            vec![
                draft(
                    "1975ea83b712_a.py",
                    "revision = '1975ea83b712'\ndown_revision = None\nbranch_labels = ('shop',)\n",
                ),
                draft(
                    "27c6a30d7c24_b.py",
                    "revision = '27c6a30d7c24'\ndown_revision = None\ndepends_on = 'shop'\n",
                ),
            ],
            None,
        );
        assert!(built.diagnostics.is_empty(), "{:?}", built.diagnostics);
        let second = &built.revisions[1].0;
        assert!(!second.id.is_number());
        assert_eq!(second.depends_on[0].id.as_str(), "1975ea83b712");
        assert_eq!(second.slug, "b");
    }
}
