//! `verify` with no URL killed with `kill -9` at any moment of its first second, initdb
//! included: no server, shell or directory of its throwaway cluster outlives it (issue 23,
//! section 3).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::write_tree;
use crate::database::rev;
use crate::verify::throwaway_dirs;

/// The processes whose command line names a throwaway cluster's directory: its server (`-k
/// DIR`), its shell and initdb.
fn cluster_processes() -> Vec<(u32, String)> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            cmdline
                .contains("migrate-verify-")
                .then_some((pid, cmdline))
        })
        .collect()
}

#[test]
fn verify_killed_at_twenty_moments_of_its_first_second_leaves_no_cluster_behind() {
    let _turn = crate::common::server::cluster_roles();
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[(
            "001_a.sql",
            &rev("a", "none", "SELECT pg_sleep(30);", "SELECT 1;"),
        )],
    );
    let dirs_before = throwaway_dirs();
    let processes_before: Vec<u32> = cluster_processes().into_iter().map(|p| p.0).collect();
    for moment in 0..20u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_migrate"))
            .current_dir(tree.path())
            .env("MIGRATE_DIR", ".")
            .env_remove("MIGRATE_DATABASE_URL")
            .env_remove("DATABASE_URL")
            .arg("verify")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(moment * 50));
        child.kill().unwrap();
        child.wait().unwrap();
        let deadline = Instant::now() + Duration::from_mins(1);
        loop {
            let dirs: Vec<PathBuf> = throwaway_dirs()
                .into_iter()
                .filter(|d| !dirs_before.contains(d))
                .collect();
            let processes: Vec<(u32, String)> = cluster_processes()
                .into_iter()
                .filter(|p| !processes_before.contains(&p.0))
                .collect();
            if dirs.is_empty() && processes.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "killed after {} ms: left behind {dirs:?} {processes:?}",
                moment * 50
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
