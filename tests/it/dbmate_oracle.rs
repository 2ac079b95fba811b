//! dbmate itself as the oracle (`scripts/install-dbmate` puts it at target/tools/dbmate/): for
//! generated trees, `dbmate up` applies exactly the files `migrate history` lists, in its order,
//! and `current --check-heads` then finds the database at head; a version merged below the
//! base's newest is refused by `check --base`, and dbmate indeed applies it out of order.

use std::path::{Path, PathBuf};

use crate::common::server::server;
use crate::common::{commit_all, git, git_init, root, run_in};

fn dbmate() -> PathBuf {
    let path = root().join("target/tools/dbmate/dbmate");
    assert!(
        path.is_file(),
        "dbmate is not installed at {}: run scripts/install-dbmate (scripts/test does)",
        path.display()
    );
    path
}

/// The URL with `sslmode=disable`, which dbmate's driver needs against a server without TLS.
fn with_sslmode(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// Runs `dbmate up` on `url` in `dir`; returns the files it applied, in order.
fn up(dir: &Path, url: &str) -> Vec<String> {
    let url = with_sslmode(url);
    let output = std::process::Command::new(dbmate())
        .current_dir(dir)
        .args(["--no-dump-schema", "--url", &url, "up"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "dbmate up failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Applying: "))
        .map(str::to_owned)
        .collect()
}

fn write(dir: &Path, name: &str) {
    let table = name.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
    std::fs::write(
        dir.join("db/migrations").join(name),
        format!("-- migrate:up\nCREATE TABLE t_{table} (id bigint);\n\n-- migrate:down\nDROP TABLE t_{table};\n"),
    )
    .unwrap();
}

#[test]
fn dbmate_applies_what_history_lists_in_its_order() {
    for seed in 1..=20u64 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let repo = tempfile::tempdir().unwrap();
        let dir = repo.path();
        std::fs::create_dir_all(dir.join("db/migrations")).unwrap();
        let mut versions = std::collections::BTreeSet::new();
        // A version that is a prefix of another (`7_step.sql`, `70_step.sql`): dbmate's file-name
        // order and the numbers' order disagree there.
        let prefix = rng.u32(1..20);
        for version in [prefix.to_string(), format!("{prefix}0")] {
            write(dir, &format!("{version}_step.sql"));
            versions.insert(version);
        }
        for _ in 0..rng.usize(2..8) {
            // Widths differ on purpose: dbmate orders by file name, not by number.
            let version = match rng.u8(..3) {
                0 => rng.u32(1..200).to_string(),
                1 => format!("{:03}", rng.u32(1..200)),
                _ => format!("2024{:010}", rng.u64(1..9_999_999_999)),
            };
            if versions.insert(version.clone()) {
                let name = if rng.bool() {
                    format!("{version}_step.sql")
                } else {
                    format!("{version}.sql")
                };
                write(dir, &name);
            }
        }
        let history = run_in(dir, &["history", "--format", "json"]);
        assert_eq!(history.code, 0, "seed {seed}: {}", history.stderr);
        let value: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
        let mut ours: Vec<String> = value["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        ours.reverse();
        let db = server().database("dbmate_oracle");
        let applied = up(dir, &db.url);
        assert_eq!(ours, applied, "seed {seed}: the order dbmate applied");
        let heads = run_in(
            dir,
            &["current", "--check-heads", "--database-url", &db.url],
        );
        assert_eq!(
            heads.code, 0,
            "seed {seed}: {}{}",
            heads.stdout, heads.stderr
        );
    }
}

#[test]
fn a_version_merged_below_the_base_is_refused_and_dbmate_would_apply_it_out_of_order() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git_init(dir);
    std::fs::create_dir_all(dir.join("db/migrations")).unwrap();
    write(dir, "20240101000001_users.sql");
    commit_all(dir, "base");
    git(dir, &["checkout", "-q", "-b", "feature"]);
    write(dir, "20240101000002_feature.sql");
    commit_all(dir, "feature");
    git(dir, &["checkout", "-q", "main"]);
    write(dir, "20240101000003_main.sql");
    commit_all(dir, "main");
    // Production is at main's head.
    let db = server().database("dbmate_late");
    up(dir, &db.url);
    git(dir, &["checkout", "-q", "feature"]);
    let check = run_in(
        dir,
        &[
            "check",
            "--no-lint",
            "--base",
            "main",
            "--format",
            "concise",
        ],
    );
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("behind-base")
            && check
                .stdout
                .contains("dbmate applies it silently, out of order"),
        "{}",
        check.stdout
    );
    // What the gate prevents: merged as is, dbmate applies the older version after the newer.
    git(dir, &["merge", "-q", "--no-edit", "main"]);
    assert_eq!(up(dir, &db.url), ["20240101000002_feature.sql"]);
    // Rebased instead, the branch's version comes after main's, and dbmate applies it in order.
    let db = server().database("dbmate_rebased");
    git(dir, &["reset", "-q", "--hard", "HEAD~1"]);
    git(dir, &["checkout", "-q", "main"]);
    up(dir, &db.url);
    git(dir, &["checkout", "-q", "feature"]);
    let rebase = run_in(dir, &["rebase", "--onto", "main"]);
    assert_eq!(rebase.code, 0, "{}{}", rebase.stdout, rebase.stderr);
    commit_all(dir, "rebased");
    git(dir, &["merge", "-q", "--no-edit", "main"]);
    let applied = up(dir, &db.url);
    assert_eq!(applied.len(), 1, "{applied:?}");
    assert!(
        applied[0].ends_with("_feature.sql") && applied[0].as_str() > "20240101000003",
        "{applied:?}"
    );
    let heads = run_in(
        dir,
        &["current", "--check-heads", "--database-url", &db.url],
    );
    assert_eq!(heads.code, 0, "{}{}", heads.stdout, heads.stderr);
}

#[test]
fn a_duplicate_version_is_caught_and_dbmate_fails_on_it() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    std::fs::create_dir_all(dir.join("db/migrations")).unwrap();
    write(dir, "20240101000001_a.sql");
    write(dir, "20240101000001_b.sql");
    let check = run_in(dir, &["check", "--format", "json"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("\"duplicate-revision\"")
            && check.stdout.contains("fails on the second"),
        "{}",
        check.stdout
    );
    let db = server().database("dbmate_duplicate");
    let output = std::process::Command::new(dbmate())
        .current_dir(dir)
        .args(["--no-dump-schema", "--url", &with_sslmode(&db.url), "up"])
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "dbmate accepted a duplicate version"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("duplicate key"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
