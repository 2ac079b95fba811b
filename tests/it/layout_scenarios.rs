//! Generated merges of other tools' trees: for each seed, a layout, a shipped tree on `main`,
//! versions a branch adds (above, equal to, or below what `main` gains meanwhile), versions
//! `main` gains, and whether `main` is merged into the branch before the check. Invariants,
//! whatever the seed:
//! - `check --base main` fails exactly when a version the branch adds is not above every
//!   version `main` gained, or repeats one;
//! - after `rebase --onto main`, `check --base main` passes, no file `main` has is changed, the branch keeps as many
//!   files, and merging `main` leaves one line that `check` accepts.
//!
//! `MIGRATE_LAYOUT_SCENARIOS=N` sets how many seeds run (100 by default);
//! `MIGRATE_LAYOUT_SCENARIO_SEED=N cargo test --test it layout_scenarios` reruns one. Seeds that
//! ever failed are kept in `FIXED`.

use std::collections::BTreeSet;

use crate::common::{commit_all, git, git_init, run_in};
use crate::layouts::{TOOLS, Tool};

/// Seeds that once failed, run every time.
const FIXED: &[u64] = &[
    // diesel, with nothing to move: rebase refused all the same (before diesel's directories
    // were renamed).
    16,
    // dbmate, two files to move: the second kept its version once the first had a new one.
    18,
    // diesel, two directories to move: the same, once diesel's directories were renamed.
    55,
];

fn cases() -> Vec<u64> {
    if let Some(seed) = std::env::var("MIGRATE_LAYOUT_SCENARIO_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![seed];
    }
    let count: u64 = std::env::var("MIGRATE_LAYOUT_SCENARIOS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    FIXED.iter().copied().chain(1..=count).collect()
}

#[test]
fn generated_merges_keep_the_invariants() {
    for seed in cases() {
        run(seed);
    }
}

fn run(seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let tool = TOOLS[rng.usize(..TOOLS.len())];
    let shipped = rng.u32(1..5);
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    git_init(root);
    tool.prepare(root);
    for n in 1..=shipped {
        tool.write(root, &tool.version(n), &format!("base_{n}"), true);
    }
    commit_all(root, "shipped");
    // Versions are drawn above what shipped, from a small range so that they collide.
    let draw = |rng: &mut fastrand::Rng, count: u32| -> BTreeSet<u32> {
        (0..count).map(|_| shipped + rng.u32(1..6)).collect()
    };
    let (adds, gains) = (rng.u32(1..3), rng.u32(0..3));
    let added = draw(&mut rng, adds);
    let gained = draw(&mut rng, gains);
    git(root, &["checkout", "-q", "-b", "feature"]);
    for &n in &added {
        tool.write(root, &tool.version(n), &format!("feature_{n}"), true);
    }
    commit_all(root, "feature");
    git(root, &["checkout", "-q", "main"]);
    for &n in &gained {
        tool.write(root, &tool.version(n), &format!("main_{n}"), true);
    }
    if !gained.is_empty() {
        commit_all(root, "main moves on");
    }
    git(root, &["checkout", "-q", "feature"]);
    // Half the seeds merge `main` into the branch first, as a pull request's checkout does:
    // nothing is "gained since the fork" any more, and the versions are what they were.
    let merged = !gained.is_empty() && rng.bool();
    if merged {
        git(root, &["merge", "-q", "--no-edit", "main"]);
    }
    let context = format!(
        "seed {seed} ({tool:?}: shipped 1..={shipped}, branch adds {added:?}, main gains {gained:?}{}; rerun: MIGRATE_LAYOUT_SCENARIO_SEED={seed} cargo test --test it layout_scenarios)",
        if merged {
            ", main merged into the branch"
        } else {
            ""
        }
    );
    let behind = gained
        .last()
        .is_some_and(|&top| added.iter().any(|&a| a <= top));
    let check = run_in(
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
    assert_eq!(
        check.code,
        i32::from(behind),
        "{context}: check --base\n{}{}",
        check.stdout,
        check.stderr
    );
    if behind {
        assert!(
            check.stdout.contains("behind-base"),
            "{context}\n{}",
            check.stdout
        );
    }
    rebased(tool, root, &added, &context);
}

/// The invariants after `rebase --onto main`.
fn rebased(tool: Tool, root: &std::path::Path, added: &BTreeSet<u32>, context: &str) {
    let rebase = run_in(root, &["rebase", "--onto", "main"]);
    assert_eq!(
        rebase.code, 0,
        "{context}: rebase\n{}{}",
        rebase.stdout, rebase.stderr
    );
    let after = run_in(
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
    assert_eq!(
        after.code, 0,
        "{context}: after rebase\n{}{}",
        after.stdout, after.stderr
    );
    let status = git(root, &["status", "--porcelain", "--untracked-files=all"]);
    assert!(
        status.lines().all(|l| l.contains("feature_")),
        "{context}: rebase touched a file that is not the branch's\n{status}"
    );
    let files = |root: &std::path::Path| {
        walkdir::WalkDir::new(root.join(tool.dir()))
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter(|e| e.path().to_string_lossy().contains("feature_"))
            .count()
    };
    let per_migration = match tool {
        Tool::Goose | Tool::Dbmate | Tool::Flyway | Tool::Refinery => 1,
        Tool::GolangMigrate | Tool::Sqlx | Tool::Diesel => 2,
    };
    let expected = added.len() * per_migration;
    assert_eq!(files(root), expected, "{context}: the branch's files");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", "rebased"]);
    git(root, &["merge", "-q", "--no-edit", "main"]);
    let merged = run_in(root, &["check"]);
    assert_eq!(
        merged.code, 0,
        "{context}: merged\n{}{}",
        merged.stdout, merged.stderr
    );
}
