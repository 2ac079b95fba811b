//! `sslmode=prefer` and `require` encrypt (through rustls, reading no CA bundle), and the
//! session the revisions run in is encrypted; `disable` is not. Like libpq, they take any
//! certificate, an X.509 version 1 one included. `verify-ca` and `verify-full` are proven in
//! `database.rs`.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use crate::common::server::{Server, TestDb};
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

/// webpki, which rustls checks signatures through, reads X.509 version 3 certificates only; a
/// server whose certificate is version 1 (what `openssl x509 -req` writes without extensions)
/// failed the handshake with `UnsupportedCertVersion` in `prefer` and `require`, where psql
/// connects. Both now connect, and encrypt; `verify-ca` still checks the certificate.
#[test]
fn prefer_and_require_take_a_version_1_certificate_and_verify_ca_still_checks_it() {
    let srv = crate::common::server::version_1_server();
    let cluster = srv.socket_dir.as_ref().unwrap();
    let text = StdCommand::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(cluster.join("server.crt"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Version: 1 (0x0)"),
        "the test server's certificate is not version 1: {}",
        String::from_utf8_lossy(&text.stdout)
    );
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
    let run = |db: &TestDb, query: &str, command: &str| {
        let url = format!(
            "postgresql://postgres@127.0.0.1:{}/{}?{query}",
            srv.port, db.name
        );
        output(
            crate::common::migrate_in(dir.path())
                .env("MIGRATE_DIR", ".")
                .args([command, "--database-url", &url]),
        )
    };
    let session =
        |db: &TestDb| db.strings("SELECT ssl::text || ' ' || coalesce(version, '') FROM seen");
    for mode in ["prefer", "require"] {
        let db = srv.database(&format!("tls_v1_{mode}"));
        let out = run(&db, &format!("sslmode={mode}"), "upgrade");
        assert_eq!(out.code, 0, "{mode}: {}", out.stderr);
        assert_eq!(session(&db), ["true TLSv1.3"], "sslmode={mode}");
        let out = run(&db, &format!("sslmode={mode}"), "current");
        assert_eq!(out.code, 0, "{mode}: {}", out.stderr);
        assert!(out.stdout.starts_with("001 (head)"), "{}", out.stdout);
    }
    // TLS 1.2 signs the key exchange, checked through another function.
    offer_at_most_tls_1_2(srv);
    let db = srv.database("tls_v1_tls12");
    let out = run(&db, "sslmode=require", "upgrade");
    assert_eq!(out.code, 0, "TLS 1.2: {}", out.stderr);
    assert_eq!(session(&db), ["true TLSv1.2"]);
    // verify-ca checks the certificate, version 1 or not: against the CA that signed it, it
    // connects; against another, it fails as before.
    let db = srv.database("tls_v1_verify");
    let verify = |root: &Path| format!("sslmode=verify-ca&sslrootcert={}", root.display());
    let out = run(&db, &verify(srv.ca_cert.as_ref().unwrap()), "current");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let other = other_ca();
    let out = run(&db, &verify(other.path()), "current");
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("cannot connect") && out.stderr.contains("certificate verify failed"),
        "an untrusted certificate fails verify-ca with a certificate message: {}",
        out.stderr
    );
}

/// Tells the test's own cluster to offer no TLS above 1.2, and waits until new sessions see it.
fn offer_at_most_tls_1_2(srv: &Server) {
    let admin = || postgres::Client::connect(&srv.admin_url, postgres::NoTls).unwrap();
    admin()
        .batch_execute("ALTER SYSTEM SET ssl_max_protocol_version = 'TLSv1.2'")
        .unwrap();
    admin().batch_execute("SELECT pg_reload_conf()").unwrap();
    let reloaded = (0..100).any(|_| {
        let max: String = admin()
            .query_one("SHOW ssl_max_protocol_version", &[])
            .unwrap()
            .get(0);
        if max != "TLSv1.2" {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        max == "TLSv1.2"
    });
    assert!(reloaded, "the server did not take ssl_max_protocol_version");
}

/// A CA certificate that signed nothing the test servers present.
fn other_ca() -> tempfile::NamedTempFile {
    let other = tempfile::NamedTempFile::new().unwrap();
    let made = StdCommand::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=other", "-keyout", "/dev/null", "-out"])
        .arg(other.path())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    other
}
