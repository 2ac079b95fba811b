//! The oracle: on random Alembic trees (branches, merges, several bases, `depends_on`; numbered
//! and hex ids; annotated and plain assignments), `migrate heads` and `migrate history` print
//! the same lines as the real `alembic heads` and `alembic history`. Lines are compared as sets:
//! the order among unrelated branches may differ (README, "Alembic projects").

use crate::common::alembic;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::common::{migrate_in, output};

/// How many random trees: enough to meet every shape, few enough to stay within seconds.
const TREES: u64 = 36;

struct Node {
    id: String,
    down: Vec<usize>,
    depends_on: Vec<usize>,
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
        });
    }
    nodes
}

/// Writes the tree, in the generated form or, for variety, plain assignments with lists.
fn write(versions: &Path, nodes: &[Node], rng: &mut fastrand::Rng) {
    for (i, node) in nodes.iter().enumerate() {
        let down: Vec<&str> = node.down.iter().map(|&p| nodes[p].id.as_str()).collect();
        let depends: Vec<&str> = node
            .depends_on
            .iter()
            .map(|&p| nodes[p].id.as_str())
            .collect();
        let message = format!("step {i} of the tree");
        let mut text = alembic::revision_with(&node.id, &down, &depends, &message);
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
        std::fs::write(versions.join(format!("{}_step_{i}.py", node.id)), text).unwrap();
    }
}

/// `alembic heads` and `alembic history`, run once in one Python process.
fn alembic_says(python: &Path, dir: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let result = Command::new(python)
        .current_dir(dir)
        .args([
            "-c",
            "from alembic.config import main\nmain(['heads'])\nprint('=====', flush=True)\nmain(['history'])",
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
    let (heads, history) = stdout.split_once("=====\n").unwrap();
    (lines(heads), lines(history))
}

fn lines(text: &str) -> BTreeSet<String> {
    text.lines().map(str::to_owned).collect()
}

fn migrate_says(dir: &Path, command: &str) -> BTreeSet<String> {
    let run = output(migrate_in(dir).args([command, "--color", "never"]));
    assert_eq!(run.code, 0, "{command}: {}", run.stderr);
    lines(&run.stdout)
}

#[test]
fn heads_and_history_agree_with_alembic() {
    let python = alembic::python();
    let work = tempfile::tempdir().unwrap();
    let mut shapes = BTreeSet::new();
    for seed in 0..TREES {
        let mut rng = fastrand::Rng::with_seed(seed);
        let numbered = seed % 3 != 0;
        let nodes = random_tree(&mut rng, numbered);
        let dir = work.path().join(format!("tree{seed}"));
        let versions = alembic::project(&dir);
        write(&versions, &nodes, &mut rng);
        let (heads, history) = alembic_says(&python, &dir);
        let context = || {
            let listing: Vec<String> = nodes
                .iter()
                .map(|n| {
                    let down: Vec<&str> = n.down.iter().map(|&p| nodes[p].id.as_str()).collect();
                    let dep: Vec<&str> =
                        n.depends_on.iter().map(|&p| nodes[p].id.as_str()).collect();
                    format!("{} <- {down:?} depends {dep:?}", n.id)
                })
                .collect();
            format!("tree {seed}:\n{}", listing.join("\n"))
        };
        assert_eq!(
            migrate_says(&dir, "heads"),
            heads,
            "heads differ, {}",
            context()
        );
        assert_eq!(
            migrate_says(&dir, "history"),
            history,
            "history differs, {}",
            context()
        );
        for line in heads.iter().chain(&history) {
            for marker in ["(effective head)", "(mergepoint)", "(branchpoint)", ") -> "] {
                if line.contains(marker) {
                    shapes.insert(marker);
                }
            }
        }
        if heads.len() > 1 {
            shapes.insert("several heads");
        }
    }
    // The trees must have met every shape the comparison is about, or it proves less than it says.
    for shape in [
        "(effective head)",
        "(mergepoint)",
        "(branchpoint)",
        ") -> ",
        "several heads",
    ] {
        assert!(shapes.contains(shape), "no tree had {shape}: {shapes:?}");
    }
}
