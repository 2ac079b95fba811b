//! `migrate verify` on a scratch database of a real server: a clean tree passes, each kind of
//! forgotten undo is caught and named, an up section that cannot repeat after its own down is
//! caught, and the scratch database and the roles the revisions made are gone afterwards.

use std::path::Path;

use crate::common::server::own_server;
use crate::common::{migrate_in, output, write_tree};
use crate::database::rev;

pub(crate) fn verify(dir: &Path, url: &str, args: &[&str]) -> crate::common::Run {
    output(
        migrate_in(dir)
            .env("MIGRATE_DIR", ".")
            .args(["verify", "--database-url", url, "--format", "concise"])
            .args(args),
    )
}

/// A base table, then the revision under test.
fn tree(dir: &Path, up: &str, down: &str) {
    write_tree(
        dir,
        &[
            (
                "001_base.sql",
                &rev(
                    "base",
                    "none",
                    "CREATE TABLE base (id int PRIMARY KEY, note text);\nCREATE TYPE mood AS ENUM ('ok');",
                    "DROP TYPE mood;\nDROP TABLE base;",
                ),
            ),
            ("002_change.sql", &rev("change", "001", up, down)),
        ],
    );
}

fn scratch_databases(db: &crate::common::server::TestDb) -> Vec<String> {
    db.strings("SELECT datname FROM pg_database WHERE datname LIKE 'migrate_verify_%'")
}

/// `verify` ran in a scratch database, not in the one the URL names: that one holds nothing of
/// the tree (a run there would leave every revision applied, the history table included), and
/// the run said which scratch database it used.
fn assert_ran_elsewhere(db: &crate::common::server::TestDb, out: &crate::common::Run) {
    assert_eq!(
        db.one(
            "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public'"
        ),
        "0",
        "verify changed the database its URL names"
    );
    let named = out.stderr.split("verify on ").nth(1).unwrap_or_default();
    let scratch = named
        .split_once("/migrate_verify_")
        .map(|(_, rest)| &rest[..12.min(rest.len())]);
    assert!(
        scratch.is_some_and(|hex| hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit())),
        "verify did not say it ran on a scratch database: {}",
        out.stderr
    );
}

#[test]
fn every_forgotten_undo_is_caught_and_named() {
    let _turn = crate::common::server::cluster_roles();
    let db = own_server().database("verify_admin");
    let url = db.url.clone();
    // (what the up makes, the down that forgets part of it, a word the finding must name)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "index",
            "CREATE INDEX base_note ON base (note);",
            "SELECT 1;",
            "index public.base_note is still present",
        ),
        (
            "default",
            "ALTER TABLE base ALTER COLUMN note SET DEFAULT 'x';",
            "SELECT 1;",
            "column public.base.note differs",
        ),
        (
            "trigger",
            "CREATE TRIGGER base_t BEFORE UPDATE ON base FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
            "SELECT 1;",
            "trigger public.base.base_t is still present",
        ),
        (
            "function",
            "CREATE FUNCTION add_one(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1';",
            "SELECT 1;",
            "function public.add_one(integer) is still present",
        ),
        (
            "grant",
            "CREATE ROLE verify_reader; GRANT SELECT ON base TO verify_reader;",
            "DROP OWNED BY verify_reader; DROP ROLE verify_reader; GRANT SELECT ON base TO PUBLIC;",
            "role PUBLIC still has SELECT on table public.base after the downgrade of 002_change.sql",
        ),
        (
            "role",
            "CREATE ROLE verify_left_behind;",
            "SELECT 1;",
            "role verify_left_behind is still present",
        ),
        (
            "default privilege",
            "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;",
            "SELECT 1;",
            "default privileges postgres on tables is still present",
        ),
        (
            "enum value",
            "ALTER TYPE mood ADD VALUE 'meh';",
            "SELECT 1;",
            "enum public.mood differs after the downgrade of 002_change.sql: it was `owner postgres, privileges default, labels 'ok'`, it is `owner postgres, privileges default, labels 'ok', 'meh'`",
        ),
        (
            "sequence",
            "CREATE SEQUENCE base_seq;",
            "SELECT 1;",
            "sequence public.base_seq is still present",
        ),
        (
            "policy",
            "CREATE POLICY base_own ON base USING (true);",
            "SELECT 1;",
            "policy public.base.base_own is still present",
        ),
        (
            "comment",
            "COMMENT ON TABLE base IS 'the base';",
            "SELECT 1;",
            "comment table base is still present",
        ),
    ];
    for (what, up, down, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path(), up, down);
        let out = verify(dir.path(), &url, &[]);
        assert_eq!(out.code, 1, "{what}: {}{}", out.stdout, out.stderr);
        assert_ran_elsewhere(&db, &out);
        assert!(
            out.stdout.contains("error[downgrade-leaves-trace]") && out.stdout.contains(expected),
            "{what}: expected `{expected}` in\n{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("002_change.sql:"),
            "{what}: {}",
            out.stdout
        );
    }
    assert!(
        scratch_databases(&db).is_empty(),
        "a scratch database was left behind"
    );
    assert_eq!(
        db.strings("SELECT count(*)::text FROM pg_roles WHERE rolname LIKE 'verify_%'"),
        ["0"],
        "the roles the revisions made are dropped with the scratch database"
    );
}

#[test]
fn a_clean_tree_passes_and_an_unrepeatable_up_is_caught() {
    let _turn = crate::common::server::cluster_roles();
    let db = own_server().database("verify_clean");
    let dir = tempfile::tempdir().unwrap();
    tree(
        dir.path(),
        "CREATE INDEX base_note ON base (note); CREATE ROLE verify_clean_ro; GRANT SELECT ON base TO verify_clean_ro;",
        "REVOKE SELECT ON base FROM verify_clean_ro; DROP ROLE verify_clean_ro; DROP INDEX base_note;",
    );
    let out = verify(dir.path(), &db.url, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("verified 2 revisions of 2"),
        "{}",
        out.stderr
    );
    assert_ran_elsewhere(&db, &out);
    // An up that behaves differently the second time: its down restores the catalog but not
    // the row the up inserted, and the second up builds an index because of it.
    let dir = tempfile::tempdir().unwrap();
    tree(
        dir.path(),
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM base) THEN CREATE INDEX second_time ON base (note); END IF; END $$;\nINSERT INTO base VALUES (1, 'a') ON CONFLICT DO NOTHING;",
        "DROP INDEX IF EXISTS second_time;",
    );
    let out = verify(dir.path(), &db.url, &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("error[upgrade-not-repeatable]")
            && out.stdout.contains(
                "index public.second_time appears only on the second upgrade of 002_change.sql"
            ),
        "{}",
        out.stdout
    );
    // A failing up names its file and line.
    let dir = tempfile::tempdir().unwrap();
    tree(
        dir.path(),
        "SELECT 1;\nSELECT * FROM missing_table;",
        "SELECT 1;",
    );
    let out = verify(dir.path(), &db.url, &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("002_change.sql:6:") && out.stdout.contains("upgrade-failed"),
        "{}",
        out.stdout
    );
    assert!(scratch_databases(&db).is_empty());
}

#[test]
fn sigint_stops_the_run_and_the_scratch_database_is_gone() {
    let _turn = crate::common::server::cluster_roles();
    let db = own_server().database("verify_sigint");
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path(), "SELECT pg_sleep(30);", "SELECT 1;");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir.path())
        .env("MIGRATE_DIR", ".")
        .args(["verify", "--database-url", &db.url, "--format", "concise"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The revision runs in a scratch database of the same server, never in the URL's: the
    // sleeping backend is this run's (its application name) and sits in `migrate_verify_*`.
    let running = "SELECT datname FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' \
         AND application_name = 'migrate' AND pid <> pg_backend_pid() \
         AND (datname = current_database() OR datname LIKE 'migrate_verify_%')";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let scratch = loop {
        if let [datname] = &db.strings(running)[..] {
            break datname.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the revision never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(scratch.starts_with("migrate_verify_"), "{scratch}");
    assert_eq!(scratch_databases(&db), std::slice::from_ref(&scratch));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(130), "{all}");
    assert!(
        all.contains(
            "error[interrupted] interrupted by SIGINT while the upgrade of `002_change.sql` ran"
        ),
        "{all}"
    );
    crate::common::wait_until(
        "the scratch database is dropped",
        std::time::Duration::from_secs(30),
        || scratch_databases(&db).is_empty(),
    );
}

#[test]
fn the_example_project_passes_with_its_role_and_grants_and_a_forgotten_revoke_is_caught() {
    let _turn = crate::common::server::cluster_roles();
    let db = own_server().database("verify_example");
    let root = crate::common::root();
    let run = |dir: &Path| {
        output(
            migrate_in(&root)
                .env("CAPE_READONLY_PASSWORD", "not-a-secret")
                .args(["verify", "--database-url", &db.url, "--format", "concise"])
                .args(["--database-variable", "CAPE_DATABASE", "--dir"])
                .arg(dir),
        )
    };
    let out = run(&root.join("migrations"));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("verified 7 revisions of 7"),
        "{}",
        out.stderr
    );
    assert_ran_elsewhere(&db, &out);
    // The same tree with revision 007's down forgetting the schema grant: the role cannot be
    // dropped while it holds a privilege, and the downgrade fails at its line.
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root.join("migrations")).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let text = text.replace("REVOKE USAGE ON SCHEMA public FROM cape_readonly;\n", "");
        std::fs::write(copy.path().join(entry.file_name()), text).unwrap();
    }
    let out = run(copy.path());
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("error[downgrade-failed]")
            && out.stdout.contains("007_create_readonly_role.sql"),
        "{}",
        out.stdout
    );
    assert!(scratch_databases(&db).is_empty());
    assert_eq!(
        db.strings("SELECT count(*)::text FROM pg_roles WHERE rolname = 'cape_readonly'"),
        ["0"]
    );
}

/// The throwaway clusters' directories there are now.
pub(crate) fn throwaway_dirs() -> Vec<std::path::PathBuf> {
    let tmp = std::env::var_os("TMPDIR").map_or_else(|| "/tmp".into(), std::path::PathBuf::from);
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("migrate-verify-")
        })
        .map(|e| e.path())
        .collect()
}

#[test]
fn with_no_url_a_throwaway_cluster_is_made_and_removed_even_after_kill_9() {
    let _turn = crate::common::server::cluster_roles();
    let dir = tempfile::tempdir().unwrap();
    tree(
        dir.path(),
        "CREATE INDEX base_note ON base (note);",
        "DROP INDEX base_note;",
    );
    let before = throwaway_dirs();
    let out = output(migrate_in(dir.path()).env("MIGRATE_DIR", ".").arg("verify"));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("starting a throwaway PostgreSQL ")
            && out.stderr.contains("verified 2 revisions of 2"),
        "{}",
        out.stderr
    );
    // A run killed outright: the cluster's script sees its stdin close and removes it all.
    tree(dir.path(), "SELECT pg_sleep(60);", "SELECT 1;");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir.path())
        .env("MIGRATE_DIR", ".")
        .env_remove("MIGRATE_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .arg("verify")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "verify ended early"
        );
        if line.contains("002_change.sql") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    crate::common::wait_until(
        "the throwaway cluster's directory is removed",
        std::time::Duration::from_secs(30),
        || throwaway_dirs().iter().all(|d| before.contains(d)),
    );
}

#[test]
fn fixtures_load_at_the_target_and_their_cleanup_must_leave_every_table_as_it_was() {
    let _turn = crate::common::server::cluster_roles();
    let db = own_server().database("verify_fixtures");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    tree(
        &root.join("migrations"),
        "ALTER TABLE base ADD COLUMN tag text;",
        "ALTER TABLE base DROP COLUMN tag;",
    );
    write_tree(
        root,
        &[(
            "migrate.toml",
            "[verify]\nfixtures = [\"fixtures/data.sql\"]\ncleanup = [\"fixtures/cleanup.sql\"]\n",
        )],
    );
    let fixtures = root.join("fixtures");
    write_tree(
        &fixtures,
        &[
            (
                "data.sql",
                "INSERT INTO base VALUES (1, 'a', 'x');\nINSERT INTO base VALUES (2, 'b', 'y');\n",
            ),
            ("cleanup.sql", "DELETE FROM base WHERE id = 1;\n"),
        ],
    );
    let run = || {
        output(migrate_in(root).args(["verify", "--database-url", &db.url, "--format", "concise"]))
    };
    let out = run();
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("error[fixture-failed]")
            && out
                .stdout
                .contains("table public.base holds 1 rows, and held 0 before"),
        "{}",
        out.stdout
    );
    write_tree(&fixtures, &[("cleanup.sql", "DELETE FROM base;\n")]);
    let out = run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_ran_elsewhere(&db, &out);
    // A fixture that no longer fits the schema, at its line.
    write_tree(
        &fixtures,
        &[(
            "data.sql",
            "INSERT INTO base VALUES (1, 'a', 'x');\nINSERT INTO base (id, colour) VALUES (2, 'red');\n",
        )],
    );
    let out = run();
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("fixtures/data.sql:2:1: error[fixture-failed]")
            && out.stdout.contains("colour"),
        "{}",
        out.stdout
    );
    assert!(scratch_databases(&db).is_empty());
}

#[test]
fn schema_prints_the_catalog_of_head_as_stable_text_and_json() {
    let _turn = crate::common::server::cluster_roles();
    let root = crate::common::root();
    let schema = |format: &str| {
        output(
            migrate_in(&root)
                .env("CAPE_READONLY_PASSWORD", "not-a-secret")
                .args([
                    "schema",
                    "--database-variable",
                    "CAPE_DATABASE",
                    "--format",
                    format,
                ]),
        )
    };
    let text = schema("human");
    assert_eq!(text.code, 0, "{}", text.stderr);
    for expected in [
        "table public.user\n    owner postgres, privileges {",
        "cape_readonly=r/postgres",
        "role cape_readonly\n    login",
        "trigger public.user.",
        "function public.stamp_row()",
    ] {
        assert!(
            text.stdout.contains(expected),
            "`{expected}` missing from:\n{}",
            text.stdout
        );
    }
    // Stable: a second run prints the same bytes.
    assert_eq!(schema("human").stdout, text.stdout);
    let json: serde_json::Value = serde_json::from_str(&schema("json").stdout).unwrap();
    let objects = json["objects"].as_array().unwrap();
    assert!(
        objects
            .iter()
            .any(|o| o["kind"] == "index" && o["name"].as_str().unwrap().starts_with("public."))
    );
}
