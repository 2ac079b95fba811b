//! `current` on an Alembic-managed database, against a real PostgreSQL server: the database is
//! brought up by the real `alembic` (its offline SQL), and `migrate` reads `alembic_version`
//! without Python.
#![allow(clippy::too_many_lines)]

use crate::common::alembic;
use std::path::Path;

use crate::common::server::{TestDb, server};
use crate::common::{migrate_in, output, write_tree};

/// Enough of `env.py` for `alembic upgrade --sql`, which needs no database driver.
const OFFLINE_ENV: &str = "from alembic import context\n\ncontext.configure(url=context.config.get_main_option('sqlalchemy.url'), literal_binds=True)\nwith context.begin_transaction():\n    context.run_migrations()\n";

fn current(dir: &Path, db: &TestDb, extra: &[&str]) -> crate::common::Run {
    output(
        migrate_in(dir)
            .env("MIGRATE_DATABASE_URL", &db.url)
            .arg("current")
            .args(extra),
    )
}

#[test]
fn current_reads_what_alembic_wrote() {
    let python = alembic::python();
    let db = server().database("alembic_current");
    let dir = tempfile::tempdir().unwrap();
    let versions = alembic::project(dir.path());
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = postgresql://offline/none\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("alembic/env.py"), OFFLINE_ENV).unwrap();
    // 004 follows 002 and depends on 003: after `upgrade heads`, Alembic stores only 004.
    let files = [
        ("001_a.py", alembic::revision_file("001", &[], "a")),
        ("002_b.py", alembic::revision_file("002", &["001"], "b")),
        ("003_c.py", alembic::revision_file("003", &["001"], "c")),
        (
            "004_d.py",
            alembic::revision_with("004", &["002"], &["003"], "d"),
        ),
    ];
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    write_tree(&versions, &borrowed);

    // Before anything: nothing applied, and reading created nothing.
    let empty = current(dir.path(), &db, &["--check-heads"]);
    assert_eq!(empty.code, 1, "{}", empty.stderr);
    assert!(
        empty
            .stdout
            .contains("no revision applied (public.alembic_version is empty or missing)")
    );
    assert_eq!(db.one("SELECT to_regclass('alembic_version') IS NULL"), "t");

    let sql = std::process::Command::new(&python)
        .current_dir(dir.path())
        .args([
            "-c",
            "from alembic.config import main\nmain(['upgrade', 'heads', '--sql'])",
        ])
        .output()
        .unwrap();
    assert!(
        sql.status.success(),
        "{}",
        String::from_utf8_lossy(&sql.stderr)
    );
    db.client()
        .batch_execute(&String::from_utf8_lossy(&sql.stdout))
        .unwrap();
    assert_eq!(
        db.strings("SELECT version_num FROM alembic_version"),
        ["004"]
    );

    // 003 is an effective head that 004 depends on: applied, so the database is at the heads.
    let at_heads = current(dir.path(), &db, &["--check-heads"]);
    assert_eq!(at_heads.code, 0, "{}", at_heads.stderr);
    assert_eq!(at_heads.stdout, "004 (head), d\nat head\n");

    let history = output(
        migrate_in(dir.path())
            .env("MIGRATE_DATABASE_URL", &db.url)
            .args(["history", "--indicate-current"]),
    );
    assert!(
        history
            .stdout
            .contains("002 (003) -> 004 (head) (current), d"),
        "{}",
        history.stdout
    );

    // A new revision: the deploy gate fails until it is applied.
    write_tree(
        &versions,
        &[("005_e.py", &alembic::revision_file("005", &["004"], "e"))],
    );
    let behind = current(dir.path(), &db, &["--check-heads"]);
    assert_eq!(behind.code, 1);
    assert!(
        behind
            .stdout
            .contains("1 revision pending; not at `005` (`005_e.py`)"),
        "{}",
        behind.stdout
    );
    assert!(behind.stderr.contains("not at every head"));
    // Without the gate, being behind is information, not failure.
    assert_eq!(current(dir.path(), &db, &[]).code, 0);

    // A revision no file knows: the database is ahead of this checkout.
    db.client()
        .batch_execute("UPDATE alembic_version SET version_num = 'f00dcafe'")
        .unwrap();
    let unknown = current(dir.path(), &db, &[]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains(
            "error[unknown-revision]: the database is at `f00dcafe`, which no file in `alembic/versions` defines"
        ),
        "{}",
        unknown.stderr
    );

    // The table's name is configurable, as Alembic's `version_table` is.
    db.client()
        .batch_execute(
            "CREATE SCHEMA app; CREATE TABLE app.versions (version_num varchar(32) PRIMARY KEY); INSERT INTO app.versions VALUES ('002');",
        )
        .unwrap();
    let custom = current(dir.path(), &db, &["--history-table", "app.versions"]);
    assert_eq!(custom.code, 0, "{}", custom.stderr);
    assert!(custom.stdout.starts_with("002, b\n"), "{}", custom.stdout);
    assert!(
        custom.stdout.contains("3 revisions pending"),
        "{}",
        custom.stdout
    );
}
