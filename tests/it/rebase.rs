//! `migrate rebase` beyond the incident, and the head file that `new`, `init` and `check` keep.

use std::path::Path;

use crate::common::{
    commit_all, git, git_command, git_init, revision, rules, run_in, write_chain, write_tree,
};

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

/// Two heads after `002`: `003_add_x` (main's) and `003_add_y` (this branch's), outside git.
fn two_heads(dir: &Path) {
    write_chain(&dir.join("migrations"), 2, 3);
    write_tree(
        &dir.join("migrations"),
        &[
            ("003_add_x.sql", &revision("add x", "002")),
            ("003_add_y.sql", &revision("add y", "002")),
        ],
    );
    write_tree(&dir.join("docs"), &[("y.md", "see 003_add_y.sql\n")]);
}

#[test]
fn dry_run_prints_a_unified_diff_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    two_heads(tmp.path());
    let run = run_in(tmp.path(), &["rebase", "--dry-run", "003_add_y"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "diff --git a/docs/y.md b/docs/y.md\n--- a/docs/y.md\n+++ b/docs/y.md\n@@ -1 +1 @@\n-see 003_add_y.sql\n+see 004_add_y.sql\ndiff --git a/migrations/003_add_y.sql b/migrations/004_add_y.sql\nrename from migrations/003_add_y.sql\nrename to migrations/004_add_y.sql\n--- a/migrations/003_add_y.sql\n+++ b/migrations/004_add_y.sql\n@@ -1,5 +1,5 @@\n -- add y\n--- migrate:revises 002\n+-- migrate:revises 003\n \n -- migrate:up\n SELECT 1;\n"
    );
    assert!(tmp.path().join("migrations/003_add_y.sql").exists());
    assert_eq!(read(tmp.path(), "docs/y.md"), "see 003_add_y.sql\n");
}

#[test]
fn named_revisions_move_outside_git_too() {
    let tmp = tempfile::tempdir().unwrap();
    two_heads(tmp.path());
    // `003` names two files: the file name says which.
    let run = run_in(tmp.path(), &["rebase", "003"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("`003` is ambiguous"), "{}", run.stderr);
    let run = run_in(tmp.path(), &["rebase"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "there are 2 heads or shared numbers, and nothing says which revisions have shipped"
        ),
        "{}",
        run.stderr
    );
    let run = run_in(tmp.path(), &["rebase", "003_add_y.sql"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(tmp.path(), "migrations/004_add_y.sql").contains("-- migrate:revises 003\n"));
    assert_eq!(read(tmp.path(), "docs/y.md"), "see 004_add_y.sql\n");
    assert_eq!(run_in(tmp.path(), &["check"]).code, 0);
    // Nothing left to do is a success that changes nothing.
    let run = run_in(tmp.path(), &["rebase"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert!(run.stderr.contains("nothing to change"), "{}", run.stderr);
}

#[test]
fn a_result_that_would_fail_check_is_refused_and_nothing_changes() {
    let tmp = tempfile::tempdir().unwrap();
    two_heads(tmp.path());
    // An unrelated broken file: the rebase alone cannot make `check` pass.
    write_tree(
        &tmp.path().join("migrations"),
        &[("001_broken.sql", "-- no header\n")],
    );
    let run = run_in(tmp.path(), &["rebase", "--format", "concise", "003_add_y"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("would not pass `migrate check`, so nothing was changed"),
        "{}",
        run.stderr
    );
    assert!(
        rules(&run).contains(&"malformed-file".to_owned()),
        "{}",
        run.stdout
    );
    assert!(tmp.path().join("migrations/003_add_y.sql").exists());
    assert_eq!(read(tmp.path(), "docs/y.md"), "see 003_add_y.sql\n");
}

#[test]
fn a_branch_of_several_revisions_keeps_its_order_and_shape() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git_init(dir);
    write_chain(&dir.join("migrations"), 3, 3);
    commit_all(dir, "three");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    let m = dir.join("migrations");
    write_tree(
        &m,
        &[
            ("004_a.sql", &revision("a", "003")),
            ("005_b.sql", &revision("b", "004")),
        ],
    );
    commit_all(dir, "a and b");
    git(dir, &["checkout", "-q", "main"]);
    write_tree(
        &m,
        &[
            ("004_x.sql", &revision("x", "003")),
            ("005_y.sql", &revision("y", "004")),
        ],
    );
    commit_all(dir, "x and y");
    git(dir, &["checkout", "-q", "feature"]);
    // What the base already has keeps its name.
    let run = run_in(dir, &["rebase", "--onto", "main", "003_step_3"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("`003_step_3.sql` is on `main` already"),
        "{}",
        run.stderr
    );
    let run = run_in(dir, &["rebase", "--onto", "main"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(dir, "migrations/006_a.sql").contains("revises 005\n"));
    assert!(read(dir, "migrations/007_b.sql").contains("revises 006\n"));
    commit_all(dir, "rebased");
    git(dir, &["merge", "-q", "main", "-m", "merge"]);
    assert_eq!(run_in(dir, &["check"]).code, 0);
}

#[test]
fn during_a_git_rebase_the_replayed_side_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git_init(dir);
    write_chain(&dir.join("migrations"), 2, 3);
    std::fs::write(dir.join("migrations/HEAD"), "002 002_step_2.sql\n").unwrap();
    commit_all(dir, "two");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    write_tree(
        &dir.join("migrations"),
        &[
            ("003_add_y.sql", &revision("y", "002")),
            ("HEAD", "003 003_add_y.sql\n"),
        ],
    );
    commit_all(dir, "y");
    git(dir, &["checkout", "-q", "main"]);
    write_tree(
        &dir.join("migrations"),
        &[
            ("003_add_x.sql", &revision("x", "002")),
            ("HEAD", "003 003_add_x.sql\n"),
        ],
    );
    commit_all(dir, "x");
    git(dir, &["checkout", "-q", "feature"]);
    let rebase = git_command(dir, &["rebase", "main"]).output().unwrap();
    assert!(!rebase.status.success());
    let run = run_in(dir, &["rebase"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(read(dir, "migrations/HEAD"), "004 004_add_y.sql\n");
    assert!(read(dir, "migrations/004_add_y.sql").contains("revises 003\n"));
    git(dir, &["add", "-A"]);
    let cont = git_command(dir, &["rebase", "--continue"])
        .env("GIT_EDITOR", "true")
        .output()
        .unwrap();
    assert!(
        cont.status.success(),
        "{}",
        String::from_utf8_lossy(&cont.stderr)
    );
    assert_eq!(run_in(dir, &["check", "--base", "main"]).code, 0);
}

#[test]
fn init_writes_the_head_file_and_new_keeps_it_current() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert_eq!(run_in(dir, &["init"]).code, 0);
    assert_eq!(read(dir, "migrations/HEAD"), "001 001_initial.sql\n");
    std::fs::write(
        dir.join("migrations/001_initial.sql"),
        revision("initial", "none"),
    )
    .unwrap();
    assert_eq!(run_in(dir, &["new", "add users"]).code, 0);
    assert_eq!(read(dir, "migrations/HEAD"), "002 002_add_users.sql\n");
    std::fs::write(
        dir.join("migrations/002_add_users.sql"),
        revision("users", "001"),
    )
    .unwrap();
    assert_eq!(run_in(dir, &["check"]).code, 0);

    // A revision added by hand leaves the head file behind.
    std::fs::write(dir.join("migrations/003_add_x.sql"), revision("x", "002")).unwrap();
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(
        run.stdout,
        "migrations/HEAD:1:1: error[head-file-mismatch] `migrations/HEAD` names `002 002_add_users.sql`, but the head is `003` (`003_add_x.sql`)\n"
    );
    // `rebase` with nothing to move still brings it up to date.
    assert_eq!(run_in(dir, &["rebase"]).code, 0);
    assert_eq!(read(dir, "migrations/HEAD"), "003 003_add_x.sql\n");
}

#[test]
fn the_configuration_turns_the_head_file_on_and_off() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_chain(&dir.join("migrations"), 2, 3);
    std::fs::write(dir.join("migrate.toml"), "head_file = true\n").unwrap();
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(
        run.stdout,
        "migrations/HEAD:1:1: error[head-file-mismatch] the head file `migrations/HEAD` is missing\n"
    );
    std::fs::write(dir.join("migrations/HEAD"), "001 001_step_1.sql\n").unwrap();
    std::fs::write(dir.join("migrate.toml"), "head_file = false\n").unwrap();
    assert_eq!(run_in(dir, &["check"]).code, 0);
    assert_eq!(run_in(dir, &["new", "three"]).code, 0);
    assert_eq!(read(dir, "migrations/HEAD"), "001 001_step_1.sql\n");
}

#[test]
fn a_rename_onto_a_name_still_to_move_goes_through_a_temporary_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git_init(dir);
    write_tree(
        &dir.join("migrations"),
        &[("001_s.sql", &revision("s", "none"))],
    );
    commit_all(dir, "shipped");
    // On `main` every revision has shipped: the collision is made on a branch.
    git(dir, &["checkout", "-q", "-b", "feature"]);
    write_tree(
        &dir.join("migrations"),
        &[
            ("002_b.sql", &revision("b", "001")),
            ("002_a.sql", &revision("a", "001")),
            ("003_a.sql", &revision("a again", "002")),
        ],
    );
    commit_all(dir, "a collision");
    // `002_a` becomes `003_a`, which is still the old `003_a` until that becomes `004_a`.
    let run = run_in(dir, &["rebase", "002_a.sql", "003_a.sql"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(read(dir, "migrations/003_a.sql").starts_with("-- a\n-- migrate:revises 002\n"));
    assert!(read(dir, "migrations/004_a.sql").starts_with("-- a again\n-- migrate:revises 003\n"));
    assert!(!dir.join("migrations/002_a.sql").exists());
    assert_eq!(run_in(dir, &["check"]).code, 0);
    // Outside a merge nothing is staged: the index still holds the tree as committed.
    assert_eq!(git(dir, &["diff", "--cached", "--name-only"]), "");
}
