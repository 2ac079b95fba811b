//! Hostile file and directory names (a newline followed by a GitHub workflow command, a
//! terminal escape) fed to the fourteen commands in the four formats: every line of output is
//! migrate's own, none begins with text from a name, and no escape reaches the terminal
//! (issue 23, section 6).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::server::server;
use crate::common::{revision, write_tree};

const NEWLINE_NAME: &str = "002_b\n::error::FORGED2.sql";
const ESCAPE_NAME: &str = "003_c\u{1b}[31mFORGED3.sql";

fn hostile_tree(dir: &Path) {
    let migrations = dir.join("migrations");
    write_tree(
        &migrations,
        &[
            ("001_a.sql", &revision("a", "none")),
            ("002_a.sql", &revision("a two", "001")),
        ],
    );
    std::fs::write(migrations.join(NEWLINE_NAME), "x").unwrap();
    std::fs::write(migrations.join(ESCAPE_NAME), "x").unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(migrations.join("004_d\n::warning::FORGED4.sql"))
            .status()
            .unwrap()
            .success()
    );
    std::fs::create_dir_all(migrations.join("sub\n::error::FORGED5")).unwrap();
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(
        dir.join("docs/deploy\n::error::FORGED6.md"),
        "see 001_old_a\n",
    )
    .unwrap();
}

/// The lines that do not come from migrate: one that starts with text from a name, or a raw
/// terminal escape.
fn forged(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            line.starts_with("::error::FORGED")
                || line.starts_with("::warning::FORGED")
                || line.starts_with("FORGED")
                || line.contains('\u{1b}')
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn no_name_forges_a_line_in_any_command_or_format() {
    let url = server().database("hostile_names").url;
    let commands: &[&[&str]] = &[
        &["check"],
        &["check", "--fix", "--dry-run"],
        &["lint"],
        &["history", "-v"],
        &["heads"],
        &["show", "001"],
        &["current"],
        &["upgrade"],
        &["downgrade", "base"],
        &["stamp", "head"],
        &["verify"],
        &["schema"],
        &["new", "next step"],
        &["merge"],
        &["rebase", "002_a", "--dry-run"],
        &["check", "--dir", "nowhere\n::error::FORGED7"],
    ];
    let mut checked = 0;
    for args in commands {
        for format in ["human", "concise", "json", "github"] {
            let tmp = tempfile::tempdir().unwrap();
            hostile_tree(tmp.path());
            let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
                .current_dir(tmp.path())
                .env("MIGRATE_DATABASE_URL", &url)
                .env_remove("MIGRATE_DIR")
                .args(*args)
                .args(["--format", format, "--color", "never"])
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            assert!(
                out.status.code().is_some_and(|c| c <= 2),
                "{args:?} {format}: {stdout}{stderr}"
            );
            let bad: Vec<String> = forged(&stdout).into_iter().chain(forged(&stderr)).collect();
            assert!(
                bad.is_empty(),
                "{args:?} {format}: forged lines {bad:?}\n{stdout}{stderr}"
            );
            if args == &["check"] && format == "human" {
                // The name is shown escaped, on one line, as the location shows it.
                assert!(
                    stdout.contains("`002_b\\n::error::FORGED2.sql` is not a migration file name"),
                    "{stdout}"
                );
            }
            if format == "json" {
                let documents = stdout.trim();
                assert!(
                    serde_json::from_str::<serde_json::Value>(documents).is_ok(),
                    "{args:?}: stdout is not one JSON document:\n{stdout}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, commands.len() * 4);
}
