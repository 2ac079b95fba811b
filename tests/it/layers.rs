//! The house reads downward: every `crate::` and `super::` path in `src/` names a module of a
//! lower layer than its own, as the numbered list in `src/lib.rs` orders them, and no two
//! modules of one folder import each other, directly or in a longer circle. Unit tests (`mod
//! tests`, `tests.rs`) and the fuzz harness sit on top and may read anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::root;

/// The crate root's re-exports, by the module that owns them.
const ROOT_ITEMS: &[(&str, &str)] = &[("Error", "error")];

/// The layer of each top-level module, from the numbered list in `lib.rs`'s documentation.
fn layers(lib: &str) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.strip_prefix("//! ") else {
            continue;
        };
        let Some((number, list)) = rest.trim_start().split_once(". ") else {
            continue;
        };
        let Ok(layer) = number.parse::<usize>() else {
            continue;
        };
        let names = list.split(':').next().unwrap_or_default();
        for name in names.split(", ") {
            if let Some(name) = name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
                found.insert(name.to_owned(), layer);
            }
        }
    }
    found
}

/// A source file's module path: `src/database/apply.rs` is `["database", "apply"]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a file without its comments and its unit tests.
fn code(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module path a file's code names through `crate::` or `super::`, as absolute paths.
fn references(module: &[String], code: &str) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    for (start, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let before = start.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
            continue;
        }
        let mut at = start;
        let base = if code[at..].starts_with("crate::") {
            at += "crate::".len();
            Vec::new()
        } else {
            let mut base = module.to_vec();
            while code[at..].starts_with("super::") {
                base.pop();
                at += "super::".len();
            }
            base
        };
        paths(code, at, base, &mut found);
    }
    found
}

/// Reads the path at `at` below `base`: names joined by `::`, and `{...}` groups whose items
/// are paths of their own.
fn paths(code: &str, mut at: usize, mut base: Vec<String>, found: &mut BTreeSet<Vec<String>>) {
    loop {
        if code[at..].starts_with('{') {
            let mut depth = 0;
            let mut item = at + 1;
            for (i, c) in code[at..].char_indices() {
                let here = at + i;
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        let skipped = code[item..here].len() - code[item..here].trim_start().len();
                        paths(code, item + skipped, base.clone(), found);
                        item = here + 1;
                        if c == '}' {
                            return;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            return;
        }
        let end = code[at..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(code.len(), |e| at + e);
        let name = &code[at..end];
        if name.is_empty() || name == "self" {
            break;
        }
        base.push(name.to_owned());
        if code[end..].starts_with("::") {
            at = end + 2;
        } else {
            break;
        }
    }
    if !base.is_empty() {
        found.insert(base);
    }
}

/// What breaks the layering in the tree under `src`: each import of a module from its own
/// layer or one above, and each circle among the modules of one folder.
fn violations(src: &Path) -> Vec<String> {
    let layers = layers(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    collect(src, &mut files);
    let mut problems = Vec::new();
    // Edges between sibling modules, keyed by their parent.
    let mut siblings: BTreeMap<Vec<String>, BTreeSet<(String, String)>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let shown = relative.display().to_string();
        let module = module_of(relative);
        let Some(top) = module.first() else {
            continue;
        };
        if top == "main" || top == "fuzz" || module.iter().any(|m| m == "tests") {
            continue;
        }
        let Some(&own) = layers.get(top) else {
            let problem = format!("`{top}` is in no layer of lib.rs's list");
            if !problems.contains(&problem) {
                problems.push(problem);
            }
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for path in references(&module, &code(&text)) {
            let Some(first) = path.first() else { continue };
            let target = ROOT_ITEMS
                .iter()
                .find(|(item, _)| item == first)
                .map_or(first.as_str(), |(_, owner)| owner);
            if target != top
                && let Some(&theirs) = layers.get(target)
                && theirs >= own
            {
                problems.push(format!(
                    "{shown} (`{top}`, layer {own}) imports `{}` (`{target}`, layer {theirs})",
                    path.join("::")
                ));
            }
            let shared = module.iter().zip(&path).take_while(|(a, b)| a == b).count();
            if shared < module.len() && shared < path.len() {
                siblings
                    .entry(module[..shared].to_vec())
                    .or_default()
                    .insert((module[shared].clone(), path[shared].clone()));
            }
        }
    }
    for (parent, edges) in siblings {
        for circle in circles(&edges) {
            problems.push(format!(
                "in `crate::{}`, these modules import each other in a circle: {}",
                parent.join("::"),
                circle.join(" -> ")
            ));
        }
    }
    problems
}

/// The circles of a directed graph, each as a path that returns to its start, once each.
fn circles(edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let mut found: Vec<Vec<String>> = Vec::new();
    let mut reported: BTreeSet<BTreeSet<String>> = BTreeSet::new();
    for start in nodes {
        // A breadth-first search for the shortest way back to `start`.
        let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        'search: while let Some(at) = queue.pop_front() {
            for (_, next) in edges.iter().filter(|(from, _)| from == at) {
                if next == start {
                    let mut circle = vec![start.clone()];
                    let mut back = at;
                    while back != start {
                        circle.push(back.clone());
                        back = previous[back];
                    }
                    circle.push(start.clone());
                    let last = circle.len() - 1;
                    circle[1..last].reverse();
                    if reported.insert(circle.iter().cloned().collect()) {
                        found.push(circle);
                    }
                    break 'search;
                }
                if !previous.contains_key(next) && next != start {
                    previous.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
    }
    found
}

fn collect(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path
                .file_name()
                .is_some_and(|n| n != "lib.rs" && n != "tests.rs")
        {
            found.push(path);
        }
    }
}

#[test]
fn every_import_points_down_and_no_folder_has_a_circle() {
    let problems = violations(&root().join("src"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The test can fail: an upward import and a circle planted in a copy of the tree are found.
#[test]
fn a_planted_upward_import_and_circle_are_found() {
    let copy = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .args(["-r"])
        .arg(root().join("src"))
        .arg(copy.path())
        .status()
        .unwrap();
    assert!(status.success());
    let src = copy.path().join("src");
    let revision = src.join("revision/mod.rs");
    let text = std::fs::read_to_string(&revision).unwrap();
    std::fs::write(
        &revision,
        text.replacen("\nuse ", "\nuse crate::commands::Command;\nuse ", 1),
    )
    .unwrap();
    let gate = src.join("commands/write/gate.rs");
    let text = std::fs::read_to_string(&gate).unwrap();
    std::fs::write(
        &gate,
        text.replacen("\nuse ", "\nuse crate::commands::current::run;\nuse ", 1),
    )
    .unwrap();
    let problems = violations(&src);
    assert!(
        problems.iter().any(|p| p.starts_with(
            "revision/mod.rs (`revision`, layer 5) imports `commands::Command` (`commands`"
        )),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p
            .starts_with("in `crate::commands`, these modules import each other")
            && p.contains("current")
            && p.contains("write")),
        "{problems:?}"
    );
}
