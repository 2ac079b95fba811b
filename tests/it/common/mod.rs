//! Shared helpers for the tests that run the `migrate` binary.

pub(crate) mod alembic;
pub(crate) mod background;
pub(crate) mod pgbouncer;
pub(crate) mod server;
pub(crate) mod wheel;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub(crate) use self::background::{json_document, spawn_migrate, wait_until};

/// The repository root, where the fixtures live.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `migrate` run in `dir`, with no setting leaking in from the caller's environment.
pub(crate) fn migrate_in(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate"));
    cmd.current_dir(dir)
        .env_remove("MIGRATE_DIR")
        .env_remove("MIGRATE_CONFIG")
        .env_remove("MIGRATE_DIR_FORMAT")
        .env_remove("MIGRATE_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("PGHOST")
        .env_remove("PGPORT")
        .env_remove("PGUSER")
        .env_remove("PGPASSWORD")
        .env_remove("PGDATABASE")
        .env_remove("PGSSLMODE")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("MIGRATE_POSTGRES_BIN");
    // `verify` and `schema` make their throwaway cluster from the major the run tests.
    if std::env::var_os("MIGRATE_TEST_POSTGRES").is_some() {
        cmd.env("MIGRATE_POSTGRES_BIN", server::bin_dir());
    }
    cmd
}

/// `migrate` run at the repository root.
pub(crate) fn migrate() -> Command {
    migrate_in(&root())
}

/// What one run printed and how it exited, as one string for a snapshot.
pub(crate) fn transcript(cmd: &mut Command) -> String {
    let output = cmd.output().expect("migrate runs");
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output
            .status
            .code()
            .map_or("signal".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Writes `files` (name, contents) into `dir`, creating it.
pub(crate) fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A migration file's text.
pub(crate) fn revision(message: &str, revises: &str) -> String {
    format!(
        "-- {message}\n-- migrate:revises {revises}\n\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\nSELECT 0;\n"
    )
}

/// A linear chain of `count` revisions, numbered with `width` digits.
pub(crate) fn write_chain(dir: &Path, count: usize, width: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for n in 1..=count {
        let parent = if n == 1 {
            "none".to_owned()
        } else {
            format!("{:0width$}", n - 1)
        };
        std::fs::write(
            dir.join(format!("{n:0width$}_step_{n}.sql")),
            revision(&format!("step {n}"), &parent),
        )
        .unwrap();
    }
}

/// Runs git in `dir` with a fixed identity, asserts that it succeeds, and returns its stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir, args).output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// git in `dir` with a fixed identity and no user or system configuration.
pub(crate) fn git_command(dir: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com");
    cmd
}

/// A new git repository in `dir` on branch `main`.
pub(crate) fn git_init(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main", "."]);
}

/// Stages everything and commits it.
pub(crate) fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// What one run printed and how it exited.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs a command to its end and keeps what it printed.
pub(crate) fn output(cmd: &mut Command) -> Run {
    let output = cmd.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `migrate` in `dir` with `args`.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Run {
    output(migrate_in(dir).args(args))
}

/// The rule names `check --format concise` printed, in order.
pub(crate) fn rules(run: &Run) -> Vec<String> {
    // `error[rule]` or `warning[rule]`, at the start of a human line or after a concise location;
    // a bracket in a quoted source line (`Union[str, None]`) is not one.
    run.stdout
        .lines()
        .filter_map(|line| {
            let start = ["error[", "warning["]
                .iter()
                .filter_map(|tag| {
                    line.find(tag)
                        .filter(|&at| at == 0 || line[..at].ends_with(": "))
                        .map(|at| at + tag.len())
                })
                .min()?;
            let end = line[start..].find(']')? + start;
            Some(line[start..end].to_owned())
        })
        .collect()
}

/// A YAML file as JSON, read by `PyYAML` from the test virtualenv (pre-commit depends on it).
pub(crate) fn yaml_as_json(path: &Path) -> serde_json::Value {
    let python = root().join("target/venv/bin/python");
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{} does not run ({e}): run scripts/test", python.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
