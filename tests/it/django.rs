//! Django projects: every app's `migrations/` package found with no configuration and read
//! without importing it; several leaves in one app caught in Django's terms and merged as
//! `makemigrations --merge` merges them; a missing dependency and a cycle caught; squashed
//! migrations, `__first__`, `run_before`; `current --check-heads` on `django_migrations`.

use std::path::Path;

use crate::common::server::server;
use crate::common::{commit_all, git, git_init, rules, run_in};

fn migration(root: &Path, app: &str, name: &str, body: &str) {
    let dir = root.join(app).join("migrations");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(root.join(app).join("__init__.py"), "").unwrap();
    std::fs::write(dir.join("__init__.py"), "").unwrap();
    std::fs::write(
        dir.join(format!("{name}.py")),
        format!("from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n{body}\n    operations = []\n"),
    )
    .unwrap();
}

fn deps(pairs: &[(&str, &str)]) -> String {
    let items = pairs
        .iter()
        .map(|(a, n)| format!("        ('{a}', '{n}'),\n"))
        .collect::<Vec<_>>()
        .concat();
    format!("    dependencies = [\n{items}    ]\n")
}

/// Two apps: `users` (two migrations) and `shop`, which depends on `users` and on Django's own
/// `auth`, which the repository does not hold.
fn project() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    git_init(root);
    std::fs::write(root.join("manage.py"), "#!/usr/bin/env python\n").unwrap();
    migration(root, "users", "0001_initial", "    initial = True\n");
    migration(
        root,
        "users",
        "0002_email",
        &deps(&[("users", "0001_initial")]),
    );
    migration(
        root,
        "shop",
        "0001_initial",
        &format!(
            "    initial = True\n{}",
            deps(&[
                ("users", "0001_initial"),
                ("auth", "0012_alter_user_first_name_max_length")
            ])
        ),
    );
    commit_all(root, "base");
    repo
}

#[test]
fn a_clean_project_is_found_and_passes() {
    let repo = project();
    let run = run_in(repo.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("3 revisions"), "{}", run.stdout);
    let history = run_in(repo.path(), &["history"]);
    assert!(
        history.stdout.contains("users.0002_email"),
        "{}",
        history.stdout
    );
}

#[test]
fn two_leaves_in_one_app_are_caught_and_merged_as_django_merges_them() {
    let repo = project();
    let root = repo.path();
    migration(
        root,
        "users",
        "0003_phone",
        &deps(&[("users", "0002_email")]),
    );
    migration(
        root,
        "users",
        "0003_avatar",
        &deps(&[("users", "0002_email")]),
    );
    let run = run_in(root, &["check", "--format", "concise"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(rules(&run), ["multiple-heads"], "{}", run.stdout);
    assert!(run.stdout.contains("in app `users`"), "{}", run.stdout);
    let merge = run_in(root, &["merge"]);
    assert_eq!(merge.code, 0, "{}{}", merge.stdout, merge.stderr);
    let written = root.join("users/migrations/0004_merge_0003_avatar_0003_phone.py");
    let text = std::fs::read_to_string(&written).unwrap();
    assert!(
        text.contains("(\"users\", \"0003_avatar\")")
            && text.contains("(\"users\", \"0003_phone\")"),
        "{text}"
    );
    let after = run_in(root, &["check"]);
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
}

#[test]
fn a_missing_dependency_and_a_cycle_are_caught() {
    let repo = project();
    let root = repo.path();
    migration(
        root,
        "shop",
        "0002_orders",
        &deps(&[("shop", "0001_initial"), ("users", "0009_gone")]),
    );
    let run = run_in(root, &["check", "--format", "concise"]);
    assert_eq!(rules(&run), ["dangling-parent"], "{}", run.stdout);
    assert!(run.stdout.contains("users.0009_gone"), "{}", run.stdout);
    std::fs::remove_file(root.join("shop/migrations/0002_orders.py")).unwrap();
    // users.0001 now depends on shop.0001, which depends on users.0001.
    migration(
        root,
        "users",
        "0001_initial",
        &deps(&[("shop", "0001_initial")]),
    );
    let run = run_in(root, &["check", "--format", "concise"]);
    assert!(rules(&run).contains(&"cycle".to_owned()), "{}", run.stdout);
}

#[test]
fn squashes_first_and_run_before_are_resolved_as_django_resolves_them() {
    let repo = project();
    let root = repo.path();
    // A squash of users 0001 and 0002 beside them: Django uses it, and they are no leaves.
    migration(
        root,
        "users",
        "0001_squashed_0002_email",
        "    replaces = [('users', '0001_initial'), ('users', '0002_email')]\n",
    );
    migration(
        root,
        "users",
        "0003_phone",
        &deps(&[("users", "0002_email")]),
    );
    migration(
        root,
        "shop",
        "0002_orders",
        &deps(&[("shop", "0001_initial"), ("users", "__first__")]),
    );
    migration(
        root,
        "shop",
        "0003_before",
        &format!(
            "{}    run_before = [('users', '0003_phone')]\n",
            deps(&[("shop", "0002_orders")])
        ),
    );
    let run = run_in(root, &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let history = run_in(root, &["history", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    let phone = value["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "users.0003_phone")
        .unwrap()
        .clone();
    assert_eq!(
        phone["parents"],
        serde_json::json!(["users.0001_squashed_0002_email"])
    );
    assert_eq!(phone["depends_on"], serde_json::json!(["shop.0003_before"]));
}

#[test]
fn a_branch_adding_a_second_leaf_against_the_base_is_caught() {
    let repo = project();
    let root = repo.path();
    git(root, &["checkout", "-q", "-b", "feature"]);
    migration(
        root,
        "users",
        "0003_phone",
        &deps(&[("users", "0002_email")]),
    );
    commit_all(root, "feature");
    git(root, &["checkout", "-q", "main"]);
    migration(
        root,
        "users",
        "0003_avatar",
        &deps(&[("users", "0002_email")]),
    );
    commit_all(root, "main");
    git(root, &["checkout", "-q", "feature"]);
    let run = run_in(
        root,
        &[
            "check",
            "--base",
            "main",
            "--no-lint",
            "--format",
            "concise",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        rules(&run),
        ["behind-base", "multiple-heads"],
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("gained `users.0003_avatar`"),
        "{}",
        run.stdout
    );
    // Every app has its `0001_initial.py`: files are matched app by app, so none is taken for
    // another app's, and another app's new migrations are no concern of this one.
    assert!(
        !run.stdout.contains("edited-applied") && !run.stdout.contains("shop"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_heads_reads_django_migrations_and_runs_are_refused() {
    let repo = project();
    let root = repo.path();
    let db = server().database("django_heads");
    db.client()
        .batch_execute(
            "CREATE TABLE django_migrations (id bigserial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL DEFAULT now());
             INSERT INTO django_migrations (app, name) VALUES ('users', '0001_initial'), ('shop', '0001_initial'), ('auth', '0012_alter_user_first_name_max_length')",
        )
        .unwrap();
    let heads = || {
        run_in(
            root,
            &["current", "--check-heads", "--database-url", &db.url],
        )
    };
    let behind = heads();
    assert_eq!(behind.code, 1, "{}{}", behind.stdout, behind.stderr);
    assert!(
        behind.stdout.contains("1 revision pending"),
        "{}",
        behind.stdout
    );
    db.client()
        .batch_execute("INSERT INTO django_migrations (app, name) VALUES ('users', '0002_email')")
        .unwrap();
    let at = heads();
    // `auth` is Django's own app: its rows name no file here, and say so.
    assert!(at.stdout.contains("at head"), "{}{}", at.stdout, at.stderr);
    let upgrade = run_in(root, &["upgrade", "head", "--database-url", &db.url]);
    assert_eq!(upgrade.code, 1, "{}{}", upgrade.stdout, upgrade.stderr);
    assert!(
        upgrade.stdout.contains("python manage.py migrate")
            || upgrade.stderr.contains("python manage.py migrate")
    );
}

#[test]
fn app_labels_helper_packages_and_forked_apps_are_read_as_django_reads_them() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    // `contrib/forms` is labelled `wagtailforms` by its AppConfig; `core` by its migrations.
    migration(root, "contrib/forms", "0001_initial", "");
    migration(
        root,
        "contrib/forms",
        "0002_more",
        &deps(&[("wagtailforms", "0001_initial")]),
    );
    std::fs::write(
        root.join("contrib/forms/apps.py"),
        "class FormsConfig(AppConfig):\n    label = \"wagtailforms\"\n",
    )
    .unwrap();
    migration(
        root,
        "core",
        "0001_initial",
        &deps(&[("wagtailforms", "0001_initial")]),
    );
    migration(
        root,
        "core",
        "0002_more",
        &deps(&[("wagtailcore", "0001_initial")]),
    );
    // A package of helpers that happens to be called `migrations`.
    std::fs::create_dir_all(root.join("blocks/migrations")).unwrap();
    std::fs::write(root.join("blocks/migrations/__init__.py"), "").unwrap();
    std::fs::write(
        root.join("blocks/migrations/operations.py"),
        "def rename(): pass\n",
    )
    .unwrap();
    // A test project's fork of `core`, which Django would install instead of it.
    migration(
        root,
        "tests/site/core",
        "0001_initial",
        &deps(&[("wagtailforms", "0001_initial")]),
    );
    migration(
        root,
        "tests/site/core",
        "0002_more",
        &deps(&[("wagtailcore", "0001_initial")]),
    );
    migration(
        root,
        "tests/site/core",
        "0002_other",
        &deps(&[("wagtailcore", "0001_initial")]),
    );
    let run = run_in(root, &["check", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(rules(&run), ["unread-directory"], "{}", run.stdout);
    assert!(
        run.stdout.contains("tests/site/core/migrations"),
        "{}",
        run.stdout
    );
    let history = run_in(root, &["history"]);
    assert!(
        history.stdout.contains("wagtailcore.0002_more")
            && history.stdout.contains("wagtailforms.0002_more"),
        "{}",
        history.stdout
    );
}

#[test]
fn a_name_with_control_characters_is_refused_and_never_printed_raw() {
    let repo = project();
    let root = repo.path();
    migration(
        root,
        "users",
        "0003_a\n::error file=x,line=1::forged",
        &deps(&[("users", "0002_email")]),
    );
    for format in ["human", "concise", "github", "json"] {
        let run = run_in(root, &["check", "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("control characters"),
            "{format}: {}",
            run.stdout
        );
        assert!(
            run.stdout
                .lines()
                .chain(run.stderr.lines())
                .all(|l| !l.trim_start().starts_with("::error file=x")),
            "{format}: a forged line\n{}",
            run.stdout
        );
    }
}
