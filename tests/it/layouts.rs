//! Other tools' trees (goose, golang-migrate, sqlx, dbmate, Flyway, refinery, diesel): found
//! with no configuration, each case of the gate caught in the tool's own terms, every clean
//! tree passing, and `rebase` putting a branch's versions above the base's.

use std::path::Path;

use crate::common::{commit_all, git, git_init, rules, run_in};

/// A layout as the tests write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Goose,
    GolangMigrate,
    Sqlx,
    Dbmate,
    Flyway,
    Refinery,
    Diesel,
}

pub(crate) const TOOLS: [Tool; 7] = [
    Tool::Goose,
    Tool::GolangMigrate,
    Tool::Sqlx,
    Tool::Dbmate,
    Tool::Flyway,
    Tool::Refinery,
    Tool::Diesel,
];

impl Tool {
    /// Where the tool keeps its files, as its documentation shows.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Tool::Goose | Tool::Dbmate => "db/migrations",
            Tool::Flyway => "src/main/resources/db/migration",
            Tool::GolangMigrate | Tool::Sqlx | Tool::Refinery | Tool::Diesel => "migrations",
        }
    }

    /// The version for step `n`: a number, or a timestamp for the tools that write them.
    pub(crate) fn version(self, n: u32) -> String {
        match self {
            Tool::Goose => format!("{n:05}"),
            Tool::GolangMigrate | Tool::Flyway | Tool::Refinery => n.to_string(),
            Tool::Sqlx | Tool::Dbmate | Tool::Diesel => format!("2024010112{n:04}"),
        }
    }

    /// Writes the repository's markers that are not migration files (a crate's manifest).
    pub(crate) fn prepare(self, root: &Path) {
        let krate = match self {
            Tool::Sqlx => "sqlx = { version = \"0.8\", features = [\"postgres\"] }",
            Tool::Refinery => "refinery = { version = \"0.8\", features = [\"tokio-postgres\"] }",
            _ => return,
        };
        std::fs::write(
            root.join("Cargo.toml"),
            format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\n{krate}\n"),
        )
        .unwrap();
    }

    /// Writes migration `version` named `name` in the tool's own form; `down` writes its down
    /// half (or section) too.
    pub(crate) fn write(self, root: &Path, version: &str, name: &str, down: bool) {
        let dir = root.join(self.dir());
        std::fs::create_dir_all(&dir).unwrap();
        let up = format!("CREATE TABLE {name} (id bigint PRIMARY KEY);\n");
        let undo = format!("DROP TABLE {name};\n");
        let mut files: Vec<(String, String)> = Vec::new();
        match self {
            Tool::Goose => files.push((
                format!("{version}_{name}.sql"),
                format!(
                    "-- +goose Up\n{up}{}",
                    if down {
                        format!("\n-- +goose Down\n{undo}")
                    } else {
                        String::new()
                    }
                ),
            )),
            Tool::Dbmate => files.push((
                format!("{version}_{name}.sql"),
                format!(
                    "-- migrate:up\n{up}{}",
                    if down {
                        format!("\n-- migrate:down\n{undo}")
                    } else {
                        String::new()
                    }
                ),
            )),
            Tool::GolangMigrate | Tool::Sqlx => {
                files.push((format!("{version}_{name}.up.sql"), up));
                if down {
                    files.push((format!("{version}_{name}.down.sql"), undo));
                }
            }
            Tool::Flyway | Tool::Refinery => files.push((format!("V{version}__{name}.sql"), up)),
            Tool::Diesel => {
                files.push((format!("{version}_{name}/up.sql"), up));
                if down {
                    files.push((format!("{version}_{name}/down.sql"), undo));
                }
            }
        }
        for (file, text) in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    /// A `.sql` file in the migrations directory that the tool would skip or refuse.
    fn stray(self) -> &'static str {
        match self {
            Tool::Goose | Tool::Sqlx | Tool::Dbmate | Tool::Diesel => "seed.sql",
            Tool::GolangMigrate => "3_seed.sql",
            Tool::Flyway => "V3_seed.sql",
            Tool::Refinery => "V3__seed-data.sql",
        }
    }
}

/// A repository with a clean tree of three steps of `tool`, committed on `main`.
pub(crate) fn clean(tool: Tool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_init(dir.path());
    tool.prepare(dir.path());
    for (n, name) in [(1, "users"), (2, "orders"), (3, "items")] {
        tool.write(dir.path(), &tool.version(n), name, true);
    }
    std::fs::write(dir.path().join("README.md"), "# app\n").unwrap();
    commit_all(dir.path(), "base");
    dir
}

#[test]
fn every_clean_tree_is_found_with_no_configuration_and_passes() {
    for tool in TOOLS {
        let repo = clean(tool);
        let run = run_in(repo.path(), &["check"]);
        assert_eq!(run.code, 0, "{tool:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("3 revisions"),
            "{tool:?}: {}",
            run.stdout
        );
        let json = run_in(repo.path(), &["check", "--format", "json"]);
        let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(value["diagnostics"], serde_json::json!([]), "{tool:?}");
        let history = run_in(repo.path(), &["history"]);
        assert_eq!(history.code, 0, "{tool:?}: {}", history.stderr);
        let order: Vec<&str> = history.stdout.lines().collect();
        assert_eq!(order.len(), 3, "{tool:?}: {}", history.stdout);
        assert!(
            order[0].contains("(head)") && order[0].contains("items"),
            "{tool:?}: {order:?}"
        );
        assert!(order[2].contains("users"), "{tool:?}: {order:?}");
        let heads = run_in(repo.path(), &["heads"]);
        assert!(
            heads.stdout.contains(&tool.version(3)),
            "{tool:?}: {}",
            heads.stdout
        );
    }
}

#[test]
fn a_duplicate_version_is_caught_in_every_layout() {
    for tool in TOOLS {
        let repo = clean(tool);
        tool.write(repo.path(), &tool.version(3), "other", true);
        let run = run_in(repo.path(), &["check", "--format", "concise"]);
        assert_eq!(run.code, 1, "{tool:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(
            rules(&run),
            ["duplicate-revision"],
            "{tool:?}: {}",
            run.stdout
        );
    }
}

#[test]
fn a_file_the_tool_would_skip_or_refuse_is_caught() {
    for tool in TOOLS {
        let repo = clean(tool);
        let dir = repo.path().join(tool.dir());
        std::fs::write(dir.join(tool.stray()), "CREATE TABLE t (id bigint);\n").unwrap();
        let run = run_in(repo.path(), &["check", "--format", "concise"]);
        assert_eq!(run.code, 1, "{tool:?}: {}{}", run.stdout, run.stderr);
        let found = rules(&run);
        assert!(
            found == ["skipped-file"] || found == ["invalid-filename"],
            "{tool:?}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains(tool.stray()),
            "{tool:?}: {}",
            run.stdout
        );
    }
}

#[test]
fn a_missing_half_of_a_pair_is_caught() {
    // golang-migrate runs a missing down file as an empty one: only sqlx's and diesel's pairs
    // must be whole.
    for tool in [Tool::Sqlx, Tool::Diesel] {
        let repo = clean(tool);
        tool.write(repo.path(), &tool.version(4), "no_down", false);
        let run = run_in(repo.path(), &["check", "--format", "concise"]);
        assert_eq!(
            rules(&run),
            ["unpaired-migration"],
            "{tool:?}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("has no down file"), "{tool:?}");
    }
    let repo = clean(Tool::GolangMigrate);
    let dir = repo.path().join(Tool::GolangMigrate.dir());
    std::fs::write(dir.join("9_orphan.down.sql"), "SELECT 1;\n").unwrap();
    let run = run_in(repo.path(), &["check", "--format", "concise"]);
    assert_eq!(rules(&run), ["unpaired-migration"], "{}", run.stdout);
    assert!(run.stdout.contains("has no up file"), "{}", run.stdout);
}

/// `main` with three steps; `feature` adds step 4 as `feature`, and `main` meanwhile gains
/// `gained` steps from 4 on. Returns the repository, on `feature`.
pub(crate) fn diverged(tool: Tool, gained: u32) -> tempfile::TempDir {
    let repo = clean(tool);
    let root = repo.path();
    git(root, &["checkout", "-q", "-b", "feature"]);
    tool.write(root, &tool.version(4), "feature", true);
    commit_all(root, "feature");
    git(root, &["checkout", "-q", "main"]);
    for n in 4..4 + gained {
        tool.write(root, &tool.version(n), &format!("main_{n}"), true);
    }
    commit_all(root, "main moves on");
    git(root, &["checkout", "-q", "feature"]);
    repo
}

#[test]
fn an_out_of_order_merge_is_caught_and_rebase_moves_the_branch_above_the_base() {
    for tool in TOOLS {
        let repo = diverged(tool, 2);
        let root = repo.path();
        let run = run_in(
            root,
            &[
                "check",
                "--no-lint",
                "--base",
                "main",
                "--format",
                "concise",
            ],
        );
        assert_eq!(run.code, 1, "{tool:?}: {}{}", run.stdout, run.stderr);
        let found = rules(&run);
        assert!(
            found.contains(&"behind-base".to_owned()),
            "{tool:?}: {}",
            run.stdout
        );
        assert!(
            found.contains(&"duplicate-revision".to_owned()),
            "{tool:?}: {}",
            run.stdout
        );
        let rebase = run_in(root, &["rebase", "--onto", "main"]);
        assert_eq!(
            rebase.code, 0,
            "{tool:?}: {}{}",
            rebase.stdout, rebase.stderr
        );
        if tool == Tool::Diesel {
            // The whole directory moved: its down file with it, the old one gone.
            let dirs: Vec<String> = std::fs::read_dir(root.join(tool.dir()))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with("_feature"))
                .collect();
            assert_eq!(dirs.len(), 1, "{dirs:?}");
            assert!(!dirs[0].starts_with(&tool.version(4)), "{dirs:?}");
            let moved = root.join(tool.dir()).join(&dirs[0]);
            assert!(
                moved.join("up.sql").is_file() && moved.join("down.sql").is_file(),
                "{dirs:?}"
            );
        }
        let after = run_in(root, &["check", "--no-lint", "--base", "main"]);
        assert_eq!(after.code, 0, "{tool:?}: {}{}", after.stdout, after.stderr);
        // Nothing `main` has was touched: only the branch's own file moved.
        let changed = git(root, &["status", "--porcelain", "--untracked-files=all"]);
        assert!(
            changed.lines().all(|l| l.contains("feature")),
            "{tool:?}: {changed}"
        );
        // Merged, the tree has one line again.
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "rebased"]);
        git(root, &["merge", "-q", "--no-edit", "main"]);
        let merged = run_in(root, &["check"]);
        assert_eq!(
            merged.code, 0,
            "{tool:?}: {}{}",
            merged.stdout, merged.stderr
        );
    }
}

#[test]
fn a_branch_above_the_base_passes() {
    for tool in TOOLS {
        let repo = clean(tool);
        let root = repo.path();
        git(root, &["checkout", "-q", "-b", "feature"]);
        tool.write(root, &tool.version(9), "feature", true);
        commit_all(root, "feature");
        let run = run_in(root, &["check", "--no-lint", "--base", "main"]);
        assert_eq!(run.code, 0, "{tool:?}: {}{}", run.stdout, run.stderr);
    }
}

#[test]
fn running_another_tools_tree_is_refused_with_its_command() {
    for tool in TOOLS {
        let repo = clean(tool);
        let run = run_in(
            repo.path(),
            &[
                "upgrade",
                "head",
                "--database-url",
                "postgres://nobody@127.0.0.1:1/none",
                "--format",
                "concise",
            ],
        );
        assert_eq!(run.code, 1, "{tool:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("foreign-write-refused")
                || run.stderr.contains("foreign-write-refused"),
            "{tool:?}: {}{}",
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn a_layout_named_in_the_configuration_wins_over_discovery() {
    let repo = clean(Tool::GolangMigrate);
    // Named sqlx, the same pairs are read as sqlx's, whose messages say so.
    std::fs::write(
        repo.path().join("migrate.toml"),
        "dir = \"migrations\"\nlayout = \"sqlx\"\n",
    )
    .unwrap();
    Tool::GolangMigrate.write(repo.path(), "3", "again", true);
    let run = run_in(repo.path(), &["check"]);
    assert!(
        run.stdout.contains("sqlx refuses"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}
