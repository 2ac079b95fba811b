//! `sslmode=prefer` and `require` encrypt (through rustls, reading no CA bundle), and the
//! session the revisions run in is encrypted; `disable` is not. `verify-ca` and `verify-full`
//! are proven in `database.rs`.

use crate::common::{output, write_tree};
use crate::database::rev;

#[test]
fn prefer_and_require_encrypt_the_session_the_revisions_run_in() {
    let srv = crate::common::server::own_server();
    for mode in ["prefer", "require", "disable"] {
        let db = srv.database(&format!("tls_{mode}"));
        let dir = tempfile::tempdir().unwrap();
        write_tree(
            dir.path(),
            &[(
                "001_seen.sql",
                &rev(
                    "seen",
                    "none",
                    "CREATE TABLE seen AS SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
                    "DROP TABLE seen;",
                ),
            )],
        );
        let url = format!(
            "postgresql://postgres@127.0.0.1:{}/{}?sslmode={mode}",
            srv.port, db.name
        );
        let out = output(
            crate::common::migrate_in(dir.path())
                .env("MIGRATE_DIR", ".")
                .args(["upgrade", "--database-url", &url]),
        );
        assert_eq!(out.code, 0, "{mode}: {}", out.stderr);
        let seen = db.strings("SELECT ssl::text || ' ' || coalesce(version, '') FROM seen");
        let expected = if mode == "disable" {
            "false "
        } else {
            "true TLSv1.3"
        };
        assert_eq!(seen, [expected], "sslmode={mode}");
    }
}
