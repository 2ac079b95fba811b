//! The oracle for lint: the real `squawk` CLI (the same version as the squawk-linter crate, from
//! the virtualenv `scripts/test` makes) on each revision's up section, against `migrate lint`.
//! Every finding squawk gives must come out of `migrate` under `lint/`, at the same line and
//! column of the revision file, and nothing more, for transactional and `transaction:false`
//! sections alike.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::run_in;

/// What squawk sees and `migrate` replaces with rules of its own (README, Lint).
const REPLACED: &str =
    "ban-concurrent-index-creation-in-transaction,require-lock-timeout,require-statement-timeout";

const STATEMENTS: &[&str] = &[
    "CREATE INDEX ix_{n} ON users (email);",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS cx_{n} ON users (email);",
    "ALTER TABLE users ADD COLUMN c{n} bigint NOT NULL;",
    "ALTER TABLE users ADD COLUMN d{n} integer;",
    "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    "ALTER TABLE users ADD CONSTRAINT fk_{n} FOREIGN KEY (id) REFERENCES teams (id);",
    "ALTER TABLE users RENAME COLUMN email TO mail_{n};",
    "ALTER TABLE users ALTER COLUMN name TYPE varchar(40);",
    "CREATE TABLE t{n} (id serial PRIMARY KEY, at timestamp, code char(3));",
    "DROP TABLE IF EXISTS old_{n};",
    "  UPDATE users SET name = 'x'   WHERE id = {n};",
    "ALTER TABLE users ADD CONSTRAINT uq_{n} UNIQUE (email);",
    "ALTER TABLE users DROP COLUMN IF EXISTS legacy_{n};",
    "CREATE TABLE IF NOT EXISTS s{n} (id bigint GENERATED ALWAYS AS IDENTITY, body text);",
];

fn squawk() -> PathBuf {
    let venv = std::env::var_os("MIGRATE_TEST_VENV")
        .map_or_else(|| crate::common::root().join("target/venv"), PathBuf::from);
    let squawk = venv.join("bin/squawk");
    assert!(
        squawk.exists(),
        "squawk is missing from {}: run scripts/test, which installs squawk-cli into target/venv, \
         or name a virtualenv with MIGRATE_TEST_VENV",
        venv.display()
    );
    squawk
}

/// (file name, 1-based line, 1-based column, rule) of squawk's JSON findings, on up sections
/// written to `sections/` whose up marker is on line 4 of the revision file.
fn squawk_findings(
    dir: &Path,
    files: &[String],
    in_transaction: bool,
) -> BTreeSet<(String, u64, u64, String)> {
    if files.is_empty() {
        return BTreeSet::new();
    }
    let mut command = std::process::Command::new(squawk());
    command
        .current_dir(dir.join("sections"))
        .args(["--reporter", "json", "--exclude", REPLACED]);
    if in_transaction {
        command.arg("--assume-in-transaction");
    }
    let output = command.args(files).output().expect("squawk runs");
    let found: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "squawk's JSON: {e}: {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    found
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default() + 5,
                f["column"].as_u64().unwrap_or_default() + 1,
                format!("lint/{}", f["rule_name"].as_str().unwrap_or_default()),
            )
        })
        .collect()
}

#[test]
fn migrate_reports_what_squawk_reports_at_the_same_places() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let migrations = dir.join("migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::create_dir_all(dir.join("sections")).unwrap();
    std::fs::write(dir.join("migrate.toml"), "statement_timeout = \"1min\"\n").unwrap();
    let mut rng = fastrand::Rng::with_seed(17);
    // 150 revisions: more than lint gives one thread (64 each), so the parts are put back
    // together as well.
    let (mut transactional, mut outside) = (Vec::new(), Vec::new());
    for n in 1..=150 {
        let count = rng.usize(1..=4);
        let body: Vec<String> = (0..count)
            .map(|i| STATEMENTS[rng.usize(..STATEMENTS.len())].replace("{n}", &format!("{n}_{i}")))
            .collect();
        let body = body.join("\n");
        let in_transaction = rng.u8(..4) != 0;
        let marker = if in_transaction {
            ""
        } else {
            " transaction:false"
        };
        let parent = if n == 1 {
            "none".to_owned()
        } else {
            format!("{:03}", n - 1)
        };
        let name = format!("{n:03}_step.sql");
        std::fs::write(
            migrations.join(&name),
            format!("-- step\n-- migrate:revises {parent}\n\n-- migrate:up{marker}\n{body}\n\n-- migrate:down\nSELECT 1;\n"),
        )
        .unwrap();
        std::fs::write(dir.join("sections").join(&name), format!("{body}\n\n")).unwrap();
        if in_transaction {
            &mut transactional
        } else {
            &mut outside
        }
        .push(name);
    }
    let mut expected = squawk_findings(dir, &transactional, true);
    expected.extend(squawk_findings(dir, &outside, false));
    let run = run_in(dir, &["lint", "--format", "json"]);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let actual: BTreeSet<(String, u64, u64, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"].as_str().is_some_and(|n| n.starts_with("lint/")))
        .map(|d| {
            let path = d["path"].as_str().unwrap_or_default();
            (
                path.trim_start_matches("migrations/").to_owned(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                d["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        expected.len() > 150,
        "the statements must draw many findings: {expected:?}"
    );
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
}
