//! The offline inspection and authoring commands: `heads`, `history`, `show`, `new`, `init`.

use crate::common::{migrate, migrate_in, revision, transcript, write_chain, write_tree};
use predicates::prelude::*;

#[test]
fn heads_lists_every_head() {
    migrate()
        .args(["heads", "--dir", "tests/fixtures/clean"])
        .assert()
        .code(0)
        .stdout("005 (head)\n")
        .stderr("");
    migrate()
        .args(["heads", "--dir", "tests/fixtures/duplicate-revision"])
        .assert()
        .code(0)
        .stdout("040 (head)\n040 (head)\n")
        .stderr(predicate::str::contains(
            "warning[invalid-migrations]: the migrations have 2 errors\n  = help: run `migrate check` for details",
        ));
}

#[test]
fn heads_verbose_names_the_file() {
    migrate()
        .args(["heads", "-v", "--dir", "tests/fixtures/stale-parent"])
        .assert()
        .stdout(predicate::str::contains(
            "Path: tests/fixtures/stale-parent/041_add_readonly_role.sql",
        ));
}

#[test]
fn history_uses_alembics_form() {
    insta::assert_snapshot!(transcript(migrate().args(["history", "--dir", "tests/fixtures/clean"])), @r"
    exit: 0
    --- stdout
    004 -> 005 (head), Windows editor wrote this
    002, 003 -> 004 (mergepoint), Merge b and c
    001 -> 002, Add b
    001 -> 003, Branch c
    <base> -> 001 (branchpoint), First revision
    --- stderr
    ");
}

#[test]
fn history_range() {
    migrate().args(["history", "-r", "003:head", "--dir", "tests/fixtures/clean"]).assert().code(0).stdout(
        "004 -> 005 (head), Windows editor wrote this\n002, 003 -> 004 (mergepoint), Merge b and c\n001 -> 003, Branch c\n",
    );
    migrate()
        .args(["history", "-r", ":002", "--dir", "tests/fixtures/clean"])
        .assert()
        .code(0)
        .stdout("001 -> 002, Add b\n<base> -> 001 (branchpoint), First revision\n");
    migrate()
        .args(["history", "-r", "base:099", "--dir", "tests/fixtures/clean"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown revision `099`"));
    migrate()
        .args(["history", "-r", "003", "--dir", "tests/fixtures/clean"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("FROM:TO"));
}

#[test]
fn history_verbose() {
    insta::assert_snapshot!(transcript(migrate().args(["history", "--verbose", "-r", "003:004", "--dir", "tests/fixtures/clean"])), @r"
    exit: 0
    --- stdout
    Rev: 004 (mergepoint)
    Merges: 002, 003
    Path: tests/fixtures/clean/004_merge_b_and_c.sql
    Reversible: yes

        Merge b and c

    Rev: 003
    Parent: 001
    Path: tests/fixtures/clean/003_branch_c.sql
    Reversible: yes

        Branch c

    --- stderr
    ");
}

#[test]
fn show_prints_one_revision_with_its_sql() {
    insta::assert_snapshot!(transcript(migrate().args(["show", "005", "--dir", "tests/fixtures/clean"])), @r"
    exit: 0
    --- stdout
    Rev: 005 (head)
    Parent: 004
    Path: tests/fixtures/clean/005_crlf_bom.sql
    Reversible: yes

        Windows editor wrote this

    -- migrate:up transaction:false
    CREATE INDEX CONCURRENTLY a_idx ON a (id);

    -- migrate:down
    DROP INDEX a_idx;
    --- stderr
    ");
    migrate()
        .args(["show", "head", "--dir", "tests/fixtures/clean"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("Rev: 005 (head)"));
    migrate()
        .args(["show", "5", "--dir", "tests/fixtures/clean"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("Rev: 005 (head)"));
    migrate()
        .args(["show", "077", "--dir", "tests/fixtures/clean"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown revision `077`"));
    migrate()
        .args(["show", "040", "--dir", "tests/fixtures/duplicate-revision"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ambiguous"));
}

/// Runs `migrate` with `--format json` and parses stdout as the one document it must be.
fn json_of(cmd: &mut assert_cmd::Command) -> (i32, serde_json::Value) {
    let out = cmd.arg("--format").arg("json").output().unwrap();
    (
        out.status.code().unwrap(),
        crate::common::json_document(&out.stdout),
    )
}

#[test]
fn listings_print_one_json_document() {
    let (code, heads) = json_of(migrate().args(["heads", "--dir", "tests/fixtures/clean"]));
    assert_eq!(code, 0);
    assert_eq!(heads["command"], "heads");
    assert_eq!(heads["revisions"][0]["id"], "005");
    assert_eq!(heads["revisions"][0]["head"], true);
    assert_eq!(heads["revisions"][0]["parents"], serde_json::json!(["004"]));

    let (code, history) = json_of(migrate().args(["history", "--dir", "tests/fixtures/clean"]));
    assert_eq!(code, 0);
    let ids: Vec<&str> = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // Alembic's order: down from the merge, its parents as `004` writes them (`002 003`).
    assert_eq!(ids, ["005", "004", "002", "003", "001"]);
    assert_eq!(
        history["revisions"][1]["parents"],
        serde_json::json!(["002", "003"])
    );
    assert_eq!(history["revisions"][4]["message"], "First revision");

    let (code, show) = json_of(migrate().args(["show", "005", "--dir", "tests/fixtures/clean"]));
    assert_eq!(code, 0);
    assert_eq!(show["revision"]["id"], "005");
    assert_eq!(show["revision"]["up"]["transaction"], false);
    assert_eq!(
        show["revision"]["down"]["sql"].as_str().unwrap().trim(),
        "DROP INDEX a_idx;"
    );

    // A listing of a tree that `check` refuses carries the warning as a diagnostic.
    let (code, heads) =
        json_of(migrate().args(["heads", "--dir", "tests/fixtures/duplicate-revision"]));
    assert_eq!(code, 0);
    assert_eq!(heads["diagnostics"][0]["name"], "invalid-migrations");
    assert_eq!(heads["diagnostics"][0]["severity"], "warning");
}

#[test]
fn a_failure_in_json_mode_is_a_document_too() {
    let (code, document) =
        json_of(migrate().args(["show", "077", "--dir", "tests/fixtures/clean"]));
    assert_eq!(code, 2);
    assert_eq!(document["command"], "show");
    assert_eq!(document["diagnostics"][0]["name"], "unknown-target");
    assert_eq!(document["diagnostics"][0]["severity"], "error");
    assert_eq!(document["diagnostics"][0]["kind"], "failure");
    let tmp = tempfile::tempdir().unwrap();
    let (code, document) = json_of(migrate_in(tmp.path()).args(["check"]));
    assert_eq!(code, 2);
    assert_eq!(document["diagnostics"][0]["name"], "missing-directory");
    assert!(
        document["diagnostics"][0]["help"]
            .as_str()
            .unwrap()
            .contains("migrate init"),
        "{document}"
    );
}

#[test]
fn a_command_line_clap_refuses_is_a_json_document_too() {
    let (code, document) = json_of(migrate().args(["upgrade", "--bogus"]));
    assert_eq!(code, 2);
    assert_eq!(document["diagnostics"][0]["name"], "usage-error");
    assert!(
        document["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("'--bogus'"),
        "{document}"
    );
}

#[test]
fn authoring_commands_print_one_json_document() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, init) = json_of(migrate_in(tmp.path()).args(["init"]));
    assert_eq!(code, 0);
    assert_eq!(init["command"], "init");
    assert_eq!(init["path"], "migrations/001_initial.sql");
    let (code, again) = json_of(migrate_in(tmp.path()).args(["init"]));
    assert_eq!(code, 1);
    assert_eq!(again["diagnostics"][0]["name"], "already-initialized");
    let (code, new) = json_of(migrate_in(tmp.path()).args(["new", "add users"]));
    assert_eq!(code, 0);
    assert_eq!(new["command"], "new");
    assert_eq!(new["path"], "migrations/002_add_users.sql");
    // Two heads: `new` refuses, with the heads as findings and its own refusal.
    std::fs::write(
        tmp.path().join("migrations/003_other.sql"),
        revision("other", "001"),
    )
    .unwrap();
    let (code, refused) = json_of(migrate_in(tmp.path()).args(["new", "more"]));
    assert_eq!(code, 1);
    let names: Vec<&str> = refused["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"multiple-heads"), "{names:?}");
    assert!(names.contains(&"several-heads"), "{names:?}");
}

#[test]
fn aliases_of_other_tools_work() {
    for alias in ["revision", "add"] {
        let tmp = tempfile::tempdir().unwrap();
        write_chain(&tmp.path().join("migrations"), 1, 3);
        migrate_in(tmp.path())
            .args([alias, "second"])
            .assert()
            .code(0)
            .stdout("migrations/002_second.sql\n");
        // Alembic's habit: the message after `-m`.
        migrate_in(tmp.path())
            .args([alias, "-m", "third step"])
            .assert()
            .code(0)
            .stdout("migrations/003_third_step.sql\n");
    }
    // Each alias runs its command: `--help` of the alias is the command's own.
    for (alias, command) in [
        ("up", "upgrade"),
        ("run", "upgrade"),
        ("down", "downgrade"),
        ("revert", "rollback"),
        ("status", "current"),
        ("info", "current"),
        ("revision", "new"),
        ("add", "new"),
    ] {
        let of_alias = migrate().args([alias, "--help"]).output().unwrap();
        let of_command = migrate().args([command, "--help"]).output().unwrap();
        assert!(of_alias.status.success(), "{alias}");
        assert_eq!(
            String::from_utf8_lossy(&of_alias.stdout),
            String::from_utf8_lossy(&of_command.stdout),
            "`{alias}` is not `{command}`"
        );
    }
    let help = migrate().arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("[aliases: up, run]") && help.contains("[aliases: status, info]"),
        "{help}"
    );
}

#[test]
fn help_lists_a_commands_own_options_first() {
    let out = migrate().args(["upgrade", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let own = help.find("--single-transaction").unwrap();
    let heading = help.find("Global options:").unwrap();
    let global = help.find("--database-url").unwrap();
    assert!(own < heading && heading < global, "{help}");
    assert!(!help.contains("MIGRATE_DIR_FORMAT="), "{help}");
    assert!(help.contains("[env: MIGRATE_DIR_FORMAT]"), "{help}");
}

#[test]
fn a_range_without_sql_says_that_ranges_need_sql() {
    migrate()
        .args(["upgrade", "001:003", "--dir", "tests/fixtures/clean"])
        .env("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only `--sql` takes"));
}

#[test]
fn new_follows_the_head_with_its_width() {
    let tmp = tempfile::tempdir().unwrap();
    write_chain(&tmp.path().join("migrations"), 41, 3);
    migrate_in(tmp.path())
        .args(["new", "Add read-only role for Streamlit"])
        .assert()
        .code(0)
        .stdout("migrations/042_add_read_only_role_for_streamlit.sql\n");
    let text = std::fs::read_to_string(
        tmp.path()
            .join("migrations/042_add_read_only_role_for_streamlit.sql"),
    )
    .unwrap();
    assert_eq!(
        text,
        "-- Add read-only role for Streamlit\n-- migrate:revises 041\n\n-- migrate:up\n\n\n-- migrate:down\n\n"
    );
    // The new file has an empty up section: check refuses it until the SQL is written.
    migrate_in(tmp.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("the up section is empty"));
}

#[test]
fn new_refuses_two_heads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_tree(
        &dir,
        &[
            ("001_a.sql", &revision("a", "none")),
            ("002_b.sql", &revision("b", "001")),
            ("002_c.sql", &revision("c", "001")),
        ],
    );
    migrate_in(tmp.path())
        .args(["new", "more"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[multiple-heads]"))
        .stderr(predicate::str::contains(
            "`new` needs exactly one head, and there are 2",
        ));
    migrate_in(tmp.path())
        .args(["new", "more", "--format", "concise"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[multiple-heads] 2 heads"));
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        3,
        "nothing was written"
    );
}

#[test]
fn new_rejects_a_message_without_a_slug() {
    let tmp = tempfile::tempdir().unwrap();
    write_chain(&tmp.path().join("migrations"), 1, 3);
    migrate_in(tmp.path())
        .args(["new", "!!!"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no letters or digits"));
}

#[test]
fn new_keeps_unpadded_numbers_unpadded() {
    let tmp = tempfile::tempdir().unwrap();
    write_chain(&tmp.path().join("db"), 9, 1);
    migrate_in(tmp.path())
        .args(["--dir", "db", "new", "ten"])
        .assert()
        .code(0)
        .stdout("db/10_ten.sql\n");
}

#[test]
fn init_creates_a_first_revision_and_refuses_twice() {
    let tmp = tempfile::tempdir().unwrap();
    migrate_in(tmp.path())
        .arg("init")
        .assert()
        .code(0)
        .stdout("migrations/001_initial.sql\n");
    let text = std::fs::read_to_string(tmp.path().join("migrations/001_initial.sql")).unwrap();
    assert!(
        text.starts_with("-- initial\n-- migrate:revises none\n"),
        "{text}"
    );
    migrate_in(tmp.path())
        .arg("init")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already holds migrations"));
    migrate_in(tmp.path())
        .args(["heads"])
        .assert()
        .stdout("001 (head)\n");
}
