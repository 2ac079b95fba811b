//! The resolver of branch-label constants on small repositories written for each test.

use super::*;

fn draft(text: &str) -> Draft {
    Draft::parse("a.py", "versions/a.py".to_owned(), text.to_owned())
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn labels(root: &Path, versions: &str, text: &str) -> (Vec<String>, bool, usize) {
    let built = super::super::build(vec![draft(text)], Some(&root.join(versions)));
    let revision = &built.revisions[0].0;
    (
        revision.branch_labels.clone(),
        revision.unreadable_labels,
        built.diagnostics.len(),
    )
}

const HEAD: &str = "revision = '1'\ndown_revision = None\n";

#[test]
fn constants_of_a_package_module_resolve() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(".git")).unwrap();
    write(
        root.path(),
        "neutron/db/migration/__init__.py",
        "import os\n\nEXPAND_BRANCH = 'expand'\nCONTRACT_BRANCH: str = \"contract\"\nBRANCHES = (EXPAND_BRANCH, CONTRACT_BRANCH)\n",
    );
    let versions = "neutron/db/migration/alembic_migrations/versions/ocata/expand";
    std::fs::create_dir_all(root.path().join(versions)).unwrap();
    let from = "from alembic import op\nfrom neutron.db import migration\n";
    let text = format!("{from}{HEAD}branch_labels = (migration.EXPAND_BRANCH,)\n");
    assert_eq!(
        labels(root.path(), versions, &text),
        (vec!["expand".to_owned()], false, 0)
    );
    let text = format!("{from}{HEAD}branch_labels = ('ocata01', migration.CONTRACT_BRANCH)\n");
    assert_eq!(
        labels(root.path(), versions, &text).0,
        ["ocata01", "contract"]
    );
    let text = format!("{from}{HEAD}branch_labels = migration.BRANCHES\n");
    assert_eq!(
        labels(root.path(), versions, &text).0,
        ["expand", "contract"]
    );
    let text =
        format!("from neutron.db.migration import EXPAND_BRANCH as E\n{HEAD}branch_labels = [E]\n");
    assert_eq!(labels(root.path(), versions, &text).0, ["expand"]);
    let text = format!(
        "import neutron.db.migration\n{HEAD}branch_labels = neutron.db.migration.EXPAND_BRANCH\n"
    );
    assert_eq!(labels(root.path(), versions, &text).0, ["expand"]);
    let text =
        format!("import neutron.db.migration as m\n{HEAD}branch_labels = (m.CONTRACT_BRANCH,)\n");
    assert_eq!(labels(root.path(), versions, &text).0, ["contract"]);
}

#[test]
fn a_src_layout_and_a_reexport_resolve() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(".git")).unwrap();
    write(root.path(), "src/app/labels.py", "SHOP = 'shop'\n");
    write(
        root.path(),
        "src/app/db.py",
        "from app.labels import SHOP\n",
    );
    std::fs::create_dir_all(root.path().join("migrations/versions")).unwrap();
    let text = format!("from app import db\n{HEAD}branch_labels = (db.SHOP,)\n");
    assert_eq!(
        labels(root.path(), "migrations/versions", &text),
        (vec!["shop".to_owned()], false, 0)
    );
}

#[test]
fn what_stays_unresolved_is_reported_and_literals_are_kept() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(".git")).unwrap();
    write(
        root.path(),
        "app/constants.py",
        "import os\nDYNAMIC = os.environ['X']\nLATER = 'a'\nLATER = make()\n",
    );
    std::fs::create_dir_all(root.path().join("versions")).unwrap();
    for value in [
        "(constants.DYNAMIC,)",
        "(constants.LATER,)",
        "(constants.MISSING,)",
        "(elsewhere.X,)",
        "(LOCAL,)",
    ] {
        let text = format!("from app import constants\n{HEAD}branch_labels = {value}\n");
        assert_eq!(
            labels(root.path(), "versions", &text),
            (Vec::new(), true, 1),
            "{value}"
        );
    }
    let text =
        format!("from app import constants\n{HEAD}branch_labels = ('kept', constants.MISSING)\n");
    let built = super::super::build(vec![draft(&text)], Some(&root.path().join("versions")));
    assert_eq!(built.revisions[0].0.branch_labels, ["kept"]);
    let shown = &built.diagnostics[0];
    assert_eq!(shown.rule, crate::diagnostic::Rule::UnreadableRevision);
    assert!(
        shown.message.contains("`constants.MISSING`"),
        "{}",
        shown.message
    );
    assert_eq!(
        shown.location.as_ref().map(|l| (l.line, l.column, l.span)),
        Some((4, 26, Some(17)))
    );
}

#[test]
fn modules_outside_the_repository_are_not_read() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "app/constants.py", "SHOP = 'shop'\n");
    let repository = outer.path().join("repository");
    std::fs::create_dir_all(repository.join(".git")).unwrap();
    std::fs::create_dir_all(repository.join("versions")).unwrap();
    let text = format!("from app import constants\n{HEAD}branch_labels = (constants.SHOP,)\n");
    assert_eq!(
        labels(&repository, "versions", &text),
        (Vec::new(), true, 1)
    );
}

#[test]
fn a_fifo_module_does_not_hang() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(".git")).unwrap();
    std::fs::create_dir_all(root.path().join("app")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(root.path().join("app/constants.py"))
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::create_dir_all(root.path().join("versions")).unwrap();
    let text = format!("from app import constants\n{HEAD}branch_labels = (constants.SHOP,)\n");
    assert_eq!(
        labels(root.path(), "versions", &text),
        (Vec::new(), true, 1)
    );
}

#[test]
fn a_name_bound_again_anywhere_is_unknown() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(".git")).unwrap();
    std::fs::create_dir_all(root.path().join("versions")).unwrap();
    for rebinding in [
        "EXPAND += '_v2'",
        "if True:\n    EXPAND = 'other'",
        "from app.legacy import EXPAND",
        "for EXPAND in ('a',):\n    pass",
        "EXPAND, OTHER = 'a', 'b'",
        "(EXPAND := 'a')",
        "def EXPAND():\n    pass",
        "with open('x') as EXPAND:\n    pass",
    ] {
        write(
            root.path(),
            "app/consts.py",
            &format!("EXPAND = 'expand'\n{rebinding}\n"),
        );
        let text = format!("from app import consts\n{HEAD}branch_labels = (consts.EXPAND,)\n");
        assert_eq!(
            labels(root.path(), "versions", &text),
            (Vec::new(), true, 1),
            "{rebinding}"
        );
    }
    // Reading a name, or passing it as a keyword, binds nothing.
    write(
        root.path(),
        "app/consts.py",
        "EXPAND = 'expand'\nprint(EXPAND, sep=EXPAND)\nBOTH = (EXPAND, 'contract')\n",
    );
    let text = format!("from app import consts\n{HEAD}branch_labels = consts.BOTH\n");
    assert_eq!(
        labels(root.path(), "versions", &text).0,
        ["expand", "contract"]
    );
}

#[test]
fn a_tuple_in_a_tuple_is_refused_and_a_package_comes_before_a_module() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(".git")).unwrap();
    std::fs::create_dir_all(root.path().join("versions")).unwrap();
    write(
        root.path(),
        "app/consts.py",
        "WHICH = 'module'\nBOTH = ('a', 'b')\n",
    );
    write(
        root.path(),
        "app/consts/__init__.py",
        "WHICH = 'package'\nBOTH = ('a', 'b')\n",
    );
    let text = format!("from app import consts\n{HEAD}branch_labels = (consts.WHICH,)\n");
    assert_eq!(labels(root.path(), "versions", &text).0, ["package"]);
    let text = format!("from app import consts\n{HEAD}branch_labels = (consts.BOTH,)\n");
    assert_eq!(
        labels(root.path(), "versions", &text),
        (Vec::new(), true, 1)
    );
    let text = format!("from app import consts\n{HEAD}branch_labels = (consts.BOTH)\n");
    assert_eq!(labels(root.path(), "versions", &text).0, ["a", "b"]);
}

#[test]
fn a_link_out_of_the_repository_is_not_followed() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "secret/consts.py", "KEY = 'hunter2'\n");
    let repository = outer.path().join("repository");
    std::fs::create_dir_all(repository.join(".git")).unwrap();
    std::fs::create_dir_all(repository.join("versions")).unwrap();
    std::os::unix::fs::symlink(outer.path().join("secret"), repository.join("conf")).unwrap();
    let text = format!("from conf import consts\n{HEAD}branch_labels = (consts.KEY,)\n");
    assert_eq!(
        labels(&repository, "versions", &text),
        (Vec::new(), true, 1)
    );
}
