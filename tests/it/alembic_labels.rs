//! Branch labels taken from constants of the repository's own modules, as `OpenStack` projects
//! write them: `branch_labels = (migration.EXPAND_BRANCH,)`, with `EXPAND_BRANCH = 'expand'` in
//! the package's `__init__.py`, or in a module under `src/`. Compared with the real `alembic`.

use std::path::Path;

use crate::common::alembic::{revision_with, says};
use crate::common::{git_init, run_in};

/// A revision file whose `branch_labels` line is `labels`, after the extra `import` lines.
fn revision(id: &str, down: &[&str], depends: &[&str], imports: &str, labels: &str) -> String {
    revision_with(id, down, depends, &format!("step {id}"))
        .replace(
            "import sqlalchemy as sa\n",
            &format!("import sqlalchemy as sa\n{imports}"),
        )
        .replace(
            "branch_labels: Union[str, Sequence[str], None] = None",
            &format!("branch_labels = {labels}"),
        )
}

/// The `OpenStack` shape: the package's `migration/__init__.py` holds the names, `alembic.ini`
/// sits beside it, and expand and contract branches start from one base.
fn openstack(dir: &Path, contract_labels: &str) {
    git_init(dir);
    let package = "neutron/db/migration";
    let versions = format!("{package}/alembic_migrations/versions");
    let from = "from neutron.db import migration\n";
    let files = [
        (
            format!("{package}/__init__.py"),
            "import contextlib\n\nEXPAND_BRANCH = 'expand'\nCONTRACT_BRANCH = 'contract'\nMIGRATION_BRANCHES = (EXPAND_BRANCH, CONTRACT_BRANCH)\n".to_owned(),
        ),
        ("neutron/__init__.py".to_owned(), String::new()),
        ("neutron/db/__init__.py".to_owned(), String::new()),
        (
            format!("{package}/alembic.ini"),
            "[alembic]\nscript_location = %(here)s/alembic_migrations\nrecursive_version_locations = true\nsqlalchemy.url = sqlite:///unused.db\n".to_owned(),
        ),
        (
            format!("{package}/alembic_migrations/env.py"),
            "# the application's\n".to_owned(),
        ),
        (format!("{versions}/kilo_initial.py"), revision("kilo", &[], &[], "", "None")),
        (
            format!("{versions}/ocata/expand/a1e1_expand.py"),
            revision("a1e1", &["kilo"], &[], from, "(migration.EXPAND_BRANCH,)"),
        ),
        (
            format!("{versions}/ocata/expand/a1e2_more.py"),
            revision("a1e2", &["a1e1"], &[], from, "None"),
        ),
        (
            format!("{versions}/ocata/contract/c1c1_contract.py"),
            revision("c1c1", &["kilo"], &[], from, contract_labels),
        ),
        (
            format!("{versions}/ocata/contract/c1c2_drop.py"),
            revision("c1c2", &["c1c1"], &["a1e2"], "", "None"),
        ),
    ];
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    write_tree(dir, &borrowed);
}

/// Writes `files`, creating their directories.
fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Alembic prints several labels, and a branch point's children, in a Python set's order;
/// migrate sorts them.
fn sorted_labels(text: &str) -> String {
    text.replace("(ocata01, contract)", "(contract, ocata01)")
        .replace("ocata01, contract\n", "contract, ocata01\n")
        .replace("Branches into: c1c1, a1e1\n", "Branches into: a1e1, c1c1\n")
}

#[test]
fn labels_from_the_packages_constants_are_alembics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    openstack(dir, "('ocata01', migration.CONTRACT_BRANCH)");
    let ini = "neutron/db/migration/alembic.ini";
    for args in [&["history"][..], &["history", "-v"], &["heads"]] {
        let alembic = sorted_labels(&says(dir, &[&["-c", ini][..], args].concat()));
        let ours = run_in(dir, &[args, &["--color", "never"]].concat());
        assert_eq!(ours.code, 0, "{}", ours.stderr);
        let normalised = alembic.replace(&format!("Path: {}/", dir.display()), "Path: ");
        // Heads come in a Python set's order.
        let lines = |text: &str| {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            if args == ["heads"] {
                lines.sort();
            }
            lines
        };
        assert_eq!(lines(&ours.stdout), lines(&normalised), "{args:?}");
    }
    let history = run_in(dir, &["history", "--color", "never"]).stdout;
    assert!(
        history.contains("(contract, ocata01)") && history.contains("(expand)"),
        "{history}"
    );
    // At the repository's root, the tree is found and its two labelled heads pass.
    let check = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        !check.stdout.contains("unreadable-revision") && !check.stderr.contains("warning"),
        "{}{}",
        check.stdout,
        check.stderr
    );
}

#[test]
fn a_name_left_unresolved_keeps_the_warning_and_the_literal_beside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    openstack(dir, "('ocata01', migration.CONTRACT_BRANCHES)");
    let check = run_in(dir, &["check", "--format", "concise"]);
    assert!(
        check.stdout.contains(
            "c1c1_contract.py:18:29: warning[unreadable-revision] `branch_labels` names `migration.CONTRACT_BRANCHES`"
        ),
        "{}{}",
        check.stdout,
        check.stderr
    );
    let history = run_in(dir, &["history", "--color", "never"]).stdout;
    assert!(history.contains("kilo -> c1c1 (ocata01)"), "{history}");
}

/// A `src/` layout, the module reached through a re-export: `from app import db` and
/// `db.SHOP`, where `db.py` imports `SHOP` from `app.labels`.
#[test]
fn a_src_layout_and_a_reexported_name_resolve() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git_init(dir);
    let versions = crate::common::alembic::project(dir);
    write_tree(
        dir,
        &[
            ("src/app/__init__.py", ""),
            ("src/app/labels.py", "SHOP: str = 'shop'\n"),
            ("src/app/db.py", "from app.labels import SHOP\n"),
        ],
    );
    std::fs::write(
        versions.join("b1_shop.py"),
        revision("b1", &[], &[], "from app import db\n", "(db.SHOP,)"),
    )
    .unwrap();
    std::fs::write(
        versions.join("b2_more.py"),
        revision("b2", &["b1"], &[], "", "None"),
    )
    .unwrap();
    let alembic = says(dir, &["history"]);
    assert_eq!(
        alembic,
        "b1 -> b2 (shop) (head), step b2\n<base> -> b1 (shop), step b1\n"
    );
    assert_eq!(
        run_in(dir, &["history", "--color", "never"]).stdout,
        alembic
    );
}

/// A `depends_on` that names a label declared in another directory of the tree (`contract/`
/// depending on `expand`) resolves as Alembic's one map resolves it: no `dangling-parent`, and
/// the same history as `alembic`.
#[test]
fn a_label_named_across_directories_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    openstack(dir, "('ocata01', migration.CONTRACT_BRANCH)");
    let versions = "neutron/db/migration/alembic_migrations/versions";
    write_tree(
        dir,
        &[(
            &format!("{versions}/ocata/contract/c1c3_needs_expand.py"),
            &revision("c1c3", &["c1c2"], &["expand"], "", "None"),
        )],
    );
    let check = run_in(dir, &["check", "--format", "concise"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let ini = "neutron/db/migration/alembic.ini";
    // A `depends_on` written as a label is printed as the revision it names (README, "Alembic
    // projects"): the one difference in form.
    let alembic = sorted_labels(&says(dir, &["-c", ini, "history"]))
        .replace("c1c2 (expand) -> c1c3", "c1c2 (a1e1) -> c1c3");
    let ours = run_in(dir, &["history", "--color", "never"]);
    assert_eq!(ours.stdout, alembic);
}
