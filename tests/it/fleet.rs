//! `upgrade`, `current` and friends on many targets (`--targets`, `--targets-query`,
//! `--schemas-query`), against the real server: one failing target among 200, a canary,
//! `kill -9` then a rerun, two runners on one list, shards, 1,000 schemas, SIGINT, and no
//! password in any output.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::server::{Server, TestDb};
use crate::common::{json_document, wait_until, write_tree};
use crate::database::rev;

/// The password every target URL carries; the test server trusts local connections, so it is
/// sent and ignored, and must never be printed.
const SECRET: &str = "fleet-s3cret-pw";

/// Databases made for one test, their tree, and a target file listing them with a password.
pub(crate) struct Fleet {
    pub(crate) dbs: Vec<TestDb>,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) targets: PathBuf,
}

/// The URL of `db` with the test's password and `app` as the application name, to count one
/// test's connections by (tests run side by side on one server).
fn with_password(db: &TestDb, app: &str) -> String {
    let url = db.url.replacen(
        "postgresql://postgres@",
        &format!("postgresql://postgres:{SECRET}@"),
        1,
    );
    let join = if url.contains('?') { '&' } else { '?' };
    format!("{url}{join}application_name={app}")
}

/// The fleet's tree: `001` makes a log table, `002` logs itself, sleeps `sleep` seconds, and
/// fails with SQLSTATE 23514 in the databases named in `failing`.
pub(crate) fn fleet_tree(dir: &Path, failing: &[&str], sleep: f64) {
    let bad: Vec<String> = failing.iter().map(|n| format!("'{n}'")).collect();
    let bad = if bad.is_empty() {
        "''".to_owned()
    } else {
        bad.join(", ")
    };
    write_tree(
        dir,
        &[
            (
                "001_log.sql",
                &rev(
                    "log",
                    "none",
                    "CREATE TABLE fleet_log (revision text NOT NULL);\nINSERT INTO fleet_log VALUES ('001');",
                    "DROP TABLE fleet_log;",
                ),
            ),
            (
                "002_check.sql",
                &rev(
                    "check",
                    "001",
                    &format!(
                        "INSERT INTO fleet_log VALUES ('002');\nSELECT pg_sleep({sleep});\nDO $$ BEGIN\n  IF current_database() IN ({bad}) THEN\n    RAISE EXCEPTION 'tenant data breaks 002' USING ERRCODE = '23514';\n  END IF;\nEND $$;"
                    ),
                    "DELETE FROM fleet_log WHERE revision = '002';",
                ),
            ),
        ],
    );
}

/// `count` databases; the revision `002` fails with SQLSTATE 23514 in the databases `failing`
/// names (by index), and `002` sleeps `sleep` seconds everywhere.
pub(crate) fn fleet(
    srv: &Server,
    test: &str,
    count: usize,
    failing: &[usize],
    sleep: f64,
) -> Fleet {
    let dbs: Vec<TestDb> = (0..count).map(|_| srv.database(test)).collect();
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<&str> = failing.iter().map(|&i| dbs[i].name.as_str()).collect();
    fleet_tree(dir.path(), &names, sleep);
    let targets = dir.path().join("targets.txt");
    let mut list = String::from("# the fleet\n\n");
    for db in &dbs {
        list.push_str(&with_password(db, test));
        list.push('\n');
    }
    std::fs::write(&targets, list).unwrap();
    Fleet { dbs, dir, targets }
}

fn migrate(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate"));
    cmd.current_dir(dir)
        .env("MIGRATE_DIR", ".")
        .env_remove("MIGRATE_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("MIGRATE_TARGETS")
        .env_remove("MIGRATE_TARGETS_QUERY")
        .env_remove("MIGRATE_SCHEMAS_QUERY")
        .args(args);
    cmd
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// How many rows each revision left in `db`'s log, and its history rows.
fn log_and_history(db: &TestDb) -> (Vec<String>, String) {
    if db.one("SELECT to_regclass('fleet_log') IS NULL") == "t" {
        return (Vec::new(), String::new());
    }
    let log = db.strings(
        "SELECT revision || ':' || count(*) FROM fleet_log GROUP BY revision ORDER BY revision",
    );
    let history = db.one(
        "SELECT coalesce(string_agg(version::text, ',' ORDER BY version), '') FROM refinery_schema_history",
    );
    (log, history)
}

fn has_history(db: &TestDb) -> bool {
    db.one("SELECT to_regclass('refinery_schema_history') IS NOT NULL") == "t"
}

/// How many databases the large fleet test makes: 200, or `MIGRATE_FLEET_SIZE` (scripts/test
/// runs the other PostgreSQL majors with 40).
fn fleet_size() -> usize {
    std::env::var("MIGRATE_FLEET_SIZE")
        .ok()
        .map_or(200, |v| v.parse().expect("MIGRATE_FLEET_SIZE is a number"))
}

#[test]
fn two_hundred_databases_one_failing_199_reach_head_and_the_failure_is_named() {
    let srv = crate::common::server::server();
    let size = fleet_size();
    let bad = size * 2 / 3;
    let fleet = fleet(srv, "fleet200", size, &[bad], 0.0);
    let targets = fleet.targets.to_str().unwrap();
    let out = migrate(
        fleet.dir.path(),
        &[
            "upgrade",
            "--targets",
            targets,
            "--jobs",
            "8",
            "--max-failures",
            "5",
            "--format",
            "json",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(!said(&out).contains(SECRET), "the password was printed");
    let doc = json_document(&out.stdout);
    let entries = doc["targets"].as_array().unwrap();
    assert_eq!(entries.len(), size);
    let failed: Vec<&serde_json::Value> =
        entries.iter().filter(|e| e["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{doc}");
    assert!(
        failed[0]["target"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{}", fleet.dbs[bad].name))
    );
    let diagnostic = &failed[0]["diagnostics"][0];
    assert_eq!(diagnostic["name"], "revision-failed", "{diagnostic}");
    assert!(
        diagnostic["message"].as_str().unwrap().contains("23514"),
        "{diagnostic}"
    );
    assert_eq!(diagnostic["path"], "002_check.sql", "{diagnostic}");
    assert!(diagnostic["line"].as_u64().is_some(), "{diagnostic}");
    // It started empty and stopped after 001: 002 rolled back.
    assert_eq!(failed[0]["from"], serde_json::json!([]));
    assert_eq!(failed[0]["to"], serde_json::json!(["001"]));
    assert_eq!(doc["fleet"]["at"], serde_json::json!({"002": size - 1}));
    assert_eq!(doc["fleet"]["failed"], 1);
    for (i, db) in fleet.dbs.iter().enumerate() {
        let (log, history) = log_and_history(db);
        if i == bad {
            assert_eq!(
                (log, history.as_str()),
                (vec!["001:1".to_owned()], "1"),
                "{}",
                db.name
            );
        } else {
            assert_eq!(
                (log, history.as_str()),
                (vec!["001:1".to_owned(), "002:1".to_owned()], "1,2"),
                "{}",
                db.name
            );
        }
    }
    human_and_current_agree(&fleet);
}

/// The human form of the same fleet: one line a target, then the summary; then `current
/// --check-heads`, the fleet's status, names the one target behind.
fn human_and_current_agree(fleet: &Fleet) {
    let targets = fleet.targets.to_str().unwrap();
    // The human form: one line a target, then the summary.
    let out = migrate(
        fleet.dir.path(),
        &[
            "upgrade",
            "--targets",
            targets,
            "--jobs",
            "8",
            "--max-failures",
            "5",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let size = fleet.dbs.len();
    assert_eq!(stdout.lines().count(), size + 1, "{stdout}");
    let summary = format!("{} at 002, 1 failed", size - 1);
    assert!(
        stdout.lines().last().unwrap().starts_with(&summary),
        "{stdout}"
    );
    assert!(!said(&out).contains(SECRET));
    // `current --check-heads` is the fleet's status: one target is behind.
    let out = migrate(
        fleet.dir.path(),
        &[
            "current",
            "--targets",
            targets,
            "--check-heads",
            "--jobs",
            "8",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("behind")).count(),
        1,
        "{stdout}"
    );
    assert!(!said(&out).contains(SECRET));
}

#[test]
fn a_failing_canary_touches_no_other_target() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleetcanary", 12, &[1], 0.0);
    let out = migrate(
        fleet.dir.path(),
        &[
            "upgrade",
            "--targets",
            fleet.targets.to_str().unwrap(),
            "--canary",
            "3",
            "--max-failures",
            "10",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("fleet-stopped"), "{}", said(&out));
    for (i, db) in fleet.dbs.iter().enumerate() {
        assert_eq!(
            has_history(db),
            i < 3,
            "{}: touched only if a canary",
            db.name
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("not started"))
            .count(),
        9,
        "{stdout}"
    );
}

/// Every revision once per target, wherever each run stopped.
pub(crate) fn all_at_head_once(fleet: &Fleet) {
    for db in &fleet.dbs {
        assert_eq!(
            log_and_history(db),
            (
                vec!["001:1".to_owned(), "002:1".to_owned()],
                "1,2".to_owned()
            ),
            "{}",
            db.name
        );
        assert_eq!(db.advisory_locks(), "0", "{}", db.name);
    }
}

#[test]
fn kill_9_mid_fleet_then_a_rerun_brings_every_target_to_head_once() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleetkill", 24, &[], 0.2);
    let targets = fleet.targets.to_str().unwrap();
    for delay in [0, 700] {
        let mut child = migrate(
            fleet.dir.path(),
            &["upgrade", "--targets", targets, "--jobs", "3"],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // The server notices the killed client and rolls its transactions back.
    wait_until(
        "the killed runner's sessions end",
        Duration::from_secs(30),
        || {
            fleet.dbs[0]
                .one("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fleetkill'")
                == "0"
        },
    );
    let out = migrate(
        fleet.dir.path(),
        &["upgrade", "--targets", targets, "--jobs", "3"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    all_at_head_once(&fleet);
}

#[test]
fn two_runners_on_the_same_targets_apply_each_revision_once() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleettwo", 50, &[], 0.02);
    let targets = fleet.targets.to_str().unwrap();
    let spawn = || -> Child {
        migrate(
            fleet.dir.path(),
            &[
                "upgrade",
                "--targets",
                targets,
                "--jobs",
                "4",
                "--format",
                "json",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", said(&out));
        let doc = json_document(&out.stdout);
        assert_eq!(doc["fleet"]["at"], serde_json::json!({"002": 50}), "{doc}");
    }
    all_at_head_once(&fleet);
}

#[test]
fn shards_are_disjoint_cover_the_list_and_run_as_indexed_pods() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleetshard", 21, &[], 0.0);
    let targets = fleet.targets.to_str().unwrap();
    let share = |index: usize, count: usize| -> Vec<String> {
        let out = migrate(
            fleet.dir.path(),
            &[
                "current",
                "--targets",
                targets,
                "--shard",
                &format!("{index}/{count}"),
                "--format",
                "json",
            ],
        )
        .output()
        .unwrap();
        let doc = json_document(&out.stdout);
        doc["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["target"].as_str().unwrap().to_owned())
            .collect()
    };
    for count in 1..=7 {
        let mut all: Vec<String> = (0..count).flat_map(|i| share(i, count)).collect();
        let total = all.len();
        all.sort();
        all.dedup();
        assert_eq!((total, all.len()), (21, 21), "N = {count}");
    }
    // Three pods of an Indexed Job, at once, each with its JOB_COMPLETION_INDEX.
    let pods: Vec<Child> = (0..3)
        .map(|i| {
            let mut cmd = Command::new("sh");
            cmd.current_dir(fleet.dir.path())
                .args(["-c", "exec \"$MIGRATE\" upgrade --targets \"$TARGETS\" --shard \"$JOB_COMPLETION_INDEX/3\""])
                .env("MIGRATE", env!("CARGO_BIN_EXE_migrate"))
                .env("MIGRATE_DIR", ".")
                .env("TARGETS", targets)
                .env("JOB_COMPLETION_INDEX", i.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for pod in pods {
        let out = pod.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    }
    all_at_head_once(&fleet);
}

#[test]
fn a_thousand_schemas_in_one_database_on_few_connections() {
    let srv = crate::common::server::server();
    let db = srv.database("fleetschemas");
    db.client()
        .batch_execute("DO $$ BEGIN FOR i IN 1..1000 LOOP EXECUTE format('CREATE SCHEMA tenant_%s', i); END LOOP; END $$;")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "001_t.sql",
                &rev("t", "none", "CREATE TABLE t (id int);", "DROP TABLE t;"),
            ),
            (
                "002_u.sql",
                &rev("u", "001", "CREATE TABLE u (id int);", "DROP TABLE u;"),
            ),
        ],
    );
    let url = with_password(&db, "fleetschemas");
    let query = r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\_%' ORDER BY 1";
    let peak = std::sync::Arc::new(AtomicUsize::new(0));
    let watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (peak, watching, url) = (peak.clone(), watching.clone(), db.url.clone());
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            while watching.load(Ordering::SeqCst) {
                let n: i64 = client
                    .query_one("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fleetschemas'", &[])
                    .unwrap()
                    .get(0);
                peak.fetch_max(usize::try_from(n).unwrap(), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let started = Instant::now();
    let out = migrate(
        dir.path(),
        &[
            "upgrade",
            "--database-url",
            &url,
            "--schemas-query",
            query,
            "--jobs",
            "4",
            "--format",
            "json",
        ],
    )
    .output()
    .unwrap();
    watching.store(false, Ordering::SeqCst);
    watcher.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    eprintln!("1,000 schemas upgraded in {:?}", started.elapsed());
    let doc = json_document(&out.stdout);
    assert_eq!(doc["fleet"]["at"], serde_json::json!({"002": 1000}));
    assert!(
        peak.load(Ordering::SeqCst) <= 5,
        "{} connections at once",
        peak.load(Ordering::SeqCst)
    );
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'tenant\\_%' AND tablename IN ('t', 'u', 'refinery_schema_history')"),
        "3000"
    );
    assert_eq!(
        db.one("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "0"
    );
    assert_eq!(db.advisory_locks(), "0");
    // At head, a rerun does nothing; `current --check-heads` passes.
    let out = migrate(
        dir.path(),
        &[
            "current",
            "--database-url",
            &url,
            "--schemas-query",
            query,
            "--check-heads",
            "--jobs",
            "4",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(!said(&out).contains(SECRET));
}

#[test]
fn sigint_mid_fleet_finishes_nothing_new_and_says_what_ran() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleetsigint", 12, &[], 1.0);
    let child = migrate(
        fleet.dir.path(),
        &[
            "upgrade",
            "--targets",
            fleet.targets.to_str().unwrap(),
            "--jobs",
            "2",
            "--format",
            "json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the run did not stop"
    );
    assert_eq!(out.status.code(), Some(130), "{}", said(&out));
    let doc = json_document(&out.stdout);
    let statuses: Vec<&str> = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    let count = |s: &str| statuses.iter().filter(|x| **x == s).count();
    assert!(count("done") >= 1, "{statuses:?}");
    assert_eq!(count("interrupted"), 2, "{statuses:?}");
    assert!(count("not-started") >= 1, "{statuses:?}");
    assert_eq!(doc["fleet"]["stopped"], "signal");
    for (db, status) in fleet.dbs.iter().zip(&statuses) {
        assert_eq!(db.advisory_locks(), "0");
        let (log, _) = log_and_history(db);
        match *status {
            "done" => assert_eq!(log, ["001:1", "002:1"]),
            "interrupted" => assert!(!log.contains(&"002:1".to_owned()), "{log:?}"),
            _ => assert!(!has_history(db)),
        }
    }
}

#[test]
fn a_target_list_that_is_empty_or_names_a_database_twice_is_refused() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleetlist", 2, &[], 0.0);
    let file = fleet.dir.path().join("list.txt");
    for (text, code, wanted) in [
        ("# nothing\n\n", 1, "names no target"),
        (
            &format!(
                "{}\n{}\n",
                with_password(&fleet.dbs[0], "x"),
                fleet.dbs[0].url
            ) as &str,
            1,
            "twice (line 1 and line 2)",
        ),
        (
            &format!("{}\nnot a url {SECRET}\n", fleet.dbs[1].url) as &str,
            2,
            "line 2: not a connection string",
        ),
    ] {
        std::fs::write(&file, text).unwrap();
        for format in ["human", "json", "github", "concise"] {
            let out = migrate(
                fleet.dir.path(),
                &[
                    "upgrade",
                    "--targets",
                    file.to_str().unwrap(),
                    "--format",
                    format,
                ],
            )
            .output()
            .unwrap();
            assert_eq!(out.status.code(), Some(code), "{format}: {}", said(&out));
            assert!(said(&out).contains(wanted), "{format}: {}", said(&out));
            assert!(!said(&out).contains(SECRET), "{format}: {}", said(&out));
        }
    }
    assert!(!has_history(&fleet.dbs[0]) && !has_history(&fleet.dbs[1]));
}

/// `[targets] query` in migrate.toml names the databases (names taking the URL's other
/// parts); `downgrade` and `stamp` run on them as `upgrade` does; `--targets-query` on the
/// command line gives the same list; every format keeps the password out.
#[test]
fn a_configured_query_names_the_targets_of_upgrade_downgrade_and_stamp() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleetq", 4, &[], 0.0);
    let prefix = fleet.dbs[0]
        .name
        .rsplit_once('_')
        .unwrap()
        .0
        .replace('_', "\\_");
    let query =
        format!("SELECT datname FROM pg_database WHERE datname LIKE '{prefix}\\_%' ORDER BY 1");
    let admin = srv.admin_url.replacen(
        "postgresql://postgres@",
        &format!("postgresql://postgres:{SECRET}@"),
        1,
    );
    std::fs::write(
        fleet.dir.path().join("migrate.toml"),
        format!(
            "dir = \".\"\n[targets]\nquery = \"{}\"\n",
            query.replace('\\', "\\\\")
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = migrate(fleet.dir.path(), args)
            .env("MIGRATE_DATABASE_URL", &admin)
            .env_remove("MIGRATE_DIR")
            .output()
            .unwrap();
        assert!(!said(&out).contains(SECRET), "{}", said(&out));
        out
    };
    for format in ["human", "concise", "github", "json"] {
        let out = run(&["upgrade", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", said(&out));
    }
    all_at_head_once(&fleet);
    let out = run(&[
        "downgrade",
        "base",
        "--targets-query",
        &query,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let doc = json_document(&out.stdout);
    assert_eq!(doc["fleet"]["at"], serde_json::json!({"base": 4}), "{doc}");
    for db in &fleet.dbs {
        assert_eq!(log_and_history(db), (Vec::new(), String::new()));
    }
    let out = run(&["stamp", "head"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    for db in &fleet.dbs {
        // Recorded, not run: no log table.
        assert_eq!(
            db.one("SELECT string_agg(version::text, ',' ORDER BY version) FROM refinery_schema_history"),
            "1,2"
        );
        assert_eq!(db.one("SELECT to_regclass('fleet_log') IS NULL"), "t");
    }
    let out = run(&["current", "--check-heads"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with("4 at 002\n"),
        "{}",
        said(&out)
    );
    // `--sql` prints the one script, whatever list the configuration names.
    let out = run(&["upgrade", "--sql"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CREATE TABLE fleet_log"));
}

/// A target that accepts the connection and never answers (a hung server, a black-holing
/// proxy) fails within its `connect_timeout`, and the others go on: one server must not hold
/// the fleet forever.
#[test]
fn a_silent_server_fails_its_target_within_the_connect_timeout() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleetsilent", 2, &[], 0.0);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let mut list = std::fs::read_to_string(&fleet.targets).unwrap();
    writeln!(
        list,
        "postgresql://postgres:{SECRET}@127.0.0.1:{port}/x?connect_timeout=2"
    )
    .unwrap();
    std::fs::write(&fleet.targets, list).unwrap();
    let started = Instant::now();
    let out = migrate(
        fleet.dir.path(),
        &[
            "upgrade",
            "--targets",
            fleet.targets.to_str().unwrap(),
            "--max-failures",
            "2",
            "--format",
            "json",
        ],
    )
    .output()
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(!said(&out).contains(SECRET));
    let doc = json_document(&out.stdout);
    let entries = doc["targets"].as_array().unwrap();
    assert_eq!(entries[2]["status"], "failed", "{doc}");
    assert!(
        entries[2]["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within 2s"),
        "{doc}"
    );
    assert_eq!(doc["fleet"]["at"], serde_json::json!({"002": 2}), "{doc}");
    drop(silent);
}

/// A query row that is empty, a schema that does not exist or a system schema is refused
/// before anything runs; a file that opens with a byte order mark reads as any other.
#[test]
fn empty_names_missing_and_system_schemas_are_refused_and_a_bom_is_read() {
    let srv = crate::common::server::server();
    let fleet = fleet(srv, "fleetrows", 1, &[], 0.0);
    let db = &fleet.dbs[0];
    db.client().batch_execute("CREATE SCHEMA tenant_a").unwrap();
    for (flag, query, wanted) in [
        (
            "--targets-query",
            "SELECT ''",
            "returns an empty value in row 1",
        ),
        (
            "--schemas-query",
            "SELECT 'tenant_a' UNION ALL SELECT 'tenant_typo'",
            "schema `tenant_typo` does not exist",
        ),
        (
            "--schemas-query",
            "SELECT 'information_schema'",
            "is a system schema",
        ),
    ] {
        let out = migrate(
            fleet.dir.path(),
            &["upgrade", "--database-url", &db.url, flag, query],
        )
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(2), "{query}: {}", said(&out));
        assert!(said(&out).contains(wanted), "{query}: {}", said(&out));
    }
    assert_eq!(
        db.one("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_typo'"),
        "0"
    );
    assert!(!has_history(db));
    assert_eq!(
        db.one("SELECT to_regclass('tenant_a.refinery_schema_history') IS NULL"),
        "t"
    );
    let text = std::fs::read_to_string(&fleet.targets).unwrap();
    std::fs::write(&fleet.targets, format!("\u{feff}{text}")).unwrap();
    let out = migrate(
        fleet.dir.path(),
        &["upgrade", "--targets", fleet.targets.to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
}
