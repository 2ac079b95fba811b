//! The `migrate-check` and `migrate-check-alembic` hooks, run by the real pre-commit from PyPI
//! in throwaway repositories: a commit that adds a second `002` is refused, a clean one passes.
//!
//! Installing the hook is a release build of this crate. Every pre-commit call (the install and
//! each `git commit`, which runs the hook) keeps pre-commit's store and cargo's build under
//! `target/`, and the hook repository is made the same way every time (same path, same commit
//! dates), so a second run of the suite finds the hook built and writes nothing under `~/.cache`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::common::alembic;

use crate::common::{revision, root, write_tree};

/// pre-commit from `MIGRATE_TEST_PRE_COMMIT`, else the virtualenv `scripts/test` makes. The
/// test fails without it: it never passes without running.
pub(crate) fn pre_commit() -> PathBuf {
    let path = std::env::var_os("MIGRATE_TEST_PRE_COMMIT")
        .map_or_else(|| root().join("target/venv/bin/pre-commit"), PathBuf::from);
    assert!(
        path.exists(),
        "pre-commit is missing at {}: run scripts/test, which installs it into target/venv, \
         or name one with MIGRATE_TEST_PRE_COMMIT",
        path.display()
    );
    path
}

/// Where pre-commit keeps its store and cargo its build, for every pre-commit call.
fn cached(cmd: &mut Command) -> &mut Command {
    cmd.env("PRE_COMMIT_HOME", root().join("target/pre-commit/home"))
        .env("CARGO_TARGET_DIR", root().join("target/pre-commit/build"))
}

pub(crate) fn git(dir: &Path, args: &[&str]) -> Output {
    git_with(dir, args, &[])
}

/// `git` with `env` set on top of the store and build settings.
pub(crate) fn git_with(dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Output {
    cached(&mut Command::new("git"))
        .envs(env.iter().copied())
        .current_dir(dir)
        // The same commit for the same sources, so that pre-commit's store keys stay valid.
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap()
}

pub(crate) fn ok(output: &Output) -> bool {
    if !output.status.success() {
        eprintln!(
            "stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output.status.success()
}

/// The git repository holding this crate's current sources that pre-commit installs the hook
/// from, made once a run at the same path: its commit is the same while the sources are.
fn hook_repository() -> &'static (PathBuf, String) {
    static REPOSITORY: OnceLock<(PathBuf, String)> = OnceLock::new();
    REPOSITORY.get_or_init(|| {
        let dir = root().join("target/pre-commit/hook-repository");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        let rev = commit_sources(&dir);
        (dir, rev)
    })
}

fn commit_sources(dir: &Path) -> String {
    for item in ["Cargo.toml", "Cargo.lock", ".pre-commit-hooks.yaml"] {
        std::fs::copy(root().join(item), dir.join(item)).unwrap();
    }
    copy_dir(&root().join("src"), &dir.join("src"));
    assert!(ok(&git(dir, &["init", "-q", "-b", "main"])));
    assert!(ok(&git(dir, &["add", "-A"])));
    assert!(ok(&git(dir, &["commit", "-q", "-m", "hook"])));
    String::from_utf8(git(dir, &["rev-parse", "HEAD"]).stdout)
        .unwrap()
        .trim()
        .to_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A git repository in `tmp/project` whose pre-commit runs `hook` from a copy of this crate.
pub(crate) fn installed_project(pre_commit: &Path, tmp: &Path, hook: &str) -> PathBuf {
    let (hooks, rev) = hook_repository();
    let project = tmp.join("project");
    std::fs::create_dir_all(&project).unwrap();
    assert!(ok(&git(&project, &["init", "-q", "-b", "main"])));
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n",
        hooks.display()
    );
    write_tree(&project, &[(".pre-commit-config.yaml", &config)]);
    let install = cached(&mut Command::new(pre_commit))
        .current_dir(&project)
        .args(["install", "--install-hooks"])
        .output()
        .unwrap();
    assert!(ok(&install));
    project
}

#[test]
fn the_hook_refuses_a_second_head_and_passes_a_clean_commit() {
    let pre_commit = pre_commit();
    let tmp = tempfile::tempdir().unwrap();
    let project = installed_project(&pre_commit, tmp.path(), "migrate-check-from-source");

    let migrations = project.join("migrations");
    write_tree(
        &migrations,
        &[
            ("001_create_a.sql", &revision("create a", "none")),
            ("002_add_b.sql", &revision("add b", "001")),
        ],
    );
    assert!(ok(&git(&project, &["add", "-A"])));
    let clean = git(&project, &["commit", "-q", "-m", "clean"]);
    assert!(ok(&clean), "a clean commit passes the hook");

    write_tree(&migrations, &[("002_add_c.sql", &revision("add c", "001"))]);
    assert!(ok(&git(&project, &["add", "-A"])));
    let refused = git(&project, &["commit", "-q", "-m", "second 002"]);
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(
        !refused.status.success(),
        "the hook must refuse the commit:\n{shown}"
    );
    assert!(shown.contains("error[duplicate-revision]"), "{shown}");
    assert!(shown.contains("error[multiple-heads]"), "{shown}");
    let log = String::from_utf8(git(&project, &["log", "--format=%s"]).stdout).unwrap();
    assert_eq!(log, "clean\n", "the refused commit was not made");
}

#[test]
fn the_alembic_hook_runs_on_changes_to_the_versions_directory() {
    let pre_commit = pre_commit();
    let tmp = tempfile::tempdir().unwrap();
    let project = installed_project(&pre_commit, tmp.path(), "migrate-check-alembic-from-source");
    let versions = alembic_project(&project);
    assert!(ok(&git(&project, &["add", "-A"])));
    let clean = git(&project, &["commit", "-m", "clean"]);
    assert!(ok(&clean), "a clean commit passes the hook");
    let shown = said(&clean);
    assert!(
        shown.contains("migrate check (Alembic, from source)") && shown.contains("Passed"),
        "the hook ran on a change to the versions directory:\n{shown}"
    );

    // A change elsewhere does not trigger it.
    write_tree(&project, &[("README.md", "# app\n")]);
    assert!(ok(&git(&project, &["add", "-A"])));
    let elsewhere = git(&project, &["commit", "-m", "readme"]);
    assert!(ok(&elsewhere));
    let shown = said(&elsewhere);
    assert!(shown.contains("Skipped"), "{shown}");

    // A second `002`: Alembic would warn and drop one file; the hook refuses the commit.
    write_tree(
        &versions,
        &[("002_c.py", &alembic::revision_file("002", &["001"], "c"))],
    );
    assert!(ok(&git(&project, &["add", "-A"])));
    let refused = git(&project, &["commit", "-q", "-m", "second 002"]);
    let shown = said(&refused);
    assert!(!refused.status.success(), "the hook must refuse:\n{shown}");
    assert!(shown.contains("error[duplicate-revision]"), "{shown}");
    assert!(shown.contains("alembic/versions/002_b.py"), "{shown}");
}

/// An Alembic project in `project` with revisions `001` and `002`; returns its versions
/// directory.
pub(crate) fn alembic_project(project: &Path) -> PathBuf {
    let versions = alembic::project(project);
    let files = [
        ("001_a.py", alembic::revision_file("001", &[], "a")),
        ("002_b.py", alembic::revision_file("002", &["001"], "b")),
    ];
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    write_tree(&versions, &borrowed);
    versions
}

/// What a command printed, stdout then stderr.
pub(crate) fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
