//! What the database commands print: one JSON document per command, refusals as named
//! diagnostics, and progress on stderr while a revision runs, against a real PostgreSQL.

use std::io::{BufRead, BufReader};

use crate::common::server::server;
use crate::common::{migrate_in, write_tree};
use crate::database::{rev, run, three};
use assert_cmd::Command;
use serde_json::Value;

/// Runs with `--format json`: the exit code, the one document stdout holds, and stderr.
fn json(cmd: &mut Command, args: &[&str]) -> (i32, Value, String) {
    let out = cmd.args(args).args(["--format", "json"]).output().unwrap();
    let document = crate::common::json_document(&out.stdout);
    assert_eq!(document["command"], args[0]);
    (
        out.status.code().unwrap(),
        document,
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn names(document: &Value) -> Vec<&str> {
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect()
}

#[test]
fn every_database_command_prints_one_json_document() {
    let db = server().database("json_commands");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());

    let (code, current, _) = json(&mut run(dir.path(), &db), &["current"]);
    assert_eq!(code, 0);
    assert_eq!(current["applied"], serde_json::json!([]));
    assert_eq!(current["pending"], serde_json::json!(["001", "002", "003"]));
    assert_eq!(current["at_heads"], false);

    let (code, upgrade, stderr) = json(&mut run(dir.path(), &db), &["upgrade", "002"]);
    assert_eq!(code, 0, "{stderr}");
    let steps = upgrade["revisions"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["id"], "001");
    assert_eq!(steps[0]["file"], "001_a.sql");
    assert_eq!(steps[0]["direction"], "up");
    assert_eq!(steps[0]["status"], "applied");
    assert!(steps[0]["ms"].is_u64());
    assert_eq!(upgrade["totals"]["revisions"], 2);
    assert_eq!(upgrade["totals"]["failed"], 0);
    let database = upgrade["database"].as_str().unwrap();
    assert!(
        database.contains('@') && database.ends_with(&format!("/{}", db.name)),
        "{database}"
    );
    // Progress went to stderr, never into the document.
    assert!(stderr.contains("applying 001_a.sql ..."), "{stderr}");

    let (code, current, _) = json(&mut run(dir.path(), &db), &["current"]);
    assert_eq!(code, 0);
    assert_eq!(current["current"], serde_json::json!(["002"]));
    assert_eq!(current["applied"][0]["id"], "001");
    assert_eq!(current["applied"][0]["state"], "ok");
    assert_eq!(current["pending"], serde_json::json!(["003"]));
    assert_eq!(current["changed"], serde_json::json!([]));
    assert_eq!(current["unknown"], serde_json::json!([]));

    let (code, history, _) = json(
        &mut run(dir.path(), &db),
        &["history", "--indicate-current"],
    );
    assert_eq!(code, 0);
    let states: Vec<&str> = history["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["pending", "current", "applied"]);

    let (code, current, _) = json(&mut run(dir.path(), &db), &["current", "--check-heads"]);
    assert_eq!(code, 1);
    assert_eq!(names(&current), ["not-at-heads"]);

    let (code, downgrade, _) = json(&mut run(dir.path(), &db), &["downgrade", "001"]);
    assert_eq!(code, 0);
    assert_eq!(downgrade["revisions"][0]["id"], "002");
    assert_eq!(downgrade["revisions"][0]["direction"], "down");
    assert_eq!(downgrade["revisions"][0]["status"], "reverted");

    let (code, stamp, _) = json(&mut run(dir.path(), &db), &["stamp", "head"]);
    assert_eq!(code, 0);
    let stamped: Vec<&str> = stamp["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(stamped, ["stamped", "stamped"]);

    let (code, current, _) = json(&mut run(dir.path(), &db), &["current"]);
    assert_eq!(code, 0);
    assert_eq!(current["at_heads"], true);

    // `--sql` is a document too, with the script in it.
    let (code, sql, _) = json(&mut run(dir.path(), &db), &["upgrade", "--sql", "base:001"]);
    assert_eq!(code, 0);
    assert!(
        sql["sql"].as_str().unwrap().contains("CREATE TABLE a"),
        "{sql}"
    );
}

#[test]
fn refusals_are_named_diagnostics_in_the_json() {
    let db = server().database("json_refusals");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    assert_eq!(
        run(dir.path(), &db)
            .arg("upgrade")
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );

    // upgrade: an applied file changed.
    let path = dir.path().join("001_a.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("PRIMARY KEY", "PRIMARY KEY, x int")).unwrap();
    let (code, upgrade, _) = json(&mut run(dir.path(), &db), &["upgrade"]);
    assert_eq!(code, 1);
    assert_eq!(names(&upgrade), ["checksum-mismatch"]);
    assert_eq!(upgrade["diagnostics"][0]["kind"], "refusal");
    assert_eq!(upgrade["diagnostics"][0]["path"], "001_a.sql");
    std::fs::write(&path, &text).unwrap();

    // downgrade: a revision without a down section.
    let irreversible = dir.path().join("003_c.sql");
    let reversible = std::fs::read_to_string(&irreversible).unwrap();
    std::fs::write(
        &irreversible,
        "-- c\n-- migrate:revises 002\n\n-- migrate:up\nCREATE TABLE c (id int);\n",
    )
    .unwrap();
    let (code, downgrade, _) = json(&mut run(dir.path(), &db), &["downgrade", "base"]);
    assert_eq!(code, 1);
    assert!(
        names(&downgrade).contains(&"irreversible-revision"),
        "{downgrade}"
    );
    let irreversible_at = downgrade["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "irreversible-revision")
        .unwrap();
    assert_eq!(irreversible_at["path"], "003_c.sql");
    std::fs::write(&irreversible, &reversible).unwrap();

    // stamp and upgrade: the migrations fail `check`; the findings come with the refusal.
    write_tree(
        dir.path(),
        &[("003_d.sql", &rev("d", "002", "SELECT 1;", "SELECT 1;"))],
    );
    for command in ["stamp", "upgrade"] {
        let (code, refused, _) = json(&mut run(dir.path(), &db), &[command, "head"]);
        assert_eq!(code, 1);
        let found = names(&refused);
        assert!(
            found.contains(&"duplicate-revision"),
            "{command}: {found:?}"
        );
        assert_eq!(found.last(), Some(&"check-failed"), "{command}: {found:?}");
    }
    std::fs::remove_file(dir.path().join("003_d.sql")).unwrap();

    // upgrade: a variable without a value.
    write_tree(
        dir.path(),
        &[(
            "004_v.sql",
            &rev("v", "003", "SELECT :'MISSING_VALUE';", "SELECT 1;"),
        )],
    );
    let (code, missing, _) = json(&mut run(dir.path(), &db), &["upgrade"]);
    assert_eq!(code, 1);
    assert_eq!(names(&missing), ["missing-variable"]);
    assert_eq!(missing["diagnostics"][0]["path"], "004_v.sql");

    // A revision that fails on the server: the step and the diagnostic.
    write_tree(
        dir.path(),
        &[("004_v.sql", &rev("v", "003", "SELECT 1/0;", "SELECT 1;"))],
    );
    let (code, failed, _) = json(&mut run(dir.path(), &db), &["upgrade"]);
    assert_eq!(code, 1);
    assert_eq!(names(&failed), ["revision-failed"]);
    assert!(
        failed["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("22012"),
        "{failed}"
    );
    assert_eq!(failed["diagnostics"][0]["path"], "004_v.sql");
    assert_eq!(failed["diagnostics"][0]["line"], 5);
    assert_eq!(failed["revisions"][0]["status"], "failed");
    assert_eq!(failed["totals"]["failed"], 1);

    // A failure of migrate itself (no server there) is a document with an error diagnostic.
    let (code, unreachable, stderr) = json(
        migrate_in(dir.path()).env("MIGRATE_DIR", ".").env(
            "MIGRATE_DATABASE_URL",
            "postgresql://nobody@127.0.0.1:1/none",
        ),
        &["upgrade"],
    );
    assert_eq!(code, 2);
    assert_eq!(names(&unreachable), ["database-error"]);
    assert!(stderr.contains("error: cannot connect"), "{stderr}");
}

#[test]
fn a_rebase_refusal_is_a_named_diagnostic_in_the_json() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("001_a.sql", &rev("a", "none", "SELECT 1;", "SELECT 1;")),
            ("002_b.sql", &rev("b", "001", "SELECT 1;", "SELECT 1;")),
            ("002_c.sql", &rev("c", "001", "SELECT 1;", "SELECT 1;")),
        ],
    );
    let mut cmd = migrate_in(dir.path());
    cmd.env("MIGRATE_DIR", ".");
    let (code, rebase, _) = json(&mut cmd, &["rebase"]);
    assert_eq!(code, 1);
    assert_eq!(names(&rebase), ["rebase-refused"]);
    let mut cmd = migrate_in(dir.path());
    cmd.env("MIGRATE_DIR", ".");
    let (code, rebase, _) = json(&mut cmd, &["rebase", "002_c.sql", "--dry-run"]);
    assert_eq!(code, 0, "{rebase}");
    assert_eq!(rebase["dry_run"], true);
    assert_eq!(rebase["changes"][0]["from"], "002_c.sql");
    assert_eq!(rebase["changes"][0]["to"], "003_c.sql");
    assert!(
        rebase["changes"][0]["diff"]
            .as_str()
            .unwrap()
            .contains("rename to 003_c.sql")
    );
}

#[test]
fn the_applying_line_shows_before_a_slow_revision_finishes() {
    let db = server().database("progress");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_fast.sql",
                &rev("fast", "none", "SELECT 1;", "SELECT 1;"),
            ),
            (
                "002_slow_backfill.sql",
                &rev("slow", "001", "SELECT pg_sleep(2);", "SELECT 1;"),
            ),
        ],
    );
    let mut child = crate::operations::spawn_upgrade(dir.path(), &db, &[]);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "stderr ended: {seen:?}"
        );
        seen.push(line.clone());
        if line.starts_with("applying 002_slow_backfill.sql ...") {
            break;
        }
    }
    // The line came while the revision still ran: the process has not exited yet.
    assert!(
        child.try_wait().unwrap().is_none(),
        "migrate had already exited when the line came: {seen:?}"
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{seen:?}{rest}");
    // The time follows in human units, at least the two seconds the revision sleeps (no upper
    // bound: a loaded machine is slower, and speed belongs to the benchmarks).
    let seconds = |prefix: &str| -> f64 {
        let at = rest
            .find(prefix)
            .unwrap_or_else(|| panic!("`{prefix}` missing: {rest}"));
        let value = rest[at + prefix.len()..]
            .split(" s")
            .next()
            .and_then(|n| n.parse().ok());
        value.unwrap_or_else(|| panic!("no seconds after `{prefix}`: {rest}"))
    };
    assert!(
        seconds("applied 002_slow_backfill.sql in ") >= 2.0,
        "{rest}"
    );
    assert!(
        seconds("2 revisions in ") >= 2.0,
        "a total line ends the run: {rest}"
    );
}

#[test]
fn quiet_silences_progress_but_not_results() {
    let db = server().database("quiet");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let out = run(dir.path(), &db)
        .args(["upgrade", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied   001_a.sql"));
}

/// In a CI log, where stdout and stderr are one stream, each revision is said once: the
/// result's line, after the progress line that said it started. Apart, both keep theirs.
#[test]
fn a_ci_log_reads_each_revision_once() {
    let db = server().database("ci_log");
    let dir = tempfile::tempdir().unwrap();
    three(dir.path());
    let log = dir.path().join("log.txt");
    let status = std::process::Command::new("sh")
        .current_dir(dir.path())
        .args(["-c", "\"$0\" upgrade 002 >\"$1\" 2>&1"])
        .arg(env!("CARGO_BIN_EXE_migrate"))
        .arg(&log)
        .env("MIGRATE_DIR", ".")
        .env("MIGRATE_DATABASE_URL", &db.url)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&log).unwrap();
    for file in ["001_a.sql", "002_b.sql"] {
        let said: Vec<&str> = text
            .lines()
            .filter(|l| l.contains(file) && l.contains("applied"))
            .collect();
        assert_eq!(said.len(), 1, "{file} in:\n{text}");
        assert!(text.contains(&format!("applying {file} ...")), "{text}");
    }
    // Apart (a terminal's user, or a job reading stdout alone), progress keeps its lines.
    let out = run(dir.path(), &db).arg("upgrade").output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stderr.contains("applied 003_c.sql in "), "{stderr}");
    assert!(stdout.contains("applied   003_c.sql"), "{stdout}");
}
