//! Bad input never panics or hangs: symlink loops, huge files, many files, unreadable files, closed pipes.

use crate::common::{migrate_in, revision, write_chain, write_tree};
use predicates::prelude::*;

#[test]
fn symlink_loops_do_not_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, 2, 3);
    std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("003_a.sql", dir.join("003_b.sql")).unwrap();
    std::os::unix::fs::symlink("003_b.sql", dir.join("003_a.sql")).unwrap();
    migrate_in(tmp.path())
        .args(["check", "--format", "concise"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "migrations/003_a.sql:1:1: error[malformed-file] cannot read the file",
        ))
        .stdout(predicate::str::contains(
            "migrations/003_b.sql:1:1: error[malformed-file] cannot read the file",
        ));
}

#[test]
fn a_symlinked_migration_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, 1, 3);
    std::fs::write(tmp.path().join("elsewhere.sql"), revision("linked", "001")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("elsewhere.sql"), dir.join("002_linked.sql"))
        .unwrap();
    migrate_in(tmp.path())
        .arg("heads")
        .assert()
        .stdout("002 (head)\n");
}

#[test]
fn a_file_of_several_megabytes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let mut big = revision("big", "none");
    let row = "INSERT INTO t VALUES (1, 'some text to make the file large');\n";
    big.push_str(&row.repeat(8 * 1024 * 1024 / row.len()));
    write_tree(&dir, &[("001_big.sql", &big)]);
    migrate_in(tmp.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "All checks passed: 1 revision (1 head)",
        ));
}

#[test]
fn twenty_thousand_files() {
    let tmp = tempfile::tempdir().unwrap();
    write_chain(&tmp.path().join("migrations"), 20_000, 5);
    migrate_in(tmp.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("20000 revisions (1 head)"));
    migrate_in(tmp.path())
        .arg("heads")
        .assert()
        .stdout("20000 (head)\n");
}

#[test]
fn an_unreadable_file_is_a_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, 1, 3);
    std::fs::create_dir(dir.join("002_dir.sql")).unwrap();
    std::os::unix::fs::symlink("nowhere.sql", dir.join("003_dangling.sql")).unwrap();
    migrate_in(tmp.path())
        .args(["check", "--format", "concise"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "migrations/003_dangling.sql:1:1: error[malformed-file] cannot read the file",
        ));
}

#[test]
fn subdirectories_and_other_files_are_not_migrations() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, 2, 3);
    write_tree(&dir.join("seeds"), &[("001_seed.sql", "not a migration")]);
    write_tree(&dir, &[("README.md", "notes"), ("env.py", "x = 1")]);
    // Read: the two revisions, and nothing else; the subdirectory is named, not read.
    migrate_in(tmp.path())
        .args(["check", "--format", "concise"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("warning[unread-directory]")
                .and(predicate::str::contains("seeds")),
        )
        .stdout(predicate::str::contains("README.md").not())
        .stdout(predicate::str::contains("env.py").not());
    migrate_in(tmp.path())
        .args(["history"])
        .assert()
        .code(0)
        .stdout("001 -> 002 (head), step 2\n<base> -> 001, step 1\n");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    write_chain(&tmp.path().join("migrations"), 5_000, 4);
    let status = std::process::Command::new("bash")
        .current_dir(tmp.path())
        .args([
            "-c",
            "set -o pipefail; \"$0\" history | head -n 1 >/dev/null",
        ])
        .arg(env!("CARGO_BIN_EXE_migrate"))
        .env_remove("MIGRATE_DIR")
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn control_characters_in_a_file_name_are_escaped_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, 1, 3);
    std::fs::write(dir.join("002_x\u{1b}[2J\r.sql"), revision("x", "001")).unwrap();
    for format in ["human", "concise", "github", "json"] {
        let out = migrate_in(tmp.path())
            .args(["check", "--no-references", "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{format}: {stdout}");
        assert!(
            !stdout.contains('\u{1b}'),
            "{format}: raw escape in {stdout:?}"
        );
        assert!(
            !stdout.contains('\r'),
            "{format}: raw carriage return in {stdout:?}"
        );
        assert!(stdout.contains("invalid-filename"), "{format}: {stdout}");
    }
}

#[test]
fn a_closed_pipe_does_not_turn_findings_into_success() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, 3_000, 4);
    // Two thousand badly named files: a failing document far larger than a pipe's buffer.
    for n in 0..2_000 {
        std::fs::write(dir.join(format!("Bad Name {n}.sql")), "").unwrap();
    }
    // `history` succeeds even on a failing tree (with a warning), and its document of three
    // thousand revisions is far larger than a pipe's buffer: a closed pipe keeps its 0.
    let full = std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(tmp.path())
        .env_remove("MIGRATE_DIR")
        .args(["--format", "json", "history"])
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(0));
    assert!(
        full.stdout.len() > 256 * 1024,
        "{} bytes",
        full.stdout.len()
    );
    let status = std::process::Command::new("bash")
        .current_dir(tmp.path())
        .args([
            "-c",
            "\"$0\" --format json history | head -c 10 >/dev/null; exit ${PIPESTATUS[0]}",
        ])
        .arg(env!("CARGO_BIN_EXE_migrate"))
        .env_remove("MIGRATE_DIR")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let status = std::process::Command::new("bash")
        .current_dir(tmp.path())
        .args([
            "-c",
            "\"$0\" --format json check --no-references | head -c 10 >/dev/null; exit ${PIPESTATUS[0]}",
        ])
        .arg(env!("CARGO_BIN_EXE_migrate"))
        .env_remove("MIGRATE_DIR")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "the findings still fail the check");
}

/// `migrate` in `dir` that must end within ten seconds, whatever the files are.
fn bounded_run(dir: &std::path::Path, args: &[&str]) -> crate::common::Run {
    let mut cmd = migrate_in(dir);
    cmd.args(args).timeout(std::time::Duration::from_secs(10));
    let run = crate::common::output(&mut cmd);
    assert_ne!(run.code, -1, "{args:?} did not end: {}", run.stderr);
    run
}

#[cfg(unix)]
#[test]
fn fifos_devices_and_huge_files_are_named_never_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, 1, 3);
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("002_pipe.sql"))
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", dir.join("003_zero.sql")).unwrap();
    let huge = std::fs::File::create(dir.join("004_huge.sql")).unwrap();
    huge.set_len(33 * 1024 * 1024).unwrap();
    let run = bounded_run(
        tmp.path(),
        &["check", "--no-references", "--format", "concise"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for (file, why) in [
        ("002_pipe.sql", "it is a FIFO, not a regular file"),
        ("003_zero.sql", "it is a device, not a regular file"),
        ("004_huge.sql", "it is larger than the limit of 32 MiB"),
    ] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.contains(file) && l.contains(why)),
            "{file}: {}",
            run.stdout
        );
    }
}

#[cfg(unix)]
#[test]
fn a_head_file_or_configuration_linked_to_a_device_is_an_error_not_a_hang() {
    for name in ["migrations/HEAD", "migrate.toml"] {
        let tmp = tempfile::tempdir().unwrap();
        write_chain(&tmp.path().join("migrations"), 1, 3);
        std::os::unix::fs::symlink("/dev/zero", tmp.path().join(name)).unwrap();
        let run = bounded_run(tmp.path(), &["check", "--no-references"]);
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("it is a device, not a regular file"),
            "{name}: {}",
            run.stderr
        );
    }
    // A FIFO among Alembic files does not hang the detection of the format.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    std::fs::create_dir_all(&dir).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("001_a.py"))
        .status()
        .unwrap();
    assert!(made.success());
    let run = bounded_run(tmp.path(), &["check", "--no-references"]);
    assert_eq!(
        run.code, 0,
        "not an Alembic tree: {}{}",
        run.stdout, run.stderr
    );
    let run = bounded_run(
        tmp.path(),
        &["check", "--no-references", "--dir-format", "alembic"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("it is a FIFO"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn no_file_name_can_forge_a_line_in_any_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, 1, 3);
    std::fs::write(
        dir.join("002_x\n::error file=app.py,line=1::forged.sql"),
        revision("x", "001"),
    )
    .unwrap();
    for format in ["human", "concise", "github", "json"] {
        let out = migrate_in(tmp.path())
            .args(["check", "--no-references", "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("invalid-filename"), "{format}: {stdout}");
        assert!(
            !stdout.lines().any(|l| l.starts_with("::error file=app.py")),
            "{format} printed a forged line:\n{stdout}"
        );
    }
}
