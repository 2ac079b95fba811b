//! The npm packages (`scripts/npm-pack`): packed into tarballs, installed with install scripts
//! turned off into an empty project, offline, they give a working `npx migrate`. No package
//! carries an install script, so pnpm 10 and Yarn 4, which run none, get the same.

use std::path::Path;
use std::process::Command;

use crate::common::root;

/// Runs a program in `dir` with npm's cache in `cache`, never under the user's home.
fn run(dir: &Path, cache: &Path, program: &str, args: &[&str]) -> std::process::Output {
    let output = Command::new(program)
        .current_dir(dir)
        .args(args)
        .env("npm_config_cache", cache)
        .output()
        .unwrap_or_else(|e| panic!("{program} does not run ({e}): scripts/test installs npm"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn npm_install_without_scripts_gives_a_working_npx_migrate() {
    let work = tempfile::tempdir().unwrap();
    let packages = work.path().join("packages");
    let cache = work.path().join("npm-cache");
    let packed = run(
        &root(),
        &cache,
        "python3",
        &[
            "scripts/npm-pack",
            packages.to_str().unwrap(),
            "--binary",
            env!("CARGO_BIN_EXE_migrate"),
        ],
    );
    let tarballs: Vec<String> = String::from_utf8_lossy(&packed.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(tarballs.len(), 2, "{tarballs:?}");
    // No install script in either package.
    for tarball in &tarballs {
        let listing = run(
            work.path(),
            &cache,
            "tar",
            &["-xzOf", tarball, "package/package.json"],
        );
        let manifest: serde_json::Value = serde_json::from_slice(&listing.stdout).unwrap();
        assert!(manifest.get("scripts").is_none(), "{manifest}");
    }
    let app = work.path().join("app");
    std::fs::create_dir(&app).unwrap();
    std::fs::write(
        app.join("package.json"),
        "{\"name\": \"app\", \"private\": true}\n",
    )
    .unwrap();
    let mut install = vec![
        "install",
        "--offline",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
    ];
    install.extend(tarballs.iter().map(String::as_str));
    run(&app, &cache, "npm", &install);
    let migrations = app.join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    for entry in std::fs::read_dir(root().join("migrations")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), migrations.join(entry.file_name())).unwrap();
    }
    let checked = run(&app, &cache, "npx", &["--offline", "migrate", "check"]);
    assert!(
        String::from_utf8_lossy(&checked.stdout).starts_with("All checks passed: 7 revisions"),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    // A finding still exits 1 through the wrapper.
    std::fs::copy(
        migrations.join("002_create_user.sql"),
        migrations.join("002_create_again.sql"),
    )
    .unwrap();
    let failed = Command::new("npx")
        .current_dir(&app)
        .args(["--offline", "migrate", "check"])
        .env("npm_config_cache", &cache)
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
}
