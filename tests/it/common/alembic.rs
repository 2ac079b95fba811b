//! Alembic projects for the tests: revision files written as `alembic revision` writes them, and
//! the real `alembic` from the virtualenv `scripts/test` makes.

use std::path::{Path, PathBuf};

/// The virtualenv's Python with alembic installed, from `MIGRATE_TEST_VENV` or `target/venv`.
/// A test that needs it fails without it: it never passes without running.
pub(crate) fn python() -> PathBuf {
    let venv = std::env::var_os("MIGRATE_TEST_VENV")
        .map_or_else(|| crate::common::root().join("target/venv"), PathBuf::from);
    let python = venv.join("bin/python");
    let has_alembic = python.exists()
        && std::process::Command::new(&python)
            .args(["-c", "import alembic"])
            .output()
            .is_ok_and(|o| o.status.success());
    assert!(
        has_alembic,
        "alembic is missing from {}: run scripts/test, which installs it into target/venv, \
         or name a virtualenv with MIGRATE_TEST_VENV",
        venv.display()
    );
    python
}

/// One revision file, in the form `alembic revision` generates (annotated assignments).
pub(crate) fn revision_file(id: &str, down: &[&str], message: &str) -> String {
    revision_with(id, down, &[], message)
}

/// A revision file with `depends_on`.
pub(crate) fn revision_with(id: &str, down: &[&str], depends_on: &[&str], message: &str) -> String {
    let quoted = |ids: &[&str]| match ids {
        [] => "None".to_owned(),
        [one] => format!("'{one}'"),
        many => format!(
            "({})",
            many.iter()
                .map(|i| format!("'{i}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "\"\"\"{message}\n\nRevision ID: {id}\nRevises: {revises}\nCreate Date: 2026-01-05 10:00:00.000000\n\n\"\"\"\nfrom typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n# revision identifiers, used by Alembic.\nrevision: str = '{id}'\ndown_revision: Union[str, Sequence[str], None] = {down}\nbranch_labels: Union[str, Sequence[str], None] = None\ndepends_on: Union[str, Sequence[str], None] = {depends}\n\n\ndef upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n",
        revises = down.join(", "),
        down = quoted(down),
        depends = quoted(depends_on),
    )
}

/// An Alembic project in `dir`: `alembic.ini` naming `alembic/`, and the versions directory.
/// Returns the versions directory.
pub(crate) fn project(dir: &Path) -> PathBuf {
    let versions = dir.join("alembic/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = sqlite:///unused.db\n",
    )
    .unwrap();
    versions
}

/// What the real `alembic` prints for `args` in `dir`, with `src/` importable when `dir` has one
/// (the src layout); fails the test when alembic fails.
pub(crate) fn says(dir: &Path, args: &[&str]) -> String {
    let list: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let output = std::process::Command::new(python())
        .current_dir(dir)
        .env("PYTHONPATH", dir.join("src"))
        .args([
            "-c",
            &format!(
                "from alembic.config import main\nmain([{}])",
                list.join(", ")
            ),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "alembic {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
