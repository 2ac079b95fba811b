//! The stale-reference scan of `check`: what it reads, what it skips, and what it flags.

use std::path::Path;

use crate::common::{commit_all, git_init, revision, run_in, write_tree};

/// Two revisions, `001_create_user` and `002_add_role`, with files around them.
fn project(dir: &Path, files: &[(&str, &[u8])]) {
    write_tree(
        &dir.join("migrations"),
        &[
            ("001_create_user.sql", &revision("create user", "none")),
            ("002_add_role.sql", &revision("add role", "001")),
        ],
    );
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

const STALE: &[u8] = b"see 001_add_role.sql\n";

#[test]
fn flags_a_stale_name_with_its_place_and_the_current_name() {
    let tmp = tempfile::tempdir().unwrap();
    project(
        tmp.path(),
        &[(
            "docs/notes.md",
            b"# Notes\n\nRun `001_add_role.sql` \xc3\xa9 then.\n",
        )],
    );
    let run = run_in(tmp.path(), &["check", "--color", "never"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "error[stale-reference]: `001_add_role.sql` names a migration that is now `002_add_role.sql`\n --> docs/notes.md:3:6\n  |\n3 | Run `001_add_role.sql` \u{e9} then.\n  |      ^^^^^^^^^^^^^^^^\n  = help: write `002_add_role.sql` (`migrate rebase` rewrites every stale reference)\n\nFound 1 error in 2 revisions (1 head)\n"
    );
    let run = run_in(tmp.path(), &["check", "--no-references"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn skips_what_is_not_hand_written_text() {
    let tmp = tempfile::tempdir().unwrap();
    let large = [STALE, &vec![b'x'; 1024 * 1024][..]].concat();
    project(
        tmp.path(),
        &[
            ("target/debug/notes.txt", STALE),
            ("node_modules/pkg/index.js", STALE),
            (".venv/lib/site.py", STALE),
            ("py/pyvenv.cfg", b"home = /usr/bin\n"),
            ("py/lib/site.py", STALE),
            ("assets/logo.png", b"\x89PNG\x00 001_add_role.sql"),
            ("dump.sql", &large),
            ("vendor/old/notes.md", STALE),
            ("CHANGELOG.md", STALE),
            (
                "migrate.toml",
                b"exclude = [\"vendor/old\", \"CHANGELOG.md\"]\n",
            ),
            // The positive control: the same reference in a file the scan reads.
            ("docs/deploy.md", STALE),
        ],
    );
    let run = run_in(tmp.path(), &["check", "--format", "concise"]);
    assert_eq!(
        run.stdout,
        "docs/deploy.md:1:5: error[stale-reference] `001_add_role.sql` names a migration that is now `002_add_role.sql`\n",
        "only the file the scan reads is flagged"
    );
}

#[test]
fn judges_only_slugs_that_name_one_revision() {
    let tmp = tempfile::tempdir().unwrap();
    project(
        tmp.path(),
        &[(
            "notes.txt",
            b"2_add_role and 002_add_role.py are current; 003_add_roles, test_001_add_role,\n009_drop_table and v001_add_role are not references; 001_add_role is one\n",
        )],
    );
    let run = run_in(tmp.path(), &["check", "--format", "concise"]);
    // The positive control on the same line: the one real stale name is flagged, alone.
    assert_eq!(
        run.stdout,
        "notes.txt:2:54: error[stale-reference] `001_add_role` names a migration that is now `002_add_role.sql`\n"
    );
}

#[test]
fn scans_from_the_git_top_level_and_shows_paths_from_where_it_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path();
    git_init(top);
    let service = top.join("service");
    project(&service, &[]);
    write_tree(
        &top.join("docs"),
        &[("deploy.md", "apply 001_add_role first\n")],
    );
    commit_all(top, "init");
    let run = run_in(&service, &["check", "--format", "concise"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "../docs/deploy.md:1:7: error[stale-reference] `001_add_role` names a migration that is now `002_add_role.sql`\n"
    );
}

#[test]
fn prose_in_a_migration_that_restates_its_revision_must_agree() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path(), &[]);
    let path = tmp.path().join("migrations/002_add_role.sql");
    std::fs::write(
        &path,
        "-- add role\n-- Revision ID: 002\n-- Revises: 003\n-- migrate:revises 001\n\n-- migrate:up\nSELECT 'Revises: 9';\n",
    )
    .unwrap();
    let run = run_in(tmp.path(), &["check", "--format", "concise"]);
    assert_eq!(
        run.stdout,
        "migrations/002_add_role.sql:3:4: error[stale-reference] `Revises: 003` disagrees: `-- migrate:revises` says `001`\n"
    );
}

/// Several trees share one read of the repository: each finds its own stale names in a file
/// that names both, once; a leftover temporary file is named once, not once per tree; and
/// `--fix` rewrites the file for the second tree from what the first wrote, keeping both fixes.
#[test]
fn several_trees_share_one_read_and_fix_one_file_in_turn() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_trees(dir);
    write_tree(
        &dir.join("docs"),
        &[
            ("notes.md", "run 001_add_role.sql, then 001_add_price.sql\n"),
            ("notes.md.migrate-tmp", "left by a killed run\n"),
        ],
    );
    let run = run_in(dir, &["check", "--format", "concise", "--color", "never"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let findings: Vec<&str> = run.stdout.lines().filter(|l| l.contains('[')).collect();
    assert_eq!(
        findings,
        [
            "docs/notes.md:1:5: error[stale-reference] `001_add_role.sql` names a migration that is now `002_add_role.sql`",
            "docs/notes.md:1:28: error[stale-reference] `001_add_price.sql` names a migration that is now `002_add_price.sql`",
            "docs/notes.md.migrate-tmp:1:1: warning[leftover-temporary-file] `docs/notes.md.migrate-tmp` is a temporary file that an interrupted `migrate rebase` or `check --fix` left behind",
        ],
        "{}",
        run.stdout
    );
    std::fs::remove_file(dir.join("docs/notes.md.migrate-tmp")).unwrap();
    let run = run_in(dir, &["check", "--fix", "--color", "never"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("docs/notes.md")).unwrap(),
        "run 002_add_role.sql, then 002_add_price.sql\n"
    );
}

/// Two trees for the repair tests: `users` (`002_add_role`) and `shop` (`002_add_price`).
fn two_trees(dir: &Path) {
    git_init(dir);
    write_tree(
        &dir.join("services/users/migrations"),
        &[
            ("001_create_user.sql", &revision("create user", "none")),
            ("002_add_role.sql", &revision("add role", "001")),
        ],
    );
    write_tree(
        &dir.join("services/shop/migrations"),
        &[
            ("001_create_shop.sql", &revision("create shop", "none")),
            ("002_add_price.sql", &revision("add price", "001")),
        ],
    );
}

/// Files whose names are not UTF-8 and print alike stay two files under `--fix`; a file whose
/// text is not UTF-8 is left byte for byte, with a warning, not rewritten with its bytes lost.
#[test]
fn fix_keeps_files_apart_by_their_real_names_and_leaves_non_utf8_text_alone() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_trees(dir);
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    let first = dir
        .join("docs")
        .join(std::ffi::OsStr::from_bytes(b"\xff.md"));
    let second = dir
        .join("docs")
        .join(std::ffi::OsStr::from_bytes(b"\xfe.md"));
    std::fs::write(&first, "first 001_add_role.sql 001_add_price.sql\n").unwrap();
    std::fs::write(&second, "second 001_add_role.sql 001_add_price.sql\n").unwrap();
    let latin1 = dir.join("docs/latin1.txt");
    std::fs::write(&latin1, b"caf\xe9 see 001_add_role.sql\n").unwrap();
    let run = run_in(dir, &["check", "--fix", "--color", "never"]);
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        "first 002_add_role.sql 002_add_price.sql\n"
    );
    assert_eq!(
        std::fs::read_to_string(&second).unwrap(),
        "second 002_add_role.sql 002_add_price.sql\n"
    );
    assert_eq!(
        std::fs::read(&latin1).unwrap(),
        b"caf\xe9 see 001_add_role.sql\n"
    );
    assert!(
        run.stderr
            .contains("`docs/latin1.txt` is not UTF-8, so `--fix` leaves its stale references"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.code, 1,
        "the latin-1 file's reference is still reported: {}",
        run.stdout
    );
}

/// `--fix --dry-run` prints the diffs the real `--fix` would write: applied in order with
/// `git apply`, they give the same files, both trees' repairs of one file included.
#[test]
fn a_dry_run_prints_diffs_that_apply_to_what_fix_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_trees(dir);
    write_tree(
        &dir.join("docs"),
        &[(
            "notes.md",
            "run 001_add_role.sql,\nthen 001_add_price.sql\n",
        )],
    );
    crate::common::commit_all(dir, "start");
    let run = run_in(dir, &["check", "--fix", "--dry-run", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let patch: String = document["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["diff"].as_str().unwrap().to_owned())
        .collect();
    std::fs::write(dir.join("dry.patch"), &patch).unwrap();
    crate::common::git(dir, &["apply", "dry.patch"]);
    std::fs::remove_file(dir.join("dry.patch")).unwrap();
    let applied = std::fs::read_to_string(dir.join("docs/notes.md")).unwrap();
    crate::common::git(dir, &["checkout", "--", "."]);
    let run = run_in(dir, &["check", "--fix"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        applied,
        std::fs::read_to_string(dir.join("docs/notes.md")).unwrap()
    );
    assert_eq!(applied, "run 002_add_role.sql,\nthen 002_add_price.sql\n");
}

/// Two trees with revisions of the same slug (`002_add_role` here, `003_add_role` there): each
/// tree's head file and each tree's docs naming its own revision are current, not stale, and
/// `--fix` leaves the other tree's migrations alone.
#[test]
fn a_slug_in_two_trees_is_not_stale_in_either() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git_init(dir);
    write_tree(
        &dir.join("services/a/migrations"),
        &[
            ("001_create_user.sql", &revision("create user", "none")),
            ("002_add_role.sql", &revision("add role", "001")),
            ("HEAD", "002 002_add_role.sql\n"),
        ],
    );
    write_tree(
        &dir.join("services/b/migrations"),
        &[
            ("001_create_shop.sql", &revision("create shop", "none")),
            ("002_add_price.sql", &revision("add price", "001")),
            ("003_add_role.sql", &revision("add role", "002")),
            ("HEAD", "003 003_add_role.sql\n"),
        ],
    );
    write_tree(
        &dir.join("services/b"),
        &[("README.md", "the last one is 003_add_role.sql\n")],
    );
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = run_in(dir, &["check", "--fix"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("rewrote"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(dir.join("services/a/migrations/HEAD")).unwrap(),
        "002 002_add_role.sql\n"
    );
}
