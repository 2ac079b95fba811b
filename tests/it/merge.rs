//! `migrate merge` for both formats, and the trap a new user met: a feature branch merged into
//! `main` with a collision, `migrate rebase`, `git commit --no-edit`, and the commit must be a
//! tree that passes `check` with `main`'s revision keeping its number.

use std::path::Path;

use crate::common::{
    alembic, commit_all, git, git_command, git_init, revision, run_in, write_chain, write_tree,
};

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

#[test]
fn merge_writes_a_native_merge_revision_that_check_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_chain(&dir.join("migrations"), 3, 3);
    write_tree(
        &dir.join("migrations"),
        &[
            ("004_add_x.sql", &revision("add x", "003")),
            ("005_add_y.sql", &revision("add y", "003")),
        ],
    );
    assert_eq!(run_in(dir, &["check"]).code, 1);
    let run = run_in(dir, &["merge"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "migrations/006_merge_heads.sql\n");
    let text = read(dir, "migrations/006_merge_heads.sql");
    assert!(text.contains("-- migrate:revises 004 005\n"), "{text}");
    let check = run_in(dir, &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    // With one head left there is nothing to merge.
    let again = run_in(dir, &["merge", "--format", "json"]);
    assert_eq!(again.code, 1);
    assert!(
        again.stdout.contains("\"nothing-to-merge\""),
        "{}",
        again.stdout
    );
    // A revision that merges nothing still needs SQL.
    write_tree(
        &dir.join("migrations"),
        &[("007_empty.sql", "-- migrate:revises 006\n-- migrate:up\n")],
    );
    let empty = run_in(dir, &["check", "--format", "concise"]);
    assert!(
        empty.stdout.contains("the up section is empty"),
        "{}",
        empty.stdout
    );
}

#[test]
fn merge_writes_an_alembic_merge_file_that_alembic_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let versions = alembic::project(dir);
    write_tree(
        &versions,
        &[
            (
                "1a2b3c4d5e6f_base.py",
                &alembic::revision_file("1a2b3c4d5e6f", &[], "base"),
            ),
            (
                "aaaaaaaaaaaa_x.py",
                &alembic::revision_file("aaaaaaaaaaaa", &["1a2b3c4d5e6f"], "x"),
            ),
            (
                "bbbbbbbbbbbb_y.py",
                &alembic::revision_file("bbbbbbbbbbbb", &["1a2b3c4d5e6f"], "y"),
            ),
        ],
    );
    // A message that would end the docstring is refused, and nothing is written.
    let broken = run_in(dir, &["merge", "ends \"\"\" here"]);
    assert_eq!(broken.code, 2, "{}", broken.stderr);
    assert_eq!(std::fs::read_dir(&versions).unwrap().count(), 3);
    let run = run_in(dir, &["merge", "join x and y"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = run.stdout.trim();
    assert!(
        path.starts_with("alembic/versions/") && path.ends_with("_join_x_and_y.py"),
        "{path}"
    );
    let text = read(dir, path);
    assert!(
        text.contains("Revises: aaaaaaaaaaaa, bbbbbbbbbbbb\n")
            && text.contains("= ('aaaaaaaaaaaa', 'bbbbbbbbbbbb')\n"),
        "{text}"
    );
    assert_eq!(run_in(dir, &["check"]).code, 0);
    // The real alembic sees one head: the merge.
    let id = path
        .rsplit('/')
        .next()
        .unwrap()
        .split('_')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(alembic::says(dir, &["heads"]), format!("{id} (head)\n"));
}

/// `main` with `001`..`007` and `008_add_audit` shipped; `feature` added `008_add_reports`,
/// which a test names.
fn collided_merge(dir: &Path) {
    git_init(dir);
    write_chain(&dir.join("migrations"), 7, 3);
    commit_all(dir, "seven revisions");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    write_tree(
        &dir.join("migrations"),
        &[("008_add_reports.sql", &revision("add reports", "007"))],
    );
    write_tree(
        &dir.join("tests"),
        &[("test_reports.py", "MIGRATION = \"008_add_reports\"\n")],
    );
    commit_all(dir, "reports");
    git(dir, &["checkout", "-q", "main"]);
    write_tree(
        &dir.join("migrations"),
        &[("008_add_audit.sql", &revision("add audit", "007"))],
    );
    commit_all(dir, "audit, shipped");
}

#[test]
fn a_feature_merged_into_main_is_repaired_and_committed_as_a_passing_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    collided_merge(dir);
    // The merge stops before committing, as `git merge --no-commit` or a conflict would.
    git(dir, &["merge", "-q", "--no-ff", "--no-commit", "feature"]);
    assert_eq!(run_in(dir, &["check"]).code, 1);
    let run = run_in(dir, &["rebase"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("renamed migrations/008_add_reports.sql -> migrations/009_add_reports.sql"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("rewrote tests/test_reports.py"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("staged"), "{}", run.stderr);
    let commit = git_command(dir, &["commit", "-q", "--no-edit"])
        .output()
        .unwrap();
    assert!(
        commit.status.success(),
        "{}",
        String::from_utf8_lossy(&commit.stderr)
    );
    // Nothing was left out of the commit, and the commit itself passes.
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
    let check = run_in(dir, &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        dir.join("migrations/008_add_audit.sql").exists(),
        "main's revision kept its number"
    );
    assert!(read(dir, "migrations/009_add_reports.sql").contains("-- migrate:revises 008\n"));
    assert_eq!(
        read(dir, "tests/test_reports.py"),
        "MIGRATION = \"009_add_reports\"\n"
    );
    let committed = git(dir, &["show", "HEAD:migrations/009_add_reports.sql"]);
    assert!(committed.contains("-- migrate:revises 008\n"));
}

#[test]
fn main_merged_into_the_feature_moves_the_feature_and_unknown_sides_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    collided_merge(dir);
    let audit = read(dir, "migrations/008_add_audit.sql");
    git(dir, &["checkout", "-q", "feature"]);
    git(dir, &["merge", "-q", "--no-commit", "main"]);
    let run = run_in(dir, &["rebase"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("renamed migrations/008_add_reports.sql -> migrations/009_add_reports.sql"),
        "{}",
        run.stdout
    );
    git(dir, &["commit", "-q", "--no-edit"]);
    // The committed result passes, main's shipped revision kept its number and its bytes, and
    // the feature's follows it.
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
    let check = run_in(dir, &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert_eq!(
        git(dir, &["show", "HEAD:migrations/008_add_audit.sql"]),
        audit,
        "main's 008_add_audit kept its number and bytes"
    );
    assert!(
        git(dir, &["show", "HEAD:migrations/009_add_reports.sql"])
            .contains("-- migrate:revises 008\n")
    );
    assert_eq!(
        read(dir, "tests/test_reports.py"),
        "MIGRATION = \"009_add_reports\"\n"
    );
    // Two branches, neither the default: rebase will not guess.
    git(dir, &["checkout", "-q", "-b", "left", "HEAD~1"]);
    write_tree(
        &dir.join("migrations"),
        &[("009_left.sql", &revision("left", "008"))],
    );
    commit_all(dir, "left");
    git(dir, &["checkout", "-q", "-b", "right", "HEAD~1"]);
    write_tree(
        &dir.join("migrations"),
        &[("009_right.sql", &revision("right", "008"))],
    );
    commit_all(dir, "right");
    git(dir, &["merge", "-q", "--no-commit", "left"]);
    let refused = run_in(dir, &["rebase"]);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused
            .stderr
            .contains("`right` (checked out) or `left` (being merged in)"),
        "{}",
        refused.stderr
    );
}
