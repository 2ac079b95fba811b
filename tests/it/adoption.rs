//! Adopting `migrate` on a project with history: `check --fix` and its round trip, rule
//! settings in migrate.toml, suppressions with a reason and `unused-ignore`, and
//! `check --base REF --new-only`.

use std::path::Path;

use crate::common::{
    alembic, commit_all, git_init, revision, rules, run_in, write_chain, write_tree,
};

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

/// An Alembic tree whose docstrings went stale years ago, and a doc naming a renamed file.
fn legacy(dir: &Path) {
    let versions = alembic::project(dir);
    let stale_second =
        alembic::revision_file("002", &["001"], "second").replace("Revises: 001", "Revises: 000");
    let stale_third = alembic::revision_file("003", &["002"], "third")
        .replace("Revision ID: 003", "Revision ID: 3");
    write_tree(
        &versions,
        &[
            ("001_first.py", &alembic::revision_file("001", &[], "first")),
            ("002_second.py", &stale_second),
            ("003_third.py", &stale_third),
        ],
    );
    write_tree(
        &dir.join("docs"),
        &[("upgrade.md", "run 001_second.py first\n")],
    );
}

#[test]
fn fix_repairs_stale_docstrings_and_a_second_check_has_none_of_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    legacy(dir);
    let before = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(
        rules(&before),
        ["stale-docstring", "stale-docstring", "stale-reference"],
        "{}",
        before.stdout
    );
    let dry = run_in(dir, &["check", "--fix", "--dry-run"]);
    assert!(
        dry.stdout.contains("-Revises: 000\n+Revises: 001\n"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("-Revision ID: 3\n+Revision ID: 003\n"),
        "{}",
        dry.stdout
    );
    assert!(
        read(dir, "alembic/versions/002_second.py").contains("Revises: 000"),
        "a dry run changes nothing"
    );
    let fixed = run_in(dir, &["check", "--fix"]);
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    assert!(
        fixed.stdout.starts_with(
            "rewrote alembic/versions/002_second.py\nrewrote alembic/versions/003_third.py\n"
        ),
        "{}",
        fixed.stdout
    );
    assert!(read(dir, "alembic/versions/002_second.py").contains("Revises: 001\n"));
    assert_eq!(read(dir, "docs/upgrade.md"), "run 002_second.py first\n");
    let after = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(after.code, 0, "{}", after.stdout);
    // Nothing else in the files changed: the code is as it was.
    assert_eq!(
        read(dir, "alembic/versions/003_third.py"),
        alembic::revision_file("003", &["002"], "third")
    );
}

#[test]
fn fix_rewrites_stale_references_and_the_head_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_chain(&dir.join("migrations"), 3, 3);
    write_tree(&dir.join("migrations"), &[("HEAD", "002 002_step_2.sql\n")]);
    write_tree(&dir.join("docs"), &[("steps.md", "see 003_step_two.sql\n")]);
    std::fs::rename(
        dir.join("migrations/003_step_3.sql"),
        dir.join("migrations/003_step_two.sql"),
    )
    .unwrap();
    write_tree(&dir.join("docs"), &[("steps.md", "see 002_step_two.sql\n")]);
    let before = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(
        rules(&before),
        ["stale-reference", "head-file-mismatch"],
        "{}",
        before.stdout
    );
    let fixed = run_in(dir, &["check", "--fix"]);
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    assert_eq!(read(dir, "docs/steps.md"), "see 003_step_two.sql\n");
    assert_eq!(read(dir, "migrations/HEAD"), "003 003_step_two.sql\n");
}

#[test]
fn rules_are_set_in_migrate_toml_everywhere_or_by_path() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    legacy(dir);
    write_tree(
        dir,
        &[("migrate.toml", "[rules]\nstale-docstring = \"warning\"\n")],
    );
    let warned = run_in(dir, &["check", "--format", "concise", "--no-references"]);
    assert_eq!(warned.code, 0, "{}", warned.stdout);
    assert!(
        warned.stdout.contains("warning[stale-docstring]"),
        "{}",
        warned.stdout
    );
    assert_eq!(
        run_in(dir, &["check", "--strict", "--no-references"]).code,
        1
    );
    write_tree(
        dir,
        &[(
            "migrate.toml",
            "[per-path-rules]\n\"alembic/versions/002_*.py\" = { stale-docstring = \"off\" }\n",
        )],
    );
    let one = run_in(dir, &["check", "--format", "concise", "--no-references"]);
    assert_eq!(rules(&one), ["stale-docstring"], "{}", one.stdout);
    assert!(one.stdout.contains("003_third.py"), "{}", one.stdout);
    // An unknown rule name is an error naming the file and its line.
    write_tree(
        dir,
        &[(
            "migrate.toml",
            "# legacy tree\n[rules]\nstale-docstrings = \"off\"\n",
        )],
    );
    let bad = run_in(dir, &["check"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("`migrate.toml`, line 3: `stale-docstrings` is not a rule"),
        "{}",
        bad.stderr
    );
    write_tree(
        dir,
        &[("migrate.toml", "[rules]\nstale-docstring = \"loud\"\n")],
    );
    assert!(
        run_in(dir, &["check"])
            .stderr
            .contains("line 2: `stale-docstring` must be")
    );
}

#[test]
fn suppressions_need_a_reason_and_unused_ones_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    legacy(dir);
    let second = read(dir, "alembic/versions/002_second.py").replace(
        "Revises: 000\n",
        "Revises: 000  # migrate: ignore[stale-docstring] written by hand in 2019\n",
    );
    write_tree(&dir.join("alembic/versions"), &[("002_second.py", &second)]);
    let third = read(dir, "alembic/versions/003_third.py").replacen(
        "\"\"\"third",
        "# migrate: ignore[stale-docstring] imported from the old tool\n\"\"\"third",
        1,
    );
    write_tree(&dir.join("alembic/versions"), &[("003_third.py", &third)]);
    write_tree(
        &dir.join("docs"),
        &[(
            "upgrade.md",
            "run 002_second.py first  # migrate: ignore[stale-reference] nothing stale here\n",
        )],
    );
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(rules(&run), ["unused-ignore"], "{}", run.stdout);
    assert!(run.stdout.contains("docs/upgrade.md:1:"), "{}", run.stdout);
    assert_eq!(run.code, 0);
    assert_eq!(run_in(dir, &["check", "--strict"]).code, 1);
    // The SQL form, in a native tree, with a reason after `--`.
    let native = tempfile::tempdir().unwrap();
    let ndir = native.path();
    write_chain(&ndir.join("migrations"), 2, 3);
    write_tree(
        &ndir.join("migrations"),
        &[(
            "3_odd.sql",
            "-- migrate:ignore mixed-width -- numbered before we padded\n-- migrate:revises 002\n-- migrate:up\nSELECT 1;\n",
        )],
    );
    let sql = run_in(ndir, &["check", "--strict", "--format", "concise"]);
    assert_eq!(sql.code, 0, "{}", sql.stdout);
    // The same suppression without its reason suppresses nothing, and says why.
    write_tree(
        &ndir.join("migrations"),
        &[(
            "3_odd.sql",
            "-- migrate:ignore mixed-width\n-- migrate:revises 002\n-- migrate:up\nSELECT 1;\n",
        )],
    );
    let bare = run_in(ndir, &["check", "--strict", "--format", "concise"]);
    assert_eq!(bare.code, 1, "{}", bare.stdout);
    assert_eq!(
        bare.stdout,
        "migrations/3_odd.sql:1:1: warning[mixed-width] `3` is written with 1 digit, the other revisions with 3\n\
         migrations/3_odd.sql:1:4: warning[unused-ignore] this `migrate:ignore` suppresses nothing: it gives no reason\n"
    );
}

#[test]
fn new_only_reports_what_the_branch_adds_and_not_what_the_base_had() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git_init(dir);
    legacy(dir);
    commit_all(dir, "years of history");
    write_tree(
        &dir.join("alembic/versions"),
        &[(
            "004_fourth.py",
            &alembic::revision_file("004", &["003"], "fourth")
                .replace("Revises: 003", "Revises: 002"),
        )],
    );
    write_tree(&dir.join("docs"), &[("new.md", "after 002_third.py\n")]);
    let all = run_in(dir, &["check", "--base", "main", "--format", "concise"]);
    assert_eq!(rules(&all).len(), 5, "{}", all.stdout);
    let new = run_in(
        dir,
        &[
            "check",
            "--base",
            "main",
            "--new-only",
            "--format",
            "concise",
        ],
    );
    assert_eq!(
        rules(&new),
        ["stale-docstring", "stale-reference"],
        "{}",
        new.stdout
    );
    assert!(
        new.stdout.contains("docs/new.md") && new.stdout.contains("004_fourth.py"),
        "{}",
        new.stdout
    );
    assert_eq!(
        run_in(dir, &["check", "--new-only"]).code,
        2,
        "--new-only needs --base"
    );
    let _ = revision;
}

#[test]
fn a_suppression_outside_the_trees_is_judged_by_all_of_them_at_once() {
    // Two trees in one repository; the README is read by both trees' scans, and names a file
    // of tree `a` by a number it no longer has.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git_init(dir);
    for tree in ["a", "b"] {
        let migrations = dir.join(tree).join("migrations");
        std::fs::create_dir_all(&migrations).unwrap();
        std::fs::write(
            migrations.join("001_first.sql"),
            revision("001_first.sql", "none"),
        )
        .unwrap();
        let second = format!("002_second_{tree}.sql");
        std::fs::write(migrations.join(&second), revision(&second, "001")).unwrap();
    }
    let readme = |name: &str| {
        std::fs::write(
            dir.join("README.md"),
            format!("See migrations/{name} # migrate: ignore[stale-reference] kept for history\n"),
        )
        .unwrap();
    };
    readme("003_second_a.sql");
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Used by tree `a`'s scan: not unused because tree `b` had nothing for it to silence.
    assert!(!run.stdout.contains("unused-ignore"), "{}", run.stdout);
    readme("009_nothing_here.sql");
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(
        run.stdout.matches("warning[unused-ignore]").count(),
        1,
        "{}",
        run.stdout
    );
}
