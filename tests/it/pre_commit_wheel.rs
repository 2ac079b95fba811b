//! The `migrate-check` and `migrate-check-alembic` hooks of the mirror repository
//! (`scripts/pre-commit-mirror`), run by the real pre-commit on a machine without Rust: the
//! `PATH` holds no cargo, rustc or C compiler, and pip takes the wheel from `target/wheels`
//! with no index. pre-commit builds nothing; a colliding revision is refused, a clean commit
//! passes. Each test installs into a fresh pre-commit store and prints how long that took.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::common::wheel::{bare_path, built_wheel};
use crate::common::{alembic, revision, root, write_tree};
use crate::pre_commit::{alembic_project, git_with, ok, pre_commit, said};

/// Where pip finds what it installs: the wheel, and setuptools to build the mirror's tiny
/// package (pre-commit installs a hook repository with `pip install .`).
fn find_links() -> OsString {
    let deps = root().join("target/wheels/build-deps");
    let has_setuptools = std::fs::read_dir(&deps).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("setuptools-"))
    });
    assert!(
        has_setuptools,
        "no setuptools wheel in {}: run scripts/test, which downloads it",
        deps.display()
    );
    let mut links = root().join("target/wheels").into_os_string();
    links.push(" ");
    links.push(deps);
    links
}

/// A project in `tmp/project` whose pre-commit runs `hook` from a mirror repository made for
/// this version, installed into a fresh store on the bare `PATH`; returns the project and the
/// environment every later pre-commit and git call needs.
fn installed(tmp: &Path, hook: &str) -> (PathBuf, Vec<(&'static str, OsString)>) {
    built_wheel();
    let mirror = tmp.join("mirror");
    let made = Command::new(crate::common::wheel::real_python())
        .arg(root().join("scripts/pre-commit-mirror"))
        .arg(&mirror)
        .output()
        .unwrap();
    assert!(ok(&made));
    let env: Vec<(&'static str, OsString)> = vec![
        ("PATH", bare_path(tmp)),
        ("HOME", tmp.as_os_str().to_owned()),
        (
            "PRE_COMMIT_HOME",
            tmp.join("pre-commit-home").into_os_string(),
        ),
        ("PIP_NO_INDEX", "1".into()),
        ("PIP_NO_CACHE_DIR", "1".into()),
        ("PIP_FIND_LINKS", find_links()),
    ];
    let project = tmp.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let borrowed = borrow(&env);
    assert!(ok(&git_with(
        &project,
        &["init", "-q", "-b", "main"],
        &borrowed
    )));
    let config = format!(
        "repos:\n  - repo: {}\n    rev: v{}\n    hooks:\n      - id: {hook}\n",
        mirror.display(),
        env!("CARGO_PKG_VERSION")
    );
    write_tree(&project, &[(".pre-commit-config.yaml", &config)]);
    let started = Instant::now();
    let install = Command::new(pre_commit())
        .current_dir(&project)
        .args(["install", "--install-hooks"])
        .env_remove("CARGO_TARGET_DIR")
        .envs(borrowed.iter().copied())
        .output()
        .unwrap();
    assert!(ok(&install));
    eprintln!(
        "pre-commit installed {hook} from the wheel in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // What pre-commit installed is the wheel's binary, not a build.
    let store = tmp.join("pre-commit-home");
    let binaries: Vec<PathBuf> = walkdir::WalkDir::new(&store)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name() == "migrate" && e.path().parent().is_some_and(|p| p.ends_with("bin"))
        })
        .map(walkdir::DirEntry::into_path)
        .collect();
    assert_eq!(binaries.len(), 1, "{binaries:?}");
    assert!(
        !walkdir::WalkDir::new(&store)
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.file_name() == "Cargo.toml"),
        "pre-commit's store holds a Cargo.toml: something was built"
    );
    (project, env)
}

fn borrow<'a>(env: &'a [(&'static str, OsString)]) -> Vec<(&'static str, &'a OsStr)> {
    env.iter().map(|(k, v)| (*k, v.as_os_str())).collect()
}

#[test]
fn the_prebuilt_hook_refuses_a_second_head_and_passes_a_clean_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let (project, env) = installed(tmp.path(), "migrate-check");
    let env = borrow(&env);
    let migrations = project.join("migrations");
    write_tree(
        &migrations,
        &[
            ("001_create_a.sql", &revision("create a", "none")),
            ("002_add_b.sql", &revision("add b", "001")),
        ],
    );
    assert!(ok(&git_with(&project, &["add", "-A"], &env)));
    let clean = git_with(&project, &["commit", "-m", "clean"], &env);
    assert!(ok(&clean), "a clean commit passes the hook");
    assert!(
        said(&clean).contains("migrate check") && said(&clean).contains("Passed"),
        "{}",
        said(&clean)
    );
    write_tree(&migrations, &[("002_add_c.sql", &revision("add c", "001"))]);
    assert!(ok(&git_with(&project, &["add", "-A"], &env)));
    let refused = git_with(&project, &["commit", "-q", "-m", "second 002"], &env);
    let shown = said(&refused);
    assert!(!refused.status.success(), "the hook must refuse:\n{shown}");
    assert!(shown.contains("error[duplicate-revision]"), "{shown}");
    let log = git_with(&project, &["log", "--format=%s"], &env);
    assert_eq!(String::from_utf8_lossy(&log.stdout), "clean\n");
}

#[test]
fn the_prebuilt_alembic_hook_refuses_a_duplicate_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let (project, env) = installed(tmp.path(), "migrate-check-alembic");
    let env = borrow(&env);
    let versions = alembic_project(&project);
    assert!(ok(&git_with(&project, &["add", "-A"], &env)));
    let clean = git_with(&project, &["commit", "-m", "clean"], &env);
    assert!(ok(&clean));
    let shown = said(&clean);
    assert!(
        shown.contains("migrate check (Alembic)") && shown.contains("Passed"),
        "{shown}"
    );
    write_tree(
        &versions,
        &[("002_c.py", &alembic::revision_file("002", &["001"], "c"))],
    );
    assert!(ok(&git_with(&project, &["add", "-A"], &env)));
    let refused = git_with(&project, &["commit", "-q", "-m", "second 002"], &env);
    let shown = said(&refused);
    assert!(!refused.status.success(), "the hook must refuse:\n{shown}");
    assert!(shown.contains("error[duplicate-revision]"), "{shown}");
}
