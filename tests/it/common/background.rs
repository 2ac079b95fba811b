//! `migrate` in the background and the waits around it: one way to start a run whose output is
//! read later, one way to poll for a condition with a deadline, one way to read a JSON document.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `migrate ARGS` started in `dir` against `url`, the tree being `dir` itself, its output piped.
pub(crate) fn spawn_migrate(dir: &Path, url: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(dir)
        .env("MIGRATE_DIR", ".")
        .env("MIGRATE_DATABASE_URL", url)
        .env_remove("MIGRATE_POOL_MODE")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("migrate starts")
}

/// Polls `ready` every 20 ms until it holds; fails the test naming `what` after `budget`.
/// Budgets are generous: they catch a hang, not a slow machine.
pub(crate) fn wait_until(what: &str, budget: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + budget;
    while !ready() {
        assert!(Instant::now() < deadline, "{what}: not within {budget:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `stdout` as the one JSON document of `migrate --format json`, version 1.
pub(crate) fn json_document(stdout: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(stdout);
    let document: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{text}"));
    assert_eq!(document["version"], 1, "{text}");
    document
}
