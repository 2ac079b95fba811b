//! Settings: where the migrations directory comes from, the configuration file, global options, colour.

use crate::common::{migrate, migrate_in, write_chain};
use predicates::prelude::*;

/// A project with four directories, each a chain of a different length, so `heads` tells which was read.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write_chain(&tmp.path().join("migrations"), 1, 3);
    write_chain(&tmp.path().join("from_flag"), 2, 3);
    write_chain(&tmp.path().join("from_env"), 3, 3);
    write_chain(&tmp.path().join("conf/from_config"), 4, 3);
    tmp
}

#[test]
fn directory_precedence_is_flag_env_config_default() {
    let tmp = project();
    let run = |args: &[&str], env: Option<&str>, config: bool| {
        if config {
            std::fs::write(
                tmp.path().join("migrate.toml"),
                "dir = \"conf/from_config\"\n",
            )
            .unwrap();
        } else {
            let _ = std::fs::remove_file(tmp.path().join("migrate.toml"));
        }
        let mut cmd = migrate_in(tmp.path());
        if let Some(env) = env {
            cmd.env("MIGRATE_DIR", env);
        }
        String::from_utf8(cmd.args(args).arg("heads").output().unwrap().stdout).unwrap()
    };
    assert_eq!(
        run(&["--dir", "from_flag"], Some("from_env"), true),
        "002 (head)\n"
    );
    assert_eq!(run(&[], Some("from_env"), true), "003 (head)\n");
    assert_eq!(run(&[], None, true), "004 (head)\n");
    assert_eq!(run(&[], None, false), "001 (head)\n");
}

#[test]
fn config_dir_is_relative_to_the_config_file() {
    let tmp = project();
    std::fs::write(
        tmp.path().join("conf/migrate.toml"),
        "dir = \"from_config\"\n",
    )
    .unwrap();
    migrate_in(tmp.path())
        .args(["--config", "conf/migrate.toml", "heads"])
        .assert()
        .stdout("004 (head)\n");
    migrate_in(tmp.path())
        .env("MIGRATE_CONFIG", "conf/migrate.toml")
        .arg("heads")
        .assert()
        .stdout("004 (head)\n");
}

#[test]
fn a_named_config_must_exist() {
    let tmp = project();
    migrate_in(tmp.path())
        .args(["check", "--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error: cannot read `nope.toml`"));
}

#[test]
fn a_bad_config_names_the_file_line_and_key() {
    let tmp = project();
    std::fs::write(
        tmp.path().join("migrate.toml"),
        "# settings\ndirectory = \"x\"\n",
    )
    .unwrap();
    migrate_in(tmp.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid configuration file `migrate.toml`",
        ))
        .stderr(predicate::str::contains("line 2"))
        .stderr(predicate::str::contains("unknown field `directory`"));
}

#[test]
fn a_missing_directory_says_where_it_came_from() {
    let tmp = tempfile::tempdir().unwrap();
    migrate_in(tmp.path())
        .arg("check")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "migrations directory `migrations` does not exist",
        ))
        .stderr(predicate::str::contains(
            "set `--dir`, `MIGRATE_DIR` or `dir` in `migrate.toml`",
        ));
    migrate_in(tmp.path())
        .env("MIGRATE_DIR", "db/nothing")
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`db/nothing` does not exist (from `MIGRATE_DIR`)",
        ));
    std::fs::write(tmp.path().join("file"), "").unwrap();
    migrate_in(tmp.path())
        .args(["check", "--dir", "file"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`file` is not a directory"));
}

#[test]
fn global_options_go_before_or_after_the_subcommand() {
    let before = migrate()
        .args([
            "--dir",
            "tests/fixtures/stale-parent",
            "--format",
            "concise",
            "check",
        ])
        .output()
        .unwrap();
    let after = migrate()
        .args([
            "check",
            "--dir",
            "tests/fixtures/stale-parent",
            "--format",
            "concise",
        ])
        .output()
        .unwrap();
    assert_eq!(before.status.code(), Some(1));
    assert_eq!(before.stdout, after.stdout);
    assert!(String::from_utf8_lossy(&before.stdout).contains("error[stale-parent]"));
    migrate()
        .args(["--color", "never", "heads", "--dir", "tests/fixtures/clean"])
        .assert()
        .code(0);
}

#[test]
fn usage_errors_exit_2() {
    migrate().arg("frobnicate").assert().code(2);
    migrate()
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    migrate()
        .args(["check", "--color", "sometimes"])
        .assert()
        .code(2);
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let escape = predicate::str::contains("\u{1b}[");
    let dir = "tests/fixtures/stale-parent";
    migrate()
        .args(["check", "--color", "always", "--dir", dir])
        .assert()
        .stdout(escape.clone());
    migrate()
        .args(["check", "--color", "always", "--dir", dir])
        .env("NO_COLOR", "1")
        .assert()
        .stdout(escape.clone());
    migrate()
        .args(["check", "--color", "never", "--dir", dir])
        .assert()
        .stdout(escape.clone().not());
    // Not a terminal: `auto` stays plain, with or without NO_COLOR.
    migrate()
        .args(["check", "--dir", dir])
        .assert()
        .stdout(escape.clone().not());
    migrate()
        .args(["check", "--dir", dir])
        .env("NO_COLOR", "1")
        .assert()
        .stdout(escape.not());
}
