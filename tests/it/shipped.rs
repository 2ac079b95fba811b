//! The repair never moves what has shipped: the reproduction of a feature merged into `main`
//! (a deploy follows), and every repair path the README documents, each ending in a commit
//! that the real pre-commit hook accepts.

use std::path::{Path, PathBuf};

use crate::common::server::server;
use crate::common::{run_in, write_tree};
use crate::pre_commit::{git, installed_project, ok, pre_commit};

fn said(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn must(dir: &Path, args: &[&str]) -> String {
    let output = git(dir, args);
    assert!(ok(&output), "git {args:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sql(table: &str, revises: &str) -> String {
    format!(
        "-- migrate:revises {revises}\n-- migrate:up\nCREATE TABLE {table} (id int);\n-- migrate:down\nDROP TABLE {table};\n"
    )
}

/// Writes a revision and, with the head file, names it there.
fn add(project: &Path, file: &str, revises: &str, head_file: bool) {
    let id = file.split('_').next().unwrap();
    let table = file.trim_end_matches(".sql").replace(id, "t");
    write_tree(
        &project.join("migrations"),
        &[(file, &sql(&table, revises))],
    );
    if head_file {
        write_tree(
            &project.join("migrations"),
            &[("HEAD", &format!("{id} {file}\n"))],
        );
    }
}

/// A project with the `migrate-check` hook and a bare remote: `main` has `001` and `002`,
/// pushed, and `origin/HEAD` set.
fn repository(tmp: &Path, head_file: bool) -> PathBuf {
    let project = installed_project(&pre_commit(), tmp, "migrate-check-from-source");
    add(&project, "001_create_a.sql", "none", head_file);
    add(&project, "002_create_b.sql", "001", head_file);
    must(&project, &["add", "-A"]);
    must(&project, &["commit", "-q", "-m", "two revisions"]);
    let remote = tmp.join("remote.git");
    assert!(ok(&git(
        tmp,
        &["init", "-q", "--bare", "-b", "main", "remote.git"]
    )));
    must(
        &project,
        &["remote", "add", "origin", &remote.display().to_string()],
    );
    must(&project, &["push", "-q", "-u", "origin", "main"]);
    must(&project, &["remote", "set-head", "origin", "main"]);
    project
}

/// `feature` adds `003_add_invite`; then `main` adds `003_add_role` and pushes it.
fn collide(project: &Path, head_file: bool) {
    must(project, &["checkout", "-q", "-b", "feature"]);
    add(project, "003_add_invite.sql", "002", head_file);
    must(project, &["add", "-A"]);
    must(project, &["commit", "-q", "-m", "invite"]);
    must(project, &["checkout", "-q", "main"]);
    add(project, "003_add_role.sql", "002", head_file);
    must(project, &["add", "-A"]);
    must(project, &["commit", "-q", "-m", "role"]);
    must(project, &["push", "-q", "origin", "main"]);
}

/// A commit through the hook, which must pass.
fn commit_through_hook(project: &Path, args: &[&str]) {
    let output = git(project, args);
    let shown = said(&output);
    assert!(output.status.success(), "the hook refused:\n{shown}");
    assert!(
        shown.contains("migrate check") && shown.contains("Passed"),
        "{shown}"
    );
    assert_eq!(must(project, &["status", "--porcelain"]), "");
}

/// `main`'s shipped revision kept its name and bytes; the feature's follows it.
fn main_kept(project: &Path) {
    let shipped = must(
        project,
        &["show", "origin/main:migrations/003_add_role.sql"],
    );
    let here = std::fs::read_to_string(project.join("migrations/003_add_role.sql")).unwrap();
    assert_eq!(here, shipped);
    let moved = std::fs::read_to_string(project.join("migrations/004_add_invite.sql")).unwrap();
    assert!(moved.starts_with("-- migrate:revises 003\n"), "{moved}");
    assert!(!project.join("migrations/003_add_invite.sql").exists());
    let check = run_in(project, &["check", "--base", "origin/main"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn a_feature_merged_into_main_moves_the_feature_and_the_deploy_tells_the_truth() {
    let tmp = tempfile::tempdir().unwrap();
    let project = repository(tmp.path(), true);
    let db = server().database("merge_into_main");
    collide(&project, true);
    // A database applied what `main` pushed.
    let deploy = run_in(&project, &["--database-url", &db.url, "upgrade"]);
    assert_eq!(deploy.code, 0, "{}", deploy.stderr);
    let merge = git(&project, &["merge", "feature"]);
    assert!(!merge.status.success(), "the head file conflicts");
    let rebase = run_in(&project, &["rebase"]);
    assert_eq!(rebase.code, 0, "{}{}", rebase.stdout, rebase.stderr);
    assert!(
        rebase
            .stdout
            .contains("renamed migrations/003_add_invite.sql -> migrations/004_add_invite.sql"),
        "{}",
        rebase.stdout
    );
    commit_through_hook(&project, &["commit", "-q", "--no-edit"]);
    main_kept(&project);
    let deploy = run_in(&project, &["--database-url", &db.url, "upgrade"]);
    assert_eq!(deploy.code, 0, "{}{}", deploy.stdout, deploy.stderr);
    let current = run_in(&project, &["--database-url", &db.url, "current"]);
    assert!(
        current.stdout.starts_with("004 (head), add invite"),
        "{}",
        current.stdout
    );
    assert_eq!(
        db.strings("SELECT version::text FROM refinery_schema_history ORDER BY version"),
        ["1", "2", "3", "4"]
    );
    assert_eq!(
        db.one("SELECT name FROM refinery_schema_history WHERE version = 3"),
        "add_role"
    );
}

/// The paths of the README's collision section, each from the collision to a passing commit.
#[derive(Debug, Clone, Copy)]
enum Path2 {
    MergeIntoMainWithoutHeadFile,
    MergeMainIntoFeature,
    PullWithConflict,
    RebaseStopped,
    CherryPick,
    Squash,
    RebaseOntoThenCommit,
}

fn repair_path(path: Path2) {
    let tmp = tempfile::tempdir().unwrap();
    let head_file = !matches!(path, Path2::MergeIntoMainWithoutHeadFile);
    let project = repository(tmp.path(), head_file);
    collide(&project, head_file);
    let rebase = |project: &Path| {
        let run = run_in(project, &["rebase"]);
        assert_eq!(run.code, 0, "{path:?}: {}{}", run.stdout, run.stderr);
    };
    match path {
        Path2::MergeIntoMainWithoutHeadFile => {
            // Without the head file git merges two heads silently, and commits them.
            must(
                &project,
                &["merge", "-q", "--no-edit", "--no-verify", "feature"],
            );
            rebase(&project);
            must(&project, &["add", "-A"]);
            commit_through_hook(&project, &["commit", "-q", "-m", "renumber"]);
        }
        Path2::MergeMainIntoFeature => {
            must(&project, &["checkout", "-q", "feature"]);
            assert!(!git(&project, &["merge", "main"]).status.success());
            rebase(&project);
            commit_through_hook(&project, &["commit", "-q", "--no-edit"]);
        }
        Path2::PullWithConflict => {
            // `main` here has an unpushed revision; another clone pushed its own `003`.
            must(&project, &["reset", "-q", "--hard", "HEAD~1"]);
            must(&project, &["merge", "-q", "--ff-only", "feature"]);
            assert!(
                !git(&project, &["pull", "--no-rebase", "origin", "main"])
                    .status
                    .success()
            );
            let run = run_in(&project, &["rebase"]);
            assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
            commit_through_hook(&project, &["commit", "-q", "--no-edit"]);
        }
        Path2::RebaseStopped => {
            must(&project, &["checkout", "-q", "feature"]);
            assert!(!git(&project, &["rebase", "main"]).status.success());
            rebase(&project);
            let cont = git(
                &project,
                &["-c", "core.editor=true", "rebase", "--continue"],
            );
            assert!(ok(&cont), "{}", said(&cont));
            // `git rebase` runs no pre-commit hook: the hook judges the next commit.
            write_tree(&project, &[("NOTES.md", "rebased\n")]);
            must(&project, &["add", "-A"]);
            commit_through_hook(&project, &["commit", "-q", "-m", "notes"]);
        }
        Path2::CherryPick => {
            assert!(!git(&project, &["cherry-pick", "feature"]).status.success());
            rebase(&project);
            // `git commit` concludes the pick, and runs the hook (`--continue` would not).
            commit_through_hook(&project, &["commit", "-q", "--no-edit"]);
        }
        Path2::Squash => {
            assert!(
                !git(&project, &["merge", "--squash", "feature"])
                    .status
                    .success()
            );
            rebase(&project);
            must(&project, &["add", "-A"]);
            commit_through_hook(&project, &["commit", "-q", "-m", "squash feature"]);
        }
        Path2::RebaseOntoThenCommit => {
            must(&project, &["checkout", "-q", "feature"]);
            let run = run_in(&project, &["rebase", "--onto", "origin/main"]);
            assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
            must(&project, &["add", "-A"]);
            commit_through_hook(&project, &["commit", "-q", "-m", "renumber"]);
            // The branch lacks `003_add_role` until it merges main: check reads it through git.
            let check = run_in(&project, &["check"]);
            assert!(
                check.stderr.contains("is on `origin/main`"),
                "{}",
                check.stderr
            );
            // Merging main then conflicts only on the head file, which rebase resolves.
            let merge = git(&project, &["merge", "origin/main"]);
            if !merge.status.success() {
                rebase(&project);
                commit_through_hook(&project, &["commit", "-q", "--no-edit"]);
            }
        }
    }
    main_kept(&project);
}

#[test]
fn every_repair_path_ends_in_a_commit_the_hook_accepts() {
    for path in [
        Path2::MergeIntoMainWithoutHeadFile,
        Path2::MergeMainIntoFeature,
        Path2::PullWithConflict,
        Path2::RebaseStopped,
        Path2::CherryPick,
        Path2::Squash,
        Path2::RebaseOntoThenCommit,
    ] {
        repair_path(path);
    }
}

#[test]
fn both_sides_shipped_is_refused_with_a_merge_revision_as_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let project = repository(tmp.path(), true);
    let db = server().database("both_shipped");
    collide(&project, true);
    // A database applied the feature's revision (a review environment), then main's shipped.
    must(&project, &["checkout", "-q", "feature"]);
    let applied = run_in(&project, &["--database-url", &db.url, "upgrade"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    must(&project, &["checkout", "-q", "main"]);
    assert!(!git(&project, &["merge", "feature"]).status.success());
    let before = must(&project, &["status", "--porcelain"]);
    let run = run_in(
        &project,
        &["--database-url", &db.url, "--format", "json", "rebase"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("\"shipped-on-both-sides\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("003_add_role.sql` on `origin/main`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("003_add_invite.sql` in the history of"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("migrate merge"), "{}", run.stdout);
    assert_eq!(
        must(&project, &["status", "--porcelain"]),
        before,
        "nothing changed"
    );
    // Without the database, only git speaks: main's side shipped, the feature's moves.
    let run = run_in(&project, &["rebase", "--dry-run"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("rename to migrations/004_add_invite.sql"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_points_met_on_the_same_path() {
    use crate::common::{commit_all, git as plain_git, git_init, revision};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git_init(dir);
    crate::common::write_chain(&dir.join("migrations"), 2, 3);
    commit_all(dir, "two");
    plain_git(dir, &["checkout", "-q", "-b", "feature"]);
    write_tree(
        &dir.join("migrations"),
        &[("003_mine.sql", &revision("mine", "002"))],
    );
    commit_all(dir, "mine");
    plain_git(dir, &["checkout", "-q", "main"]);
    write_tree(
        &dir.join("migrations"),
        &[("003_theirs.sql", &revision("theirs", "002"))],
    );
    commit_all(dir, "theirs");
    plain_git(dir, &["checkout", "-q", "feature"]);
    // GitHub annotates the pull request's file; the base's is named in the text.
    let run = run_in(dir, &["--format", "github", "check", "--base", "main"]);
    assert_eq!(run.code, 1);
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty(), "{}", run.stdout);
    for line in &annotations {
        assert!(!line.contains("file=main%3A"), "{line}");
    }
    assert!(
        annotations
            .iter()
            .any(|l| l.contains("file=migrations/003_mine.sql")
                && l.contains("on the base: main:migrations/003_theirs.sql")),
        "{}",
        run.stdout
    );
    // `merge heads` is Alembic's revision argument, not a message.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    crate::common::write_chain(&dir.join("migrations"), 2, 3);
    write_tree(
        &dir.join("migrations"),
        &[
            ("003_x.sql", &revision("x", "002")),
            ("004_y.sql", &revision("y", "002")),
        ],
    );
    let merge = run_in(dir, &["merge", "heads"]);
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    assert_eq!(merge.stdout, "migrations/005_merge_heads.sql\n");
    assert!(!merge.stderr.contains("passes once"), "{}", merge.stderr);
    // An empty down section, as `new` leaves it, is irreversible.
    write_tree(
        &dir.join("migrations"),
        &[(
            "006_empty_down.sql",
            "-- migrate:revises 005\n-- migrate:up\nSELECT 1;\n-- migrate:down\n-- nothing yet\n",
        )],
    );
    let history = run_in(dir, &["history", "-v", "-r", "006:"]);
    assert!(
        history.stdout.contains("Reversible: no"),
        "{}",
        history.stdout
    );
    let sql = run_in(dir, &["downgrade", "006:005", "--sql"]);
    assert_eq!(sql.code, 1, "{}{}", sql.stdout, sql.stderr);
    assert!(
        sql.stderr.contains("irreversible-revision")
            || sql.stdout.contains("irreversible-revision"),
        "{}{}",
        sql.stdout,
        sql.stderr
    );
    assert!(!sql.stdout.contains("BEGIN;\n;\nCOMMIT"), "{}", sql.stdout);
    // `stamp` runs no revision SQL, and offers no option for it.
    let help = run_in(dir, &["stamp", "--help"]);
    for option in [
        "--lock-timeout",
        "--lock-retries",
        "--statement-timeout",
        "--set",
    ] {
        assert!(!help.stdout.contains(option), "{}", help.stdout);
    }
    // A transactional CREATE INDEX CONCURRENTLY fails the plain gate.
    write_tree(
        &dir.join("migrations"),
        &[(
            "007_index.sql",
            "-- migrate:revises 006\n-- migrate:up\nCREATE INDEX CONCURRENTLY i ON t (id);\n-- migrate:down\nDROP INDEX i;\n",
        )],
    );
    let check = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stdout.contains("error[concurrently-in-transaction]"),
        "{}",
        check.stdout
    );
}
