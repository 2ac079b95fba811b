//! `check --base REF`: the merged tree, revisions that fell behind the base, and shipped
//! revisions edited or deleted on the branch, in full and shallow clones.

use std::path::Path;

use crate::common::{commit_all, git, git_init, revision, rules, run_in, write_chain};

/// `main` with five revisions, and a branch `feature` cut from it.
fn repository(dir: &Path) {
    git_init(dir);
    write_chain(&dir.join("migrations"), 5, 3);
    commit_all(dir, "five revisions");
    git(dir, &["checkout", "-q", "-b", "feature"]);
}

fn add(dir: &Path, name: &str, parent: &str) {
    std::fs::write(dir.join("migrations").join(name), revision(name, parent)).unwrap();
}

#[test]
fn a_branch_that_follows_the_base_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    repository(dir);
    add(dir, "006_add_x.sql", "005");
    commit_all(dir, "x");
    let run = run_in(dir, &["check", "--base", "main"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("6 revisions (1 head)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_revision_that_skips_what_the_base_gained_is_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    repository(dir);
    add(dir, "007_add_y.sql", "005");
    commit_all(dir, "y");
    git(dir, &["checkout", "-q", "main"]);
    add(dir, "006_add_x.sql", "005");
    commit_all(dir, "x");
    git(dir, &["checkout", "-q", "feature"]);
    let run = run_in(dir, &["check", "--format", "concise", "--base", "main"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("migrations/007_add_y.sql:1:1: error[behind-base] `007` (`007_add_y.sql`) was added on this branch, but `main` has since gained `006` (`006_add_x.sql`), which it does not follow"),
        "{}",
        run.stdout
    );
    assert!(rules(&run).contains(&"multiple-heads".to_owned()));
}

#[test]
fn editing_or_deleting_a_shipped_revision_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    repository(dir);
    let edited = dir.join("migrations/003_step_3.sql");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, text.replace("SELECT 1;", "SELECT 2;")).unwrap();
    // Deleting the last one would leave no trace but its absence; delete it with its child kept.
    std::fs::remove_file(dir.join("migrations/002_step_2.sql")).unwrap();
    std::fs::write(
        dir.join("migrations/003_step_3.sql"),
        std::fs::read_to_string(&edited)
            .unwrap()
            .replace("revises 002", "revises 001"),
    )
    .unwrap();
    let run = run_in(dir, &["check", "--format", "concise", "--base", "main"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("main:migrations/002_step_2.sql:1:1: error[deleted-applied] `002_step_2.sql` was deleted on this branch, but `main` has it"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("migrations/003_step_3.sql:2:1: error[edited-applied] `003_step_3.sql` was changed on this branch, but `main` already has it"),
        "{}",
        run.stdout
    );
    // Line endings and a byte-order mark are not edits.
    git(dir, &["checkout", "--", "."]);
    let crlf = std::fs::read_to_string(&edited)
        .unwrap()
        .replace('\n', "\r\n");
    std::fs::write(&edited, format!("\u{feff}{crlf}")).unwrap();
    assert_eq!(run_in(dir, &["check", "--base", "main"]).code, 0);
}

#[test]
fn a_shallow_clone_with_the_base_fetched_works() {
    let tmp = tempfile::tempdir().unwrap();
    let origin = tmp.path().join("origin");
    repository(&origin);
    add(&origin, "006_add_y.sql", "005");
    std::fs::remove_file(origin.join("migrations/003_step_3.sql")).unwrap();
    commit_all(&origin, "y");
    git(&origin, &["checkout", "-q", "main"]);
    add(&origin, "006_add_x.sql", "005");
    commit_all(&origin, "x");
    let url = format!("file://{}", origin.display());
    let clone = tmp.path().join("clone");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth=1",
            "--branch",
            "feature",
            &url,
            "clone",
        ],
    );
    let run = run_in(&clone, &["check", "--base", "origin/main"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("git ref `origin/main` does not exist in this clone; fetch it first"),
        "{}",
        run.stderr
    );
    git(
        &clone,
        &[
            "fetch",
            "-q",
            "--depth=1",
            "origin",
            "main:refs/remotes/origin/main",
        ],
    );
    // No history reaches the fork point; what this branch's revisions descend from tells a
    // deletion here from an addition there.
    let run = run_in(
        &clone,
        &["check", "--format", "concise", "--base", "origin/main"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let found = rules(&run);
    assert!(found.contains(&"behind-base".to_owned()), "{}", run.stdout);
    assert!(
        found.contains(&"deleted-applied".to_owned()),
        "{}",
        run.stdout
    );
    assert!(
        found.contains(&"duplicate-revision".to_owned()),
        "{}",
        run.stdout
    );
}

#[test]
fn outside_git_or_with_a_missing_ref_migrate_fails() {
    let tmp = tempfile::tempdir().unwrap();
    write_chain(&tmp.path().join("migrations"), 2, 3);
    let run = run_in(tmp.path(), &["check", "--base", "main"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is not inside a git repository"),
        "{}",
        run.stderr
    );
    git_init(tmp.path());
    commit_all(tmp.path(), "two");
    let run = run_in(tmp.path(), &["check", "--base", "origin/main"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("git ref `origin/main` does not exist"),
        "{}",
        run.stderr
    );
}
