//! Finding the trees of a repository without being told: a monorepo's three services, an
//! `env.py` beside `versions/`, Flask-Migrate, a package-relative `script_location`, two trees
//! under one `versions/`, revisions in subdirectories, named branches; and what is ignored.

use std::path::Path;

use crate::common::{alembic, revision, rules, run_in, write_chain, write_tree};

fn py(id: &str, down: &[&str], message: &str) -> String {
    alembic::revision_file(id, down, message)
}

fn labelled(id: &str, down: &[&str], label: &str) -> String {
    py(id, down, label).replace(
        "branch_labels: Union[str, Sequence[str], None] = None",
        &format!("branch_labels: Union[str, Sequence[str], None] = ('{label}',)"),
    )
}

#[test]
fn a_monorepo_gets_one_gate_over_every_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A native tree, an Alembic project with its ini file, a Flask-Migrate app.
    write_chain(&dir.join("services/api/migrations"), 2, 3);
    let billing = alembic::project(&dir.join("services/billing"));
    write_tree(&billing, &[("001_first.py", &py("001", &[], "first"))]);
    let flask = dir.join("services/legacy/migrations");
    write_tree(
        &flask,
        &[("env.py", "# flask\n"), ("alembic.ini", "[alembic]\n")],
    );
    write_tree(
        &flask.join("versions"),
        &[
            ("aaaa_first.py", &py("aaaa", &[], "first")),
            ("bbbb_second.py", &py("bbbb", &["aaaa"], "second")),
            ("cccc_other.py", &py("cccc", &["aaaa"], "other")),
        ],
    );
    // A gitignored build copy and a virtualenv are never trees.
    write_tree(dir, &[(".gitignore", "build/\n")]);
    write_tree(&dir.join("build/lib/legacy/migrations"), &[("env.py", "")]);
    write_tree(
        &dir.join("build/lib/legacy/migrations/versions"),
        &[("x_dup.py", &py("x", &[], "copy"))],
    );
    write_tree(&dir.join("env"), &[("pyvenv.cfg", "home = /usr\n")]);
    write_tree(
        &dir.join("env/lib/site-packages/pkg/migrations/versions"),
        &[("y.py", &py("y", &[], "dep"))],
    );
    write_tree(
        &dir.join("env/lib/site-packages/pkg/migrations"),
        &[("env.py", "")],
    );
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(rules(&run), ["multiple-heads"], "{}", run.stdout);
    assert!(
        run.stdout.contains("services/legacy/migrations/versions/"),
        "{}",
        run.stdout
    );
    let json = run_in(dir, &["check", "--format", "json"]);
    for tree in [
        "services/api/migrations",
        "services/billing/alembic/versions",
        "services/legacy/migrations/versions",
    ] {
        assert!(
            json.stdout.contains(&format!("\"dir\": \"{tree}\"")),
            "{tree}: {}",
            json.stdout
        );
    }
    assert!(
        !json.stdout.contains("build/") && !json.stdout.contains("site-packages"),
        "{}",
        json.stdout
    );
    // A command that acts on one tree refuses, lists them and says how to choose.
    let heads = run_in(dir, &["heads"]);
    assert_eq!(heads.code, 1);
    assert!(
        heads.stderr.contains("several-trees")
            && heads.stderr.contains("3 migration trees")
            && heads.stderr.contains("--dir"),
        "{}",
        heads.stderr
    );
    let one = run_in(dir, &["heads", "--dir", "services/api/migrations"]);
    assert_eq!(one.stdout, "002 (head)\n", "{}", one.stderr);
    // `exclude` takes globs.
    write_tree(
        dir,
        &[("migrate.toml", "exclude = [\"services/legacy/**\"]\n")],
    );
    let excluded = run_in(dir, &["check", "--format", "json"]);
    assert_eq!(excluded.code, 0, "{}", excluded.stdout);
    // What was read: the trees outside the glob, and not the one inside it.
    let document: serde_json::Value = serde_json::from_str(&excluded.stdout).unwrap();
    let trees = document.to_string();
    assert!(
        !trees.contains("services/legacy") && trees.contains("services/api/migrations"),
        "{trees}"
    );
}

#[test]
fn nested_flask_and_package_relative_script_directories_are_found() {
    // `env.py` beside `versions/` inside a package, no ini file.
    let nested = tempfile::tempdir().unwrap();
    let versions = nested.path().join("app/migrations/versions");
    write_tree(&nested.path().join("app/migrations"), &[("env.py", "")]);
    write_tree(
        &versions,
        &[
            ("1_a.py", &py("1", &[], "a")),
            ("2_b.py", &py("2", &["1"], "b")),
        ],
    );
    let run = run_in(nested.path(), &["history"]);
    assert_eq!(
        run.stdout, "1 -> 2 (head), b\n<base> -> 1, a\n",
        "{}",
        run.stderr
    );
    // `script_location = package:path`, the package under `src/`, the way Python finds it.
    let package = tempfile::tempdir().unwrap();
    let dir = package.path();
    write_tree(
        dir,
        &[(
            "alembic.ini",
            "[alembic]\nscript_location = shop.db:migrations\n",
        )],
    );
    write_tree(
        &dir.join("src/shop/db/migrations/versions"),
        &[("1_a.py", &py("1", &[], "a"))],
    );
    write_tree(
        &dir.join("src/shop/db/migrations"),
        &[("env.py", ""), ("__init__.py", "")],
    );
    write_tree(&dir.join("src/shop/db"), &[("__init__.py", "")]);
    write_tree(&dir.join("src/shop"), &[("__init__.py", "")]);
    assert_eq!(run_in(dir, &["heads"]).stdout, "1 (head)\n");
    // What the real alembic reads there too, with the package importable.
    assert_eq!(alembic::says(dir, &["heads"]), "1 (head)\n");
}

#[test]
fn two_trees_under_one_versions_directory_are_two_trees() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    write_tree(&db, &[("env.py", "")]);
    write_tree(
        &db.join("versions/postgresql"),
        &[
            ("1_a.py", &py("1", &[], "pg")),
            ("2_b.py", &py("2", &["1"], "pg")),
        ],
    );
    write_tree(
        &db.join("versions/sqlite"),
        &[("1_a.py", &py("1", &[], "lite"))],
    );
    let json = run_in(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stdout);
    assert!(
        json.stdout.contains("\"dir\": \"db/versions/postgresql\"")
            && json.stdout.contains("\"dir\": \"db/versions/sqlite\""),
        "{}",
        json.stdout
    );
}

/// One tree in `versions/<release>/{expand,contract}/`, two named branches.
fn expand_contract(dir: &Path) -> std::path::PathBuf {
    let versions = dir.join("db/versions");
    write_tree(&dir.join("db"), &[("env.py", "")]);
    write_tree(
        &versions.join("2023/expand"),
        &[
            ("aaa1_expand.py", &labelled("aaa1", &["base0"], "expand")),
            ("aaa2_more.py", &py("aaa2", &["aaa1"], "more")),
        ],
    );
    write_tree(
        &versions.join("2023/contract"),
        &[(
            "ccc1_contract.py",
            &labelled("ccc1", &["base0"], "contract"),
        )],
    );
    write_tree(
        &versions.join("2022"),
        &[("base0_root.py", &py("base0", &[], "root"))],
    );
    versions
}

#[test]
fn revisions_in_subdirectories_are_read_recursively_or_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let versions = expand_contract(dir);
    // Found through env.py: read recursively, and two named branches are two intended heads.
    let run = run_in(dir, &["check", "--color", "never"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("4 revisions (2 heads)"),
        "{}",
        run.stdout
    );
    let heads = run_in(dir, &["heads"]);
    assert_eq!(
        heads.stdout,
        "aaa2 (expand) (head)\nccc1 (contract) (head)\n"
    );
    // `branch@head` names a branch's one head, as in Alembic.
    assert!(
        run_in(dir, &["show", "expand@head"])
            .stdout
            .starts_with("Rev: aaa2 (head)\n")
    );
    let range = run_in(dir, &["history", "-r", "base0:contract@head"]);
    assert_eq!(range.stdout.lines().count(), 2, "{}", range.stdout);
    // Named without `--recursive`, the subdirectories are a warning, not "All checks passed".
    let flat = run_in(
        dir,
        &[
            "check",
            "--format",
            "concise",
            "--dir",
            versions.to_str().unwrap(),
        ],
    );
    assert!(
        rules(&flat).iter().all(|r| r == "unread-directory"),
        "{}",
        flat.stdout
    );
    assert_eq!(rules(&flat).len(), 1, "{}", flat.stdout);
    assert!(
        flat.stdout.contains("4 revision files in 3 subdirectories"),
        "{}",
        flat.stdout
    );
    let read_all = run_in(
        dir,
        &["check", "--recursive", "--dir", versions.to_str().unwrap()],
    );
    assert_eq!(read_all.code, 0, "{}", read_all.stdout);
    assert!(!read_all.stdout.contains("unread-directory"));
    // The same tree as several directories, given one by one.
    let mut args = vec!["heads".to_owned()];
    for sub in ["2022", "2023/expand", "2023/contract"] {
        args.push("--dir".to_owned());
        args.push(versions.join(sub).to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(run_in(dir, &args).stdout, heads.stdout);
    // The real alembic, reading the same tree recursively, agrees.
    write_tree(
        dir,
        &[(
            "alembic.ini",
            "[alembic]\nscript_location = %(here)s/db\nrecursive_version_locations = true\n",
        )],
    );
    let ours = run_in(dir, &["heads"]).stdout;
    let theirs = alembic::says(dir, &["heads"]);
    let sorted = |s: &str| {
        let mut l: Vec<&str> = s.lines().collect();
        l.sort_unstable();
        l.join("\n")
    };
    assert_eq!(sorted(&ours), sorted(&theirs));
    // Two heads on one branch are the mistake.
    write_tree(
        &versions.join("2023/expand"),
        &[("aaa3_fork.py", &py("aaa3", &["aaa1"], "fork"))],
    );
    let forked = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(rules(&forked), ["multiple-heads"], "{}", forked.stdout);
    assert!(
        forked.stdout.contains("2 heads on branch `expand`"),
        "{}",
        forked.stdout
    );
}

#[test]
fn declared_heads_in_migrate_toml_name_the_intended_heads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let versions = alembic::project(dir);
    write_tree(
        &versions,
        &[
            ("r0_root.py", &py("r0", &[], "root")),
            ("rep1_reporting.py", &py("rep1", &["r0"], "reporting")),
            ("bil1_billing.py", &py("bil1", &["r0"], "billing")),
        ],
    );
    assert_eq!(
        rules(&run_in(dir, &["check", "--format", "concise"])),
        ["multiple-heads"]
    );
    write_tree(dir, &[("migrate.toml", "heads = [\"rep1\", \"bil1\"]\n")]);
    assert_eq!(run_in(dir, &["check"]).code, 0);
    write_tree(&versions, &[("more_more.py", &py("more", &["r0"], "more"))]);
    let extra = run_in(dir, &["check", "--format", "concise"]);
    assert!(
        extra.stdout.contains("not declared in `heads`"),
        "{}",
        extra.stdout
    );
    let _ = revision;
}

#[test]
fn the_colon_form_finds_its_package_above_the_ini_and_splits_per_database_trees() {
    // As a large project lays it out: `script_location = app:server:db:_migrations` in an ini
    // file deep inside the package, which lives under `src/` at the top, and one tree per
    // database under `versions/`, chosen by `env.py` at run time.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = dir.join("src/app/server/db");
    write_tree(
        &db,
        &[(
            "alembic.ini",
            "[alembic]\nscript_location = app:server:db:_migrations\n",
        )],
    );
    write_tree(&db.join("_migrations"), &[("env.py", "")]);
    write_tree(
        &db.join("_migrations/versions/postgresql"),
        &[("1_a.py", &py("1", &[], "pg"))],
    );
    write_tree(
        &db.join("_migrations/versions/sqlite"),
        &[
            ("1_a.py", &py("1", &[], "lite")),
            ("2_b.py", &py("2", &["1"], "lite")),
        ],
    );
    for at in [dir.to_path_buf(), db.clone()] {
        let run = run_in(&at, &["check", "--color", "never"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("2 trees: "), "{}", run.stdout);
        assert!(
            run.stdout
                .contains("versions/postgresql` (1 revision, 1 head)"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn a_branch_label_that_needs_python_is_a_warning_and_still_starts_a_branch() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let versions = alembic::project(dir);
    let by_code = |id: &str, down: &[&str], constant: &str| {
        py(id, down, id).replace(
            "branch_labels: Union[str, Sequence[str], None] = None",
            &format!("branch_labels = (cli.{constant},)"),
        )
    };
    write_tree(
        &versions,
        &[
            ("r0_root.py", &py("r0", &[], "root")),
            ("e1_expand.py", &by_code("e1", &["r0"], "EXPAND_BRANCH")),
            ("e2_more.py", &py("e2", &["e1"], "more")),
            ("c1_contract.py", &by_code("c1", &["r0"], "CONTRACT_BRANCH")),
        ],
    );
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(
        rules(&run),
        ["unreadable-revision", "unreadable-revision"],
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 0);
    // Two heads after the expand branch's start are one branch's two heads.
    write_tree(&versions, &[("e3_fork.py", &py("e3", &["e1"], "fork"))]);
    let forked = run_in(dir, &["check", "--format", "concise"]);
    assert!(
        forked.stdout.contains("on the branch that `e1` starts"),
        "{}",
        forked.stdout
    );
    // Declared heads may name such branches by the names the code gives them.
    std::fs::remove_file(versions.join("e3_fork.py")).unwrap();
    write_tree(
        dir,
        &[("migrate.toml", "heads = [\"expand\", \"contract\"]\n")],
    );
    assert_eq!(run_in(dir, &["check"]).code, 0);
}

#[test]
fn an_ini_with_one_section_per_database_names_each_tree() {
    // `alembic --name core` and `--name tenant`: `[alembic]` names no script directory, each
    // named section does, as package resources with a path after the colon.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pkg = dir.join("src/app");
    write_tree(
        &pkg,
        &[
            ("__init__.py", ""),
            (
                "alembic.ini",
                "[alembic]\nfile_template = %%(rev)s\n\n[core]\nscript_location = app:database/revisions/core\n\n[tenant]\nscript_location = app:database/revisions/tenant\n",
            ),
        ],
    );
    for (name, ids) in [("core", ["c1", "c2"]), ("tenant", ["t1", "t2"])] {
        let script = pkg.join("database/revisions").join(name);
        write_tree(&script, &[("env.py", "")]);
        write_tree(
            &script.join("versions"),
            &[
                (&format!("{}.py", ids[0]), &py(ids[0], &[], name)),
                (&format!("{}.py", ids[1]), &py(ids[1], &[ids[0]], name)),
            ],
        );
    }
    let run = run_in(dir, &["check", "--color", "never"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("2 trees: `src/app/database/revisions/core/versions` (2 revisions, 1 head), `src/app/database/revisions/tenant/versions` (2 revisions, 1 head)"),
        "{}",
        run.stdout
    );
}

/// Run from the directory that holds the revisions themselves, as a new user first tries.
#[test]
fn revisions_in_the_working_directory_itself_are_found_there() {
    let tmp = tempfile::tempdir().unwrap();
    crate::common::write_tree(
        tmp.path(),
        &[
            ("001_a.sql", &crate::common::revision("a", "none")),
            ("002_b.sql", &crate::common::revision("b", "001")),
        ],
    );
    let run = crate::common::output(
        crate::common::migrate()
            .current_dir(tmp.path())
            .env_remove("MIGRATE_DIR")
            .args(["check"]),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = crate::common::output(
        crate::common::migrate()
            .current_dir(tmp.path())
            .env_remove("MIGRATE_DIR")
            .args(["history"]),
    );
    assert!(
        run.stdout.contains("001 -> 002 (head), b"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

/// What real repositories hold around their tree: a cookiecutter's template `pyproject.toml`,
/// and an `alembic.ini` whose `script_location` the application fills in. Neither stops
/// discovery: each is a warning, and `env.py` beside `versions/` finds the tree.
#[test]
fn unreadable_configuration_elsewhere_is_a_warning_and_the_tree_is_still_found() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_tree(
        &dir.join("contrib/template"),
        &[(
            "pyproject.toml",
            "[project]\nname = \"{{ cookiecutter.project_slug }}\"\n{% if cookiecutter.alembic %}\n[tool.alembic]\n{% endif %}\n",
        )],
    );
    write_tree(
        &dir.join("hub"),
        &[(
            "alembic.ini",
            "[alembic]\nscript_location = {alembic_dir}\nsqlalchemy.url = {db_url}\n",
        )],
    );
    write_tree(
        &dir.join("hub/alembic"),
        &[("env.py", "# the application's\n")],
    );
    let versions = dir.join("hub/alembic/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        versions.join("a1_first.py"),
        alembic::revision_file("a1", &[], "first"),
    )
    .unwrap();
    std::fs::write(
        versions.join("a2_second.py"),
        alembic::revision_file("a2", &["a1"], "second"),
    )
    .unwrap();
    let run = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("warning: invalid configuration file `contrib/template/pyproject.toml`")
            && run.stderr.contains("line 3, column 1")
            && run
                .stderr
                .contains("discovery goes on without `contrib/template/pyproject.toml`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "`hub/alembic.ini` names `hub/{alembic_dir}/versions`, which is no directory"
        ) && run
            .stderr
            .contains("discovery goes on with `env.py` beside `versions/`"),
        "{}",
        run.stderr
    );
    let heads = run_in(dir, &["heads"]);
    assert_eq!(heads.stdout, "a2 (head)\n", "{}", heads.stderr);
}

/// Where Alembic's configuration names a directory that is not there, the help is about that
/// configuration, never `migrate init` (which would start a SQL tree in a Python project).
#[test]
fn a_missing_alembic_directory_is_never_cured_with_init() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[(
            "alembic.ini",
            "[alembic]\nscript_location = %(here)s/nowhere\n",
        )],
    );
    let run = run_in(tmp.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "`nowhere/versions` does not exist (from `script_location` in `alembic.ini`)"
        ) && run.stderr.contains("check the `script_location`")
            && !run.stderr.contains("migrate init"),
        "{}",
        run.stderr
    );
}
