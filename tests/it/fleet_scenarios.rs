//! Generated fleet runs: for each seed, a list of databases at random positions (empty, at
//! `001`, at head), a random set where `002` fails, and random `--jobs`, `--canary` and
//! `--max-failures`. Whatever the draw, these hold:
//! - the exit status is 1 exactly when a target failed or targets were left unstarted, else 0;
//! - a target reported done is at head; a failed one holds `001` at most, and nothing of `002`;
//! - an unstarted target is exactly as it was;
//! - after a failing canary, no target outside the canary was touched;
//! - no more targets fail than `--max-failures` plus the ones already running (`--jobs - 1`);
//! - every revision ran and is recorded at most once, and no lock is left.
//!
//! `MIGRATE_FLEET_SCENARIOS=N` sets how many seeds run (40 by default); a seed that ever failed
//! is kept in `FIXED`.

use std::path::Path;
use std::process::Command;

use crate::common::json_document;
use crate::common::server::TestDb;

/// Seeds that failed once, kept as fixed cases.
const FIXED: [u64; 0] = [];

const SIZE: usize = 8;

/// Where a database starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    Empty,
    AtFirst,
    AtHead,
}

fn tree(dir: &Path, failing: &[&str]) {
    crate::fleet::fleet_tree(dir, failing, 0.0);
}

fn migrate(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir)
        .env("MIGRATE_DIR", ".")
        .env_remove("MIGRATE_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .args(args)
        .output()
        .unwrap()
}

/// The database's log and history, as one comparable value.
fn state(db: &TestDb) -> (Vec<String>, Vec<String>) {
    let log = if db.one("SELECT to_regclass('fleet_log') IS NULL") == "t" {
        Vec::new()
    } else {
        db.strings("SELECT revision FROM fleet_log ORDER BY revision")
    };
    let history = if db.one("SELECT to_regclass('refinery_schema_history') IS NULL") == "t" {
        Vec::new()
    } else {
        db.strings("SELECT version::text FROM refinery_schema_history ORDER BY version")
    };
    (log, history)
}

fn case(seed: u64, dbs: &[TestDb]) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    for db in dbs {
        db.client()
            .batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .unwrap();
    }
    let failing: Vec<usize> = (0..dbs.len()).filter(|_| rng.u8(0..4) == 0).collect();
    // A database where `002` fails cannot have been brought to head by the same files.
    let starts: Vec<Start> = (0..dbs.len())
        .map(|i| match rng.u8(0..3) {
            0 => Start::Empty,
            2 if !failing.contains(&i) => Start::AtHead,
            _ => Start::AtFirst,
        })
        .collect();
    let names: Vec<&str> = failing.iter().map(|&i| dbs[i].name.as_str()).collect();
    tree(dir.path(), &names);
    for (db, start) in dbs.iter().zip(&starts) {
        let to = match start {
            Start::Empty => continue,
            Start::AtFirst => "001",
            Start::AtHead => "head",
        };
        let out = migrate(
            dir.path(),
            &["upgrade", to, "--database-url", &db.url, "--quiet"],
        );
        assert!(out.status.success(), "seed {seed}: setting up");
    }
    let before: Vec<_> = dbs.iter().map(state).collect();
    let list: String = dbs.iter().map(|db| db.url.clone() + "\n").collect();
    std::fs::write(dir.path().join("targets.txt"), list).unwrap();
    let jobs = rng.usize(1..=4);
    let canary = rng.usize(0..=3);
    let max_failures = rng.usize(1..=3);
    let args = [
        "upgrade".to_owned(),
        "--targets".to_owned(),
        "targets.txt".to_owned(),
        "--jobs".to_owned(),
        jobs.to_string(),
        "--canary".to_owned(),
        canary.to_string(),
        "--max-failures".to_owned(),
        max_failures.to_string(),
        "--format".to_owned(),
        "json".to_owned(),
    ];
    let borrowed: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = migrate(dir.path(), &borrowed);
    let context = format!(
        "seed {seed}: starts {starts:?}, failing {failing:?}, jobs {jobs}, canary {canary}, max-failures {max_failures}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json_document(&out.stdout);
    let statuses: Vec<String> = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses.len(), dbs.len(), "{context}");
    let failed = statuses.iter().filter(|s| *s == "failed").count();
    let unstarted = statuses.iter().filter(|s| *s == "not-started").count();
    let expected_code = i32::from(failed > 0 || unstarted > 0);
    assert_eq!(out.status.code(), Some(expected_code), "{context}");
    assert!(failed < max_failures + jobs, "{context}: {failed} failed");
    let canary_failed = statuses[..canary.min(dbs.len())]
        .iter()
        .any(|s| s == "failed");
    for (i, db) in dbs.iter().enumerate() {
        let now = state(db);
        let head = (
            vec!["001".to_owned(), "002".to_owned()],
            vec!["1".to_owned(), "2".to_owned()],
        );
        match statuses[i].as_str() {
            "done" => assert_eq!(now, head, "{context}: target {i} done"),
            "failed" => {
                assert!(
                    failing.contains(&i) && starts[i] != Start::AtHead,
                    "{context}: {i}"
                );
                assert_eq!(
                    now,
                    (vec!["001".to_owned()], vec!["1".to_owned()]),
                    "{context}: target {i} failed"
                );
            }
            "not-started" => assert_eq!(now, before[i], "{context}: target {i} untouched"),
            other => panic!("{context}: target {i} is {other}"),
        }
        if canary_failed && i >= canary {
            assert_eq!(now, before[i], "{context}: target {i} outside the canary");
        }
        assert_eq!(db.advisory_locks(), "0", "{context}");
    }
}

#[test]
fn generated_fleet_runs_keep_their_invariants() {
    let srv = crate::common::server::server();
    let dbs: Vec<TestDb> = (0..SIZE).map(|_| srv.database("fleetgen")).collect();
    let count: u64 = std::env::var("MIGRATE_FLEET_SCENARIOS")
        .ok()
        .map_or(40, |v| {
            v.parse().expect("MIGRATE_FLEET_SCENARIOS is a number")
        });
    for seed in FIXED.into_iter().chain(0..count) {
        case(seed, &dbs);
    }
}
