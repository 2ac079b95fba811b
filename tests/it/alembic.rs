//! Alembic projects, offline: finding the versions directory, reading revision files without
//! Python, the findings Alembic misses, and `rebase` fixing the incident on an Alembic tree.
#![allow(clippy::too_many_lines)]

use crate::common::alembic;
use std::path::Path;

use crate::common::alembic::{project, revision_file};
use crate::common::{commit_all, git, git_init, migrate_in, output, rules, run_in, write_tree};

fn write(dir: &Path, files: &[(&str, String)]) {
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    write_tree(dir, &borrowed);
}

#[test]
fn a_duplicate_id_is_an_error_naming_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let versions = project(dir.path());
    write(
        &versions,
        &[
            ("039_team.py", revision_file("039", &[], "team")),
            (
                "040_add_role.py",
                revision_file("040", &["039"], "add role"),
            ),
            (
                "040_create_team.py",
                revision_file("040", &["039"], "create team"),
            ),
        ],
    );
    let run = run_in(dir.path(), &["check", "--no-references"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(rules(&run), ["duplicate-revision", "multiple-heads"]);
    assert!(
        run.stdout.contains(
            "revision `040` is defined by 2 files: `040_add_role.py`, `040_create_team.py`"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Alembic would silently drop one"));
}

#[test]
fn stale_docstrings_misnamed_files_and_unreadable_values_are_found_on_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let versions = project(dir.path());
    let stale = revision_file("002", &["001"], "second").replace("Revises: 001", "Revises: 000");
    let unreadable = revision_file("005", &["003"], "fifth").replace(
        "down_revision: Union[str, Sequence[str], None] = '003'",
        "down_revision: Union[str, Sequence[str], None] = PREVIOUS",
    );
    write(
        &versions,
        &[
            ("001_first.py", revision_file("001", &[], "first")),
            ("002_second.py", stale),
            ("004_third.py", revision_file("003", &["002"], "third")),
            ("005_fifth.py", unreadable),
            ("__init__.py", String::new()),
        ],
    );
    let run = output(migrate_in(dir.path()).args(["check", "--no-references", "--format", "json"]));
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(String, String, String, u64, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["family"].as_str().unwrap().to_owned(),
                d["path"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let expect = |name: &str, family: &str, path: &str, line: u64, column: u64| {
        (
            name.to_owned(),
            family.to_owned(),
            format!("alembic/versions/{path}"),
            line,
            column,
        )
    };
    assert_eq!(
        found,
        [
            expect("stale-docstring", "stale-reference", "002_second.py", 4, 10),
            expect(
                "filename-mismatch",
                "filename-mismatch",
                "004_third.py",
                15,
                17
            ),
            expect(
                "unreadable-revision",
                "unreadable-revision",
                "005_fifth.py",
                16,
                1
            ),
        ],
        "{}",
        run.stdout
    );
    let messages = json["diagnostics"].to_string();
    assert!(messages.contains("the docstring says `Revises: 000`, but `down_revision` is `001`"));
    assert!(messages.contains("`004_third.py` is named `004`, but its `revision` is `003`"));
}

#[test]
fn a_missing_parent_or_dependency_is_dangling_where_alembic_raises_a_key_error() {
    let dir = tempfile::tempdir().unwrap();
    let versions = project(dir.path());
    write(
        &versions,
        &[
            ("001_a.py", revision_file("001", &[], "a")),
            ("002_b.py", revision_file("002", &["099"], "b")),
            (
                "003_c.py",
                alembic::revision_with("003", &["001"], &["777"], "c"),
            ),
        ],
    );
    let run = run_in(dir.path(), &["check", "--no-references"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("`002` revises `099`, which does not exist")
    );
    assert!(
        run.stdout
            .contains("`003` depends on `777`, which does not exist")
    );
}

#[test]
fn numbering_rules_apply_only_where_file_names_carry_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let numbered = project(&dir.path().join("numbered"));
    write(
        &numbered,
        &[
            ("001_a.py", revision_file("001", &[], "a")),
            ("002_b.py", revision_file("002", &["001"], "b")),
            ("003_c.py", revision_file("003", &["001"], "c")),
        ],
    );
    let run = run_in(&dir.path().join("numbered"), &["check", "--no-references"]);
    assert_eq!(rules(&run), ["multiple-heads", "stale-parent"]);

    // The same shape with hex ids: the branch is real, but there is no order to call stale.
    let hex = project(&dir.path().join("hex"));
    write(
        &hex,
        &[
            ("ae1027a6acf_a.py", revision_file("ae1027a6acf", &[], "a")),
            (
                "1975ea83b712_b.py",
                revision_file("1975ea83b712", &["ae1027a6acf"], "b"),
            ),
            (
                "27c6a30d7c24_c.py",
                revision_file("27c6a30d7c24", &["ae1027a6acf"], "c"),
            ),
            (
                "3c1a5e7f9b2d_merge.py",
                revision_file("3c1a5e7f9b2d", &["1975ea83b712", "27c6a30d7c24"], "merge"),
            ),
        ],
    );
    let run = run_in(&dir.path().join("hex"), &["check", "--no-references"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let heads = run_in(&dir.path().join("hex"), &["heads"]);
    assert_eq!(heads.stdout, "3c1a5e7f9b2d (head)\n");
    // Alembic accepts a unique prefix of an id, and so does `show`.
    let show = run_in(&dir.path().join("hex"), &["show", "1975"]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert!(show.stdout.contains("Rev: 1975ea83b712"), "{}", show.stdout);
}

#[test]
fn the_versions_directory_is_found_from_alembic_ini_pyproject_and_flask_migrate() {
    let tree = [
        ("001_a.py", revision_file("001", &[], "a")),
        ("002_b.py", revision_file("002", &["001"], "b")),
    ];
    let check = |dir: &Path| {
        let run = run_in(dir, &["check", "--no-references"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("2 revisions (1 head)"),
            "{}",
            run.stdout
        );
    };

    let ini = tempfile::tempdir().unwrap();
    std::fs::write(
        ini.path().join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/db\nversion_locations = %(here)s/db/revisions\n",
    )
    .unwrap();
    write(&ini.path().join("db/revisions"), &tree);
    check(ini.path());

    let pyproject = tempfile::tempdir().unwrap();
    std::fs::write(
        pyproject.path().join("pyproject.toml"),
        "[project]\nname = \"app\"\n\n[tool.alembic]\nscript_location = \"%(here)s/alembic\"\n",
    )
    .unwrap();
    write(&pyproject.path().join("alembic/versions"), &tree);
    check(pyproject.path());

    let flask = tempfile::tempdir().unwrap();
    write(
        &flask.path().join("migrations"),
        &[("env.py", "import logging\n".to_owned())],
    );
    write(&flask.path().join("migrations/versions"), &tree);
    check(flask.path());

    // Told, not detected: a flag, or the configuration file.
    let told = tempfile::tempdir().unwrap();
    write(&told.path().join("revs"), &tree);
    let run = run_in(
        told.path(),
        &["--dir", "revs", "--dir-format", "alembic", "heads"],
    );
    assert_eq!(run.stdout, "002 (head)\n", "{}", run.stderr);
    std::fs::write(
        told.path().join("migrate.toml"),
        "dir = \"revs\"\ndir_format = \"alembic\"\n",
    )
    .unwrap();
    check(told.path());
    // Without being told, a directory of Python files that assign `revision` is detected.
    std::fs::write(told.path().join("migrate.toml"), "dir = \"revs\"\n").unwrap();
    check(told.path());
}

#[test]
fn the_configuration_file_names_the_format_as_dir_format_or_format() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("revs"),
        &[
            ("001_a.py", revision_file("001", &[], "a")),
            ("002_b.py", revision_file("002", &["001"], "b")),
            // One `.sql` file makes detection read the directory as `.sql` migrations.
            (
                "001_seed.sql",
                "-- migrate:revises none\n-- migrate:up\nselect 1;\n".to_owned(),
            ),
        ],
    );
    let heads = |config: &str| {
        std::fs::write(dir.path().join("migrate.toml"), config).unwrap();
        let run = run_in(dir.path(), &["heads"]);
        (run.stdout, run.stderr)
    };
    let (detected, _) = heads("dir = \"revs\"\n");
    assert_eq!(detected, "001 (head)\n");
    for key in ["dir_format", "format"] {
        let (told, stderr) = heads(&format!("dir = \"revs\"\n{key} = \"alembic\"\n"));
        assert_eq!(told, "002 (head)\n", "{key}: {stderr}");
    }
}

#[test]
fn a_python_file_that_is_not_a_revision_is_reported_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let versions = project(dir.path());
    write(
        &versions,
        &[
            ("001_a.py", revision_file("001", &[], "a")),
            ("helpers.py", "def helper():\n    return 1\n".to_owned()),
        ],
    );
    let run = run_in(dir.path(), &["check", "--no-references"]);
    assert_eq!(run.code, 1);
    assert_eq!(rules(&run), ["malformed-file"]);
    assert!(run.stdout.contains("helpers.py"), "{}", run.stdout);
}

#[test]
fn write_commands_refuse_to_run_python_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let versions = project(dir.path());
    write(&versions, &[("001_a.py", revision_file("001", &[], "a"))]);
    for args in [
        &["upgrade"][..],
        &["downgrade", "base"],
        &["stamp", "head"],
        &["upgrade", "--sql"],
    ] {
        let run = output(
            migrate_in(dir.path())
                .env("MIGRATE_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
                .args(args),
        );
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("migrate does not execute Python migrations"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// The seed's incident on an Alembic project: two branches each add `040`; `check --base`
/// catches it before the merge, a hand renumber leaves the docstring and a test stale, and
/// `rebase` fixes everything in one run.
#[test]
fn the_incident_on_an_alembic_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git_init(root);
    let versions = project(root);
    write(
        &versions,
        &[
            ("038_base.py", revision_file("038", &[], "base")),
            ("039_team.py", revision_file("039", &["038"], "team")),
        ],
    );
    commit_all(root, "base");
    git(root, &["checkout", "-q", "-b", "feature"]);
    let role = "040_add_westside_streamlit_ro_role.py";
    write(
        &versions,
        &[(
            role,
            revision_file("040", &["039"], "add westside streamlit ro role"),
        )],
    );
    write(
        &root.join("tests"),
        &[(
            "test_role.py",
            format!(
                "def test_migration_file_exists():\n    assert exists(\"alembic/versions/{role}\")\n"
            ),
        )],
    );
    commit_all(root, "feature");
    git(root, &["checkout", "-q", "main"]);
    write(
        &versions,
        &[(
            "040_create_16u_local_queens_team.py",
            revision_file("040", &["039"], "create 16u local queens team"),
        )],
    );
    commit_all(root, "main");
    git(root, &["checkout", "-q", "feature"]);

    let before = run_in(root, &["check", "--base", "main"]);
    assert_eq!(before.code, 1);
    assert!(
        rules(&before).contains(&"behind-base".to_owned()),
        "{}",
        before.stdout
    );

    // A renumber by hand that forgets the docstring and the test.
    git(root, &["checkout", "-q", "-b", "by-hand"]);
    let renamed = "041_add_westside_streamlit_ro_role.py";
    git(
        root,
        &[
            "mv",
            &format!("alembic/versions/{role}"),
            &format!("alembic/versions/{renamed}"),
        ],
    );
    let text = std::fs::read_to_string(versions.join(renamed)).unwrap();
    std::fs::write(
        versions.join(renamed),
        text.replace("revision: str = '040'", "revision: str = '041'")
            .replace("None] = '039'", "None] = '040'"),
    )
    .unwrap();
    commit_all(root, "renumber by hand");
    git(root, &["merge", "-q", "main", "-m", "merge"]);
    let half = run_in(root, &["check"]);
    assert_eq!(half.code, 1);
    assert_eq!(
        rules(&half),
        ["stale-docstring", "stale-docstring", "stale-reference"],
        "{}",
        half.stdout
    );
    assert!(
        half.stdout
            .contains(&format!("alembic/versions/{renamed}:3:14")),
        "{}",
        half.stdout
    );
    assert!(
        half.stdout.contains("tests/test_role.py:2:37"),
        "{}",
        half.stdout
    );

    // The merge as it happens without the hand renumber: `rebase` does the whole renumber.
    git(root, &["checkout", "-q", "feature"]);
    git(root, &["merge", "-q", "main", "-m", "merge"]);
    let merged = run_in(root, &["check", "--no-references"]);
    assert_eq!(rules(&merged), ["duplicate-revision", "multiple-heads"]);
    let fixed = run_in(root, &["rebase", role]);
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    let after = std::fs::read_to_string(versions.join(renamed)).unwrap();
    assert!(
        after.contains("Revision ID: 041\nRevises: 040\n"),
        "{after}"
    );
    assert!(after.contains("revision: str = '041'\n"));
    assert!(after.contains("down_revision: Union[str, Sequence[str], None] = '040'\n"));
    assert!(!versions.join(role).exists());
    let test_file = std::fs::read_to_string(root.join("tests/test_role.py")).unwrap();
    assert!(test_file.contains(renamed), "{test_file}");
    let clean = run_in(root, &["check"]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);

    // And Alembic agrees: one head, the chain 038..041.
    assert_eq!(alembic::says(root, &["heads"]), "041 (head)\n");
}

#[test]
fn a_stale_name_inside_a_revision_file_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let versions = project(dir.path());
    let second = revision_file("002", &["001"], "b").replace(
        "def upgrade() -> None:\n",
        "def upgrade() -> None:\n    # builds on 005_create_accounts.py\n",
    );
    write(
        &versions,
        &[
            ("001_create_accounts.py", revision_file("001", &[], "a")),
            ("002_b.py", second),
        ],
    );
    let run = run_in(dir.path(), &["check"]);
    assert_eq!(rules(&run), ["stale-reference"], "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "`005_create_accounts.py` names a migration that is now `001_create_accounts.py`"
        ),
        "{}",
        run.stdout
    );
}

/// Two projects joined into one history: two bases, a merge that joins them, one head. Alembic
/// upgrades it; `check` passes it. Roots that no merge joins are still `multiple-roots`.
#[test]
fn two_bases_a_merge_joins_are_one_history() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let versions = crate::common::alembic::project(dir);
    let file = crate::common::alembic::revision_file;
    std::fs::write(versions.join("a1_first.py"), file("a1", &[], "first")).unwrap();
    std::fs::write(
        versions.join("b1_other.py"),
        file("b1", &[], "other project"),
    )
    .unwrap();
    std::fs::write(versions.join("a2_more.py"), file("a2", &["a1"], "more")).unwrap();
    std::fs::write(
        versions.join("m1_join.py"),
        file("m1", &["a2", "b1"], "join the projects"),
    )
    .unwrap();
    assert_eq!(
        crate::common::alembic::says(dir, &["heads"]),
        "m1 (head)\n",
        "alembic reads one history"
    );
    let run = crate::common::run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Without the merge, the two stay apart.
    std::fs::remove_file(versions.join("m1_join.py")).unwrap();
    let run = crate::common::run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("error[multiple-roots]"),
        "{}",
        run.stdout
    );
}
