//! The oracle: on random Alembic trees (branches, merges, several bases, `depends_on`; numbered
//! and hex ids; annotated and plain assignments; every docstring shape real trees have, and no
//! docstring at all; a named branch, its label written as a literal or as a constant of the
//! project's own module; revisions spread over subdirectories read recursively, or over two
//! `version_locations`) and on shaped ones (a merge of a merge, merges with the longer side first
//! and second, `depends_on` across branches), `migrate heads`, `history`, `history -v` and
//! `heads -v` print the same output, byte for byte and in the same order, as the real
//! `alembic heads`, `alembic history`, `alembic history -v` and `alembic heads -v`. Only what
//! Alembic prints in a Python set's order is sorted on both sides: the heads, and a branch
//! point's children (README, "Alembic projects").

use crate::common::alembic;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{migrate_in, output};

/// How many random trees: enough to meet every shape, few enough to stay within seconds.
const TREES: u64 = 48;

/// The module docstring shapes found in real trees; the last is no docstring at all.
const DOC_SHAPES: u8 = 8;

struct Node {
    id: String,
    down: Vec<usize>,
    depends_on: Vec<usize>,
    label: Option<String>,
    /// Which docstring shape the file is written with (`docstring`).
    doc: u8,
}

/// The file's text with docstring shape `shape` in place of the generated one.
fn docstring(text: &str, shape: u8, message: &str) -> String {
    let end = text[3..].find("\"\"\"").unwrap() + 6;
    let rest = text[3..end - 3].strip_prefix(message).unwrap();
    let q = "\"\"\"";
    let replaced = match shape {
        // As `alembic revision` writes it.
        0 => return text.to_owned(),
        // A newline after the quotes.
        1 => format!("{q}\n{message}{rest}{q}"),
        // A leading space.
        2 => format!("{q} {message}{rest}{q}"),
        // No blank line before the closing quotes.
        3 => format!("{q}{message}{}\n{q}", rest.trim_end_matches('\n')),
        // A blank line first.
        4 => format!("{q}\n\n{message}{rest}{q}"),
        // Single quotes.
        5 => format!("'''{message}{rest}'''"),
        // A message of two lines.
        6 => format!("{q}{message}\nand a second line{rest}{q}"),
        // No docstring.
        _ => String::new(),
    };
    format!("{replaced}{}", &text[end..])
}

fn random_tree(rng: &mut fastrand::Rng, numbered: bool) -> Vec<Node> {
    let count = rng.usize(2..=12);
    let mut nodes: Vec<Node> = Vec::with_capacity(count);
    let mut ids = BTreeSet::new();
    for i in 0..count {
        let id = if numbered {
            format!("{:03}", i + 1)
        } else {
            loop {
                let hex: String = (0..12)
                    .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap())
                    .collect();
                if ids.insert(hex.clone()) {
                    break hex;
                }
            }
        };
        let mut down = Vec::new();
        if i > 0 && rng.u8(0..10) > 0 {
            // Mostly follow a recent revision, so that chains are long and branches short.
            down.push(rng.usize(i.saturating_sub(3)..i));
            if i >= 2 && rng.u8(0..5) == 0 {
                let other = rng.usize(0..i);
                if !down.contains(&other) {
                    down.push(other);
                }
            }
        }
        let mut depends_on = Vec::new();
        if i >= 2 && rng.u8(0..5) == 0 {
            let target = rng.usize(0..i);
            if !down.contains(&target) {
                depends_on.push(target);
            }
        }
        nodes.push(Node {
            id,
            down,
            depends_on,
            label: None,
            doc: rng.u8(0..DOC_SHAPES),
        });
    }
    // A third of the trees have one named branch.
    if rng.u8(0..3) == 0 {
        let at = rng.usize(0..count);
        nodes[at].label = Some(format!("branch{at}"));
    }
    nodes
}

/// Trees with the shapes real projects have and random ones meet only by chance: a merge of a
/// merge, a merge whose first parent is the longer side, and `depends_on` across branches.
/// Each is `(parents, dependencies)` per revision, numbered from 001.
const SHAPED: &[&[(&[usize], &[usize])]] = &[
    // 001; 002, 003 off it; 004 merges them; 005 off 001; 006 merges the merge with 005.
    &[
        (&[], &[]),
        (&[0], &[]),
        (&[0], &[]),
        (&[1, 2], &[]),
        (&[0], &[]),
        (&[3, 4], &[]),
        (&[5], &[]),
    ],
    // A long side 002..004 and a short one 005, merged with the long side first, then after.
    &[
        (&[], &[]),
        (&[0], &[]),
        (&[1], &[]),
        (&[2], &[]),
        (&[0], &[]),
        (&[3, 4], &[]),
        (&[5], &[]),
    ],
    &[
        (&[], &[]),
        (&[0], &[]),
        (&[0], &[]),
        (&[1], &[]),
        (&[2, 3], &[]),
        (&[4], &[]),
    ],
    // A contract branch whose revisions depend on the expand branch's.
    &[
        (&[], &[]),
        (&[0], &[]),
        (&[1], &[]),
        (&[0], &[1]),
        (&[3], &[2]),
        (&[4], &[]),
        (&[2], &[]),
    ],
];

fn shaped(index: usize) -> Vec<Node> {
    SHAPED[index]
        .iter()
        .enumerate()
        .map(|(i, (down, depends))| Node {
            id: format!("{:03}", i + 1),
            down: down.to_vec(),
            depends_on: depends.to_vec(),
            label: None,
            doc: 0,
        })
        .collect()
}

/// Writes the tree, in the generated form or, for variety, plain assignments with lists, each
/// file into the directory `place` chooses for it.
fn write(
    versions: &Path,
    nodes: &[Node],
    rng: &mut fastrand::Rng,
    place: &dyn Fn(usize) -> PathBuf,
) {
    for (i, node) in nodes.iter().enumerate() {
        let down: Vec<&str> = node.down.iter().map(|&p| nodes[p].id.as_str()).collect();
        let depends: Vec<&str> = node
            .depends_on
            .iter()
            .map(|&p| nodes[p].id.as_str())
            .collect();
        let message = format!("step {i} of the tree");
        let mut text = alembic::revision_with(&node.id, &down, &depends, &message);
        if let Some(label) = &node.label {
            // A label is written as a literal, or as a constant of the project's own module,
            // imported in one of the two ways real trees import it.
            let constant = label.to_uppercase();
            let (import, value) = match rng.u8(0..3) {
                0 => (String::new(), format!("('{label}',)")),
                1 => (
                    "from app import labels\n".to_owned(),
                    format!("(labels.{constant},)"),
                ),
                _ => (
                    "import app.labels\n".to_owned(),
                    format!("app.labels.{constant}"),
                ),
            };
            if !import.is_empty() {
                let module = versions.join("../../app/labels.py");
                std::fs::create_dir_all(module.parent().unwrap()).unwrap();
                std::fs::write(module, format!("import os\n\n{constant} = '{label}'\n")).unwrap();
            }
            text = text
                .replace(
                    "import sqlalchemy as sa\n",
                    &format!("import sqlalchemy as sa\n{import}"),
                )
                .replace(
                    "branch_labels: Union[str, Sequence[str], None] = None",
                    &format!("branch_labels: Union[str, Sequence[str], None] = {value}"),
                );
        }
        if rng.bool() {
            text = text
                .replace("revision: str = ", "revision = ")
                .replace(
                    "down_revision: Union[str, Sequence[str], None] = (",
                    "down_revision = [",
                )
                .replace(
                    "down_revision: Union[str, Sequence[str], None] = ",
                    "down_revision = ",
                )
                .replace(
                    "depends_on: Union[str, Sequence[str], None] = ",
                    "depends_on = ",
                );
            if text.contains("down_revision = [") {
                let start = text.find("down_revision = [").unwrap();
                let end = start + text[start..].find(")\n").unwrap();
                text.replace_range(end..=end, "]");
            }
        }
        let text = docstring(&text, node.doc, &message);
        let dir = versions.join(place(i));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}_step_{i}.py", node.id)), text).unwrap();
    }
}

/// `alembic heads`, `alembic history`, `alembic history -v` and `alembic heads -v`, run once in
/// one Python process.
fn alembic_says(python: &Path, dir: &Path) -> [Vec<String>; 4] {
    let result = Command::new(python)
        .current_dir(dir)
        .args([
            "-c",
            "from alembic.config import main\nmain(['heads'])\nprint('=====', flush=True)\nmain(['history'])\nprint('=====', flush=True)\nmain(['history', '-v'])\nprint('=====', flush=True)\nmain(['heads', '-v'])",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "alembic failed in {}:\n{stdout}\n{}",
        dir.display(),
        String::from_utf8_lossy(&result.stderr)
    );
    let parts: Vec<&str> = stdout.split("=====\n").collect();
    // Alembic shows paths as its configuration built them (absolute under `%(here)s`), where
    // migrate shows them relative, as in all its output; and it lists a branch point's children
    // in a Python set's order, where migrate sorts them.
    let here = format!("Path: {}/", dir.display());
    let verbose = |text: &str| -> String {
        text.split_inclusive('\n')
            .map(|line| {
                if let Some(children) = line.strip_prefix("Branches into: ") {
                    let mut ids: Vec<&str> = children.trim_end().split(", ").collect();
                    ids.sort_unstable();
                    format!("Branches into: {}\n", ids.join(", "))
                } else {
                    line.replace(&here, "Path: ")
                }
            })
            .collect()
    };
    // Heads come in the order of a Python set: sorted on both sides. History is compared as
    // the sequence it is, order and repeats included.
    [
        sorted(entries(parts[0])),
        entries(parts[1]),
        entries(&verbose(parts[2])),
        sorted(entries(&verbose(parts[3]))),
    ]
}

fn sorted(mut entries: Vec<String>) -> Vec<String> {
    entries.sort();
    entries
}

/// A listing's entries in order, one per revision: a verbose entry runs from its `Rev: ` line
/// to the next; a one-line entry takes the second line of a two-line message with it.
fn entries(text: &str) -> Vec<String> {
    let verbose = text.starts_with("Rev: ");
    let mut found: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        let continues = if verbose {
            !line.starts_with("Rev: ")
        } else {
            line.starts_with("and a second line")
        };
        match found.last_mut() {
            Some(last) if continues => last.push_str(line),
            _ => found.push(line.to_owned()),
        }
    }
    found
}

fn migrate_says(dir: &Path, args: &[&str]) -> Vec<String> {
    let run = output(migrate_in(dir).args(args).args(["--color", "never"]));
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    if args[0] == "heads" {
        sorted(entries(&run.stdout))
    } else {
        entries(&run.stdout)
    }
}

/// Where file `i` goes: all in `versions/`, spread over subdirectories that
/// `recursive_version_locations` reads, or over two `version_locations`.
fn layout(dir: &Path, seed: u64) -> (&'static str, Box<dyn Fn(usize) -> PathBuf>) {
    let ini = |extra: &str| {
        std::fs::write(
            dir.join("alembic.ini"),
            format!(
                "[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\nsqlalchemy.url = sqlite:///unused.db\n{extra}"
            ),
        )
        .unwrap();
    };
    match seed % 4 {
        1 => {
            ini("recursive_version_locations = true\n");
            let place = |i: usize| {
                let half = if i.is_multiple_of(2) {
                    "expand"
                } else {
                    "contract"
                };
                PathBuf::from(format!("release{}/{half}", i % 3))
            };
            ("recursive", Box::new(place))
        }
        2 => {
            ini("version_locations = %(here)s/alembic/versions %(here)s/more_versions\n");
            let place = |i: usize| {
                if i.is_multiple_of(2) {
                    PathBuf::new()
                } else {
                    PathBuf::from("../../more_versions")
                }
            };
            ("two locations", Box::new(place))
        }
        _ => ("flat", Box::new(|_| PathBuf::new())),
    }
}

#[test]
fn heads_and_history_agree_with_alembic() {
    let python = alembic::python();
    let work = tempfile::tempdir().unwrap();
    let mut shapes = BTreeSet::new();
    for seed in 0..TREES + SHAPED.len() as u64 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let numbered = seed % 3 != 0;
        let nodes = match seed.checked_sub(TREES) {
            Some(shape) => shaped(usize::try_from(shape).unwrap()),
            None => random_tree(&mut rng, numbered),
        };
        let dir = work.path().join(format!("tree{seed}"));
        let versions = alembic::project(&dir);
        let (layout_name, place) = layout(&dir, seed);
        write(&versions, &nodes, &mut rng, &*place);
        let [heads, history, verbose, heads_verbose] = alembic_says(&python, &dir);
        let context = || {
            let listing: Vec<String> = nodes
                .iter()
                .map(|n| {
                    let down: Vec<&str> = n.down.iter().map(|&p| nodes[p].id.as_str()).collect();
                    let dep: Vec<&str> =
                        n.depends_on.iter().map(|&p| nodes[p].id.as_str()).collect();
                    format!(
                        "{} <- {down:?} depends {dep:?} label {:?} docstring {}",
                        n.id, n.label, n.doc
                    )
                })
                .collect();
            format!("tree {seed} ({layout_name}):\n{}", listing.join("\n"))
        };
        let says = |args: &[&str]| migrate_says(&dir, args);
        assert_eq!(says(&["heads"]), heads, "heads differ, {}", context());
        assert_eq!(
            says(&["history"]),
            history,
            "history differs, {}",
            context()
        );
        assert_eq!(
            says(&["history", "-v"]),
            verbose,
            "history -v differs, {}",
            context()
        );
        assert_eq!(
            says(&["heads", "-v"]),
            heads_verbose,
            "heads -v differs, {}",
            context()
        );
        for entry in heads.iter().chain(&history).chain(&verbose) {
            for marker in [
                "(effective head)",
                "(mergepoint)",
                "(branchpoint)",
                ") -> ",
                "Branch names: ",
                "Also depends on: ",
                "and a second line",
            ] {
                if entry.contains(marker) {
                    shapes.insert(marker);
                }
            }
            if entry.contains("Branch names: ") && dir.join("app/labels.py").exists() {
                shapes.insert("a label from a constant");
            }
            if entry.ends_with(", \n") {
                shapes.insert("no docstring");
            }
        }
        if heads.len() > 1 {
            shapes.insert("several heads");
        }
        shapes.insert(layout_name);
    }
    // The trees must have met every shape the comparison is about, or it proves less than it says.
    for shape in [
        "(effective head)",
        "(mergepoint)",
        "(branchpoint)",
        ") -> ",
        "several heads",
        "Branch names: ",
        "Also depends on: ",
        "and a second line",
        "no docstring",
        "a label from a constant",
        "flat",
        "recursive",
        "two locations",
    ] {
        assert!(shapes.contains(shape), "no tree had {shape}: {shapes:?}");
    }
}
