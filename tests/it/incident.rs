//! The incident of `shared/seeds/003`, replayed in a real git repository: `main` gains
//! `040_create_team.sql` while a branch cut before it adds `040_add_readonly_role.sql`, a test
//! that names the file, and a doc that mentions it.

use std::path::Path;

use crate::common::{
    Run, commit_all, git, git_command, git_init, revision, rules, run_in, write_chain,
};

const ROLE: &str = "-- Add the read-only role for the dashboard\n-- Revision ID: 040\n-- Revises: 039\n-- migrate:revises 039\n\n-- migrate:up\nCREATE ROLE dashboard_ro;\n\n-- migrate:down\nDROP ROLE dashboard_ro;\n";
const TEST_FILE: &str = "\"\"\"Tests for migration 040.\"\"\"\n\ndef test_migration_file_exists():\n    assert (VERSIONS / \"040_add_readonly_role.sql\").exists()\n";
const DOC: &str = "# Roles\n\nThe role comes from `040_add_readonly_role`.\n";

/// Builds the two branches; `head_file` turns `migrations/HEAD` on.
fn incident(dir: &Path, head_file: bool) {
    git_init(dir);
    let migrations = dir.join("migrations");
    write_chain(&migrations, 39, 3);
    let head = |line: &str| {
        if head_file {
            std::fs::write(migrations.join("HEAD"), format!("{line}\n")).unwrap();
        }
    };
    head("039 039_step_39.sql");
    commit_all(dir, "39 revisions");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(migrations.join("040_add_readonly_role.sql"), ROLE).unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join("tests/test_readonly_role.py"), TEST_FILE).unwrap();
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs/roles.md"), DOC).unwrap();
    head("040 040_add_readonly_role.sql");
    commit_all(dir, "add the read-only role");
    git(dir, &["checkout", "-q", "main"]);
    std::fs::write(
        migrations.join("040_create_team.sql"),
        revision("create the team", "039"),
    )
    .unwrap();
    head("040 040_create_team.sql");
    commit_all(dir, "create the team");
    git(dir, &["checkout", "-q", "feature"]);
}

fn check(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--format", "concise"];
    args.extend(extra);
    run_in(dir, &args)
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

/// After the fix: the file is `041`, follows `040`, and everything that named it says so.
fn assert_fixed(dir: &Path) {
    let role = read(dir, "migrations/041_add_readonly_role.sql");
    assert!(role.contains("-- migrate:revises 040\n"), "{role}");
    assert!(
        role.contains("-- Revision ID: 041\n-- Revises: 040\n"),
        "{role}"
    );
    assert!(!dir.join("migrations/040_add_readonly_role.sql").exists());
    assert!(read(dir, "tests/test_readonly_role.py").contains("\"041_add_readonly_role.sql\""));
    assert!(read(dir, "docs/roles.md").contains("`041_add_readonly_role`"));
    let run = check(dir, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn check_base_reports_the_branch_behind_main_before_the_merge() {
    let tmp = tempfile::tempdir().unwrap();
    incident(tmp.path(), false);
    // The branch on its own is fine: that is why review missed it.
    assert_eq!(check(tmp.path(), &[]).code, 0);
    let run = check(tmp.path(), &["--base", "main"]);
    assert_eq!(run.code, 1);
    assert!(
        rules(&run).contains(&"behind-base".to_owned()),
        "{}",
        run.stdout
    );
    let behind = run
        .stdout
        .lines()
        .find(|l| l.contains("behind-base"))
        .unwrap();
    assert!(
        behind.starts_with("migrations/040_add_readonly_role.sql:1:1: error[behind-base]")
            && behind.contains("`main` has since gained `040` (`040_create_team.sql`)"),
        "{behind}"
    );
}

#[test]
fn the_merged_tree_has_a_duplicate_and_two_heads() {
    let tmp = tempfile::tempdir().unwrap();
    incident(tmp.path(), false);
    // Without the head file, git merges the two `040`s without a word.
    git(tmp.path(), &["merge", "-q", "main", "-m", "merge main"]);
    let run = check(tmp.path(), &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        rules(&run),
        ["duplicate-revision", "multiple-heads"],
        "{}",
        run.stdout
    );
}

#[test]
fn a_partial_renumber_is_caught_and_rebase_finishes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    incident(dir, false);
    git(dir, &["merge", "-q", "main", "-m", "merge main"]);
    // Round one of the review: the file is renamed, nothing else.
    git(
        dir,
        &[
            "mv",
            "migrations/040_add_readonly_role.sql",
            "migrations/041_add_readonly_role.sql",
        ],
    );
    let run = check(dir, &[]);
    assert_eq!(run.code, 1);
    let found = rules(&run);
    assert!(found.contains(&"stale-parent".to_owned()), "{}", run.stdout);
    for stale in [
        "docs/roles.md:3:22: error[stale-reference] `040_add_readonly_role` names a migration that is now `041_add_readonly_role.sql`",
        "migrations/041_add_readonly_role.sql:2:4: error[stale-reference] `Revision ID: 040` disagrees: the file's revision is `041`",
        "tests/test_readonly_role.py:4:25: error[stale-reference] `040_add_readonly_role.sql` names a migration that is now `041_add_readonly_role.sql`",
    ] {
        assert!(
            run.stdout.contains(stale),
            "missing {stale}\n{}",
            run.stdout
        );
    }
    let run = run_in(dir, &["rebase", "--onto", "main"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_fixed(dir);
}

#[test]
fn rebase_on_the_branch_fixes_everything_in_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    incident(dir, false);
    let run = run_in(dir, &["rebase", "--onto", "main"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "rewrote docs/roles.md\nrenamed migrations/040_add_readonly_role.sql -> migrations/041_add_readonly_role.sql\nrewrote tests/test_readonly_role.py\n"
    );
    // Outside a merge nothing is staged, and `rebase` says so; once added, git sees a rename.
    assert!(run.stderr.contains("nothing was staged"), "{}", run.stderr);
    let status = git(dir, &["status", "--porcelain"]);
    assert!(
        status.contains(" D migrations/040_add_readonly_role.sql")
            && status.contains("?? migrations/041_add_readonly_role.sql"),
        "{status}"
    );
    git(dir, &["add", "-A"]);
    let status = git(dir, &["status", "--porcelain"]);
    assert!(
        status.contains(
            "R  migrations/040_add_readonly_role.sql -> migrations/041_add_readonly_role.sql"
        ),
        "{status}"
    );
    assert_eq!(check(dir, &["--base", "main"]).code, 0);
    commit_all(dir, "renumber after main");
    git(dir, &["merge", "-q", "main", "-m", "merge main"]);
    assert_fixed(dir);
}

#[test]
fn with_the_head_file_git_stops_the_merge_and_rebase_resolves_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    incident(dir, true);
    let merge = git_command(dir, &["merge", "main", "-m", "merge main"])
        .output()
        .unwrap();
    assert!(
        !merge.status.success(),
        "the merge must stop on the head file"
    );
    assert_eq!(
        git(dir, &["diff", "--name-only", "--diff-filter=U"]),
        "migrations/HEAD\n"
    );
    let run = check(dir, &[]);
    assert!(
        rules(&run).contains(&"head-file-mismatch".to_owned()),
        "{}",
        run.stdout
    );

    let run = run_in(dir, &["rebase"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        read(dir, "migrations/HEAD"),
        "041 041_add_readonly_role.sql\n"
    );
    assert_eq!(git(dir, &["diff", "--name-only", "--diff-filter=U"]), "");
    assert_fixed(dir);
    commit_all(dir, "merge main");
}
