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
    // Each says what was wrong, and nothing runs: clap's words, on stderr.
    for (args, says) in [
        (&["frobnicate"][..], "unrecognized subcommand 'frobnicate'"),
        (
            &["check", "--format", "xml"],
            "invalid value 'xml' for '--format <FORMAT>'",
        ),
        (
            &["check", "--color", "sometimes"],
            "invalid value 'sometimes' for '--color <WHEN>'",
        ),
    ] {
        migrate()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
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
    // On a terminal (a pseudo-terminal from util-linux's `script`), `auto` colours, and
    // NO_COLOR is what turns it off.
    let on_terminal = |no_color: Option<&str>| {
        let mut command = std::process::Command::new("script");
        command
            .args(["-qec"])
            .arg(format!(
                "{} check --dir {dir}",
                env!("CARGO_BIN_EXE_migrate")
            ))
            .arg("/dev/null")
            .current_dir(crate::common::root())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let out = command
            .output()
            .expect("util-linux's `script` runs a command on a pseudo-terminal");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let coloured = on_terminal(None);
    assert!(coloured.contains("\u{1b}["), "{coloured}");
    assert!(coloured.contains("stale-parent"), "{coloured}");
    let plain = on_terminal(Some("1"));
    assert!(!plain.contains("\u{1b}["), "{plain}");
    assert!(plain.contains("stale-parent"), "{plain}");
    // An empty NO_COLOR is unset, as no-color.org says.
    assert!(on_terminal(Some("")).contains("\u{1b}["));
}
