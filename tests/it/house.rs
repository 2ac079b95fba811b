//! The shape of the source tree, as the architecture asks for it: every module opens with a
//! `//!` line saying what it owns, and no file is over 400 lines, unit tests included.

use std::path::Path;

use crate::common::root;

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_source_file_is_short_and_says_what_it_owns() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 50, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file.strip_prefix(root()).unwrap().display().to_string();
        let lines = text.lines().count();
        assert!(
            lines <= 400,
            "{shown} has {lines} lines; split it (400 at most)"
        );
        assert!(
            text.starts_with("//! "),
            "{shown} does not open with a `//!` line saying what it owns"
        );
    }
}
