//! `check --fix` and `rebase` write only inside the repository, never through a planted link,
//! each file whole or not at all, and `check` names what an interrupted run left behind
//! (issue 23, section 2).

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::common::{revision, run_in, write_tree};

const STALE_B: &str = "-- b\n-- Revision ID: 002\n-- Revises: 009\n-- migrate:revises 001\n\n-- migrate:up\nSELECT 2;\n";

/// `repo/` with two revisions, `002` restating a stale parent, and `outside/victim` beside it.
fn layout(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let repo = tmp.join("repo");
    write_tree(
        &repo.join("migrations"),
        &[
            ("001_a.sql", &revision("a", "none")),
            ("002_b.sql", STALE_B),
        ],
    );
    let outside = tmp.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("victim"), "precious\n").unwrap();
    (repo, outside)
}

fn victim(outside: &Path) -> String {
    std::fs::read_to_string(outside.join("victim")).unwrap()
}

#[test]
fn a_planted_link_at_the_old_temporary_name_is_never_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, outside) = layout(tmp.path());
    let planted = repo.join("migrations/002_b.sql.migrate-rebase");
    symlink(outside.join("victim"), &planted).unwrap();
    let run = run_in(&repo, &["check", "--fix", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        victim(&outside),
        "precious\n",
        "wrote through the planted link"
    );
    let fixed = repo.join("migrations/002_b.sql");
    assert!(
        std::fs::symlink_metadata(&fixed).unwrap().is_file(),
        "002_b.sql must stay a regular file"
    );
    assert!(
        std::fs::read_to_string(&fixed)
            .unwrap()
            .contains("-- Revises: 001\n")
    );
    assert!(std::fs::symlink_metadata(&planted).unwrap().is_symlink());
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
}

#[test]
fn a_migration_that_links_outside_the_repository_is_refused_not_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, outside) = layout(tmp.path());
    std::fs::write(outside.join("victim"), STALE_B).unwrap();
    let link = repo.join("migrations/002_b.sql");
    std::fs::remove_file(&link).unwrap();
    symlink(outside.join("victim"), &link).unwrap();
    let run = run_in(&repo, &["check", "--fix", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("error[write-outside-repository] refusing to write `migrations/002_b.sql`: it is a link to")
            && run.stderr.contains("outside the repository"),
        "{}",
        run.stderr
    );
    assert_eq!(victim(&outside), STALE_B, "the file outside was rewritten");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
}

#[test]
fn a_link_inside_the_repository_is_written_through_and_stays_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = layout(tmp.path());
    std::fs::create_dir_all(repo.join("shared")).unwrap();
    std::fs::rename(
        repo.join("migrations/002_b.sql"),
        repo.join("shared/002_b.sql"),
    )
    .unwrap();
    symlink("../shared/002_b.sql", repo.join("migrations/002_b.sql")).unwrap();
    let run = run_in(&repo, &["check", "--fix", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        std::fs::symlink_metadata(repo.join("migrations/002_b.sql"))
            .unwrap()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(repo.join("shared/002_b.sql"))
            .unwrap()
            .contains("-- Revises: 001\n")
    );
}

#[test]
fn an_alembic_script_location_outside_the_repository_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let versions = tmp.path().join("outside/alembic/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(
        repo.join("alembic.ini"),
        "[alembic]\nscript_location = ../outside/alembic\n",
    )
    .unwrap();
    let stale = crate::common::alembic::revision_file("002", &["001"], "b")
        .replace("Revises: 001", "Revises: 009");
    std::fs::write(
        versions.join("001_a.py"),
        crate::common::alembic::revision_file("001", &[], "a"),
    )
    .unwrap();
    std::fs::write(versions.join("002_b.py"), &stale).unwrap();
    let run = run_in(&repo, &["check", "--fix", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("error[write-outside-repository]")
            && run.stderr.contains("outside the repository"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(versions.join("002_b.py")).unwrap(),
        stale
    );
}

#[test]
fn rebase_never_writes_through_a_planted_link_at_the_new_name() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    write_tree(
        &repo.join("migrations"),
        &[
            ("001_a.sql", &revision("a", "none")),
            ("002_b.sql", &revision("b", "001")),
            ("002_c.sql", &revision("c", "001")),
        ],
    );
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("victim"), "precious\n").unwrap();
    for planted in ["003_c.sql.migrate-rebase", "002_c.sql.migrate-rebase"] {
        symlink(
            outside.join("victim"),
            repo.join("migrations").join(planted),
        )
        .unwrap();
    }
    let run = run_in(&repo, &["rebase", "002_c", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        victim(&outside),
        "precious\n",
        "wrote through the planted link"
    );
    let moved = repo.join("migrations/003_c.sql");
    assert!(std::fs::symlink_metadata(&moved).unwrap().is_file());
    assert!(
        std::fs::read_to_string(&moved)
            .unwrap()
            .contains("-- migrate:revises 002\n")
    );
    let strays: Vec<String> = std::fs::read_dir(repo.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".migrate-tmp"))
        .collect();
    assert!(strays.is_empty(), "temporary files left: {strays:?}");
}

#[test]
fn check_names_the_temporary_files_an_interrupted_repair_left() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = layout(tmp.path());
    std::fs::create_dir_all(repo.join("docs")).unwrap();
    std::fs::write(repo.join("docs/d0000.md.migrate-rebase"), "old\n").unwrap();
    std::fs::write(repo.join("docs/deploy.md.Ab3x9Q.migrate-tmp"), "half\n").unwrap();
    let run = run_in(&repo, &["check", "--format", "concise"]);
    for path in [
        "docs/d0000.md.migrate-rebase",
        "docs/deploy.md.Ab3x9Q.migrate-tmp",
    ] {
        assert!(
            run.stdout.contains(&format!(
                "{path}:1:1: warning[leftover-temporary-file] `{path}` is a temporary file"
            )),
            "{path}:\n{}",
            run.stdout
        );
    }
}

/// `check --fix` killed at moments spread over its run: every file is whole (old text or new),
/// nothing outside the repository changes, and whatever temporary file is left is named.
#[test]
fn a_fix_killed_at_any_moment_leaves_every_file_whole_and_names_its_leftovers() {
    use std::process::{Command, Stdio};
    let old = "see 002_c.sql for the role\n".repeat(200);
    let new = "see 003_c.sql for the role\n".repeat(200);
    for moment in 0..8u64 {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        write_tree(
            &repo.join("migrations"),
            &[
                ("001_a.sql", &revision("a", "none")),
                ("003_c.sql", &revision("c", "001")),
            ],
        );
        std::fs::create_dir_all(repo.join("docs")).unwrap();
        for i in 0..400 {
            std::fs::write(repo.join(format!("docs/d{i:04}.md")), &old).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_migrate"))
            .current_dir(&repo)
            .args(["check", "--fix", "--format", "concise"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(moment * 15));
        let _ = child.kill();
        let _ = child.wait();
        let mut leftovers = Vec::new();
        for entry in std::fs::read_dir(repo.join("docs")).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(entry.path()).unwrap();
            if name.ends_with(".migrate-tmp") {
                leftovers.push(format!("docs/{name}"));
            } else {
                assert!(
                    text == old || text == new,
                    "moment {moment}: {name} is half written"
                );
            }
        }
        let run = run_in(&repo, &["check", "--format", "concise"]);
        for leftover in &leftovers {
            assert!(
                run.stdout
                    .contains(&format!("{leftover}:1:1: warning[leftover-temporary-file]")),
                "moment {moment}: {leftover} is not named:\n{}",
                run.stdout
            );
        }
    }
}
