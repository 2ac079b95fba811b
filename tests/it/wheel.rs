//! The wheel (`scripts/wheel`), as a Python team without Rust gets it: installed by pip from
//! `target/wheels` alone into a fresh virtual environment, on a `PATH` with no cargo and no C
//! compiler. It is manylinux2014, links no libssl or libcrypto, passes `check` on the example,
//! and verifies TLS with the OpenSSL compiled into it as libpq does.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::wheel::{bare_path, built_wheel, installed_from_wheel};
use crate::common::{root, write_tree};

/// The `migrate` the wheel installs, once per run, in `target/wheel-test`.
fn wheel_migrate() -> &'static PathBuf {
    static MIGRATE: OnceLock<PathBuf> = OnceLock::new();
    MIGRATE.get_or_init(|| {
        let dir = root().join("target/wheel-test");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        let path = bare_path(&dir);
        installed_from_wheel(&dir, &path)
    })
}

fn run(program: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", "/nonexistent")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_wheel_is_manylinux2014_and_holds_the_binary_alone() {
    let wheel = built_wheel();
    let name = wheel.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.contains("manylinux_2_17_x86_64"), "{name}");
    // auditwheel agrees with the tag: the binary needs nothing newer than glibc 2.17 and no
    // library outside the manylinux set.
    let auditwheel = root().join("target/build-venv/bin/auditwheel");
    let shown = Command::new(&auditwheel)
        .arg("show")
        .arg(&wheel)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} does not run ({e}): run scripts/wheel",
                auditwheel.display()
            )
        });
    let shown = String::from_utf8_lossy(&shown.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        shown.contains("platform tag: \"manylinux_2_17_x86_64\""),
        "{shown}"
    );
    // The files it installs: the binary, and pip's metadata.
    let listing = Command::new(crate::common::wheel::real_python())
        .args([
            "-c",
            "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))",
        ])
        .arg(&wheel)
        .output()
        .unwrap();
    let version = env!("CARGO_PKG_VERSION");
    for entry in String::from_utf8(listing.stdout).unwrap().lines() {
        assert!(
            entry == format!("migrate_pg-{version}.data/scripts/migrate")
                || entry.starts_with(&format!("migrate_pg-{version}.dist-info/")),
            "the wheel holds {entry}"
        );
    }
}

#[test]
fn pip_installs_a_migrate_that_needs_no_libssl_and_checks_the_example() {
    let migrate = wheel_migrate();
    let (code, said) = run(migrate, &root(), &["--version"], &[]);
    assert_eq!(
        (code, said.as_str()),
        (
            0,
            format!("migrate {}\n", env!("CARGO_PKG_VERSION")).as_str()
        )
    );
    let ldd = Command::new("ldd").arg(migrate).output().unwrap();
    let libraries = String::from_utf8_lossy(&ldd.stdout);
    assert!(ldd.status.success(), "{libraries}");
    for forbidden in ["libssl", "libcrypto"] {
        assert!(
            !libraries.contains(forbidden),
            "ldd shows {forbidden}:\n{libraries}"
        );
    }
    let app = tempfile::tempdir().unwrap();
    let migrations = app.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    for entry in std::fs::read_dir(root().join("migrations")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), migrations.join(entry.file_name())).unwrap();
    }
    let (code, said) = run(migrate, app.path(), &["check"], &[]);
    assert_eq!(code, 0, "{said}");
    assert!(said.starts_with("All checks passed: 7 revisions"), "{said}");
    write_tree(
        &migrations,
        &[("002_again.sql", &crate::common::revision("again", "001"))],
    );
    let (code, said) = run(migrate, app.path(), &["check"], &[]);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("error[duplicate-revision]"), "{said}");
}

/// The wheel's OpenSSL is compiled in, not the system's: `verify-full` still checks the CA and
/// the host name (the subjectAltName, or the CN of a certificate without one, as libpq does),
/// `verify-ca` the chain only, and `sslrootcert=system` finds the machine's trusted roots
/// (OpenSSL's `SSL_CERT_FILE` here, since the test's CA is in no system bundle).
#[test]
fn the_wheel_verifies_tls_as_libpq_does() {
    let migrate = wheel_migrate();
    let srv = crate::common::server::own_server();
    let db = srv.database("wheel_tls");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[("001_a.sql", &crate::common::revision("a", "none"))],
    );
    let ca = srv.ca_cert.as_ref().unwrap().display().to_string();
    let url = |port: u16, host: &str, mode: &str, root_cert: &str| {
        format!(
            "postgresql://postgres@{host}:{port}/{}?sslmode={mode}&sslrootcert={root_cert}",
            db.name
        )
    };
    let current = |url: String, env: &[(&str, &str)]| {
        let mut all = vec![("MIGRATE_DIR", ".")];
        all.extend_from_slice(env);
        run(
            migrate,
            dir.path(),
            &["current", "--database-url", &url],
            &all,
        )
    };
    let (code, said) = current(url(srv.port, "localhost", "verify-full", &ca), &[]);
    assert_eq!(code, 0, "{said}");
    let (code, said) = current(url(srv.port, "127.0.0.1", "verify-full", &ca), &[]);
    assert_eq!(code, 2, "127.0.0.1 is not the certificate's name: {said}");
    let (code, said) = current(url(srv.port, "127.0.0.1", "verify-ca", &ca), &[]);
    assert_eq!(code, 0, "{said}");
    let (code, said) = current(url(srv.port, "localhost", "verify-full", "system"), &[]);
    assert_eq!(code, 2, "the test's CA is no system root: {said}");
    assert!(said.contains("certificate verify failed"), "{said}");
    let (code, said) = current(
        url(srv.port, "localhost", "verify-full", "system"),
        &[("SSL_CERT_FILE", &ca)],
    );
    assert_eq!(code, 0, "SSL_CERT_FILE names the roots: {said}");
    // A version 1 certificate names its host in the CN alone.
    let v1 = crate::common::server::version_1_server();
    let v1_ca = v1.ca_cert.as_ref().unwrap().display().to_string();
    let v1_db = v1.database("wheel_tls_cn");
    let cn_url = |host: &str| {
        format!(
            "postgresql://postgres@{host}:{}/{}?sslmode=verify-full&sslrootcert={v1_ca}",
            v1.port, v1_db.name
        )
    };
    let (code, said) = current(cn_url("localhost"), &[]);
    assert_eq!(code, 0, "the CN names localhost: {said}");
    let (code, said) = current(cn_url("127.0.0.1"), &[]);
    assert_eq!(code, 2, "{said}");
}
