//! refinery's own loader as the oracle: for generated trees of names refinery reads, skips or
//! nests in subdirectories, `refinery::load_sql_migrations` and `migrate history` read the
//! same versions, and every `.sql` file refinery passes over is a `skipped-file` finding.

use std::collections::BTreeSet;

use crate::common::run_in;

#[test]
fn refinery_and_migrate_read_the_same_versions() {
    for seed in 1..=60u64 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let repo = tempfile::tempdir().unwrap();
        let root = repo.path();
        std::fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nrefinery = \"0.8\"\n",
        )
        .unwrap();
        let dir = root.join("migrations");
        std::fs::create_dir_all(dir.join("nested/deeper")).unwrap();
        let mut skipped = BTreeSet::new();
        let mut used = BTreeSet::new();
        for _ in 0..rng.usize(1..12) {
            let version = rng.u32(1..40);
            if !used.insert(version) {
                continue;
            }
            let place = ["", "nested/", "nested/deeper/"][rng.usize(..3)];
            let (name, read) = match rng.u8(..6) {
                0 => (format!("V{version}__add-table.sql"), false),
                1 => (format!("{version}_plain.sql"), false),
                2 => (format!("v{version}__lower.sql"), false),
                3 => (format!("U{version}__unversioned.sql"), true),
                _ => (format!("V{version}__step_{version}.sql"), true),
            };
            if !read {
                skipped.insert(name.clone());
            }
            std::fs::write(
                dir.join(format!("{place}{name}")),
                format!("CREATE TABLE t{version} (id bigint);\n"),
            )
            .unwrap();
        }
        let theirs: BTreeSet<i64> = refinery::load_sql_migrations(&dir)
            .unwrap()
            .iter()
            .map(|m| i64::from(m.version()))
            .collect();
        let history = run_in(root, &["history", "--format", "json"]);
        assert_eq!(history.code, 0, "seed {seed}: {}", history.stderr);
        let value: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
        let ours: BTreeSet<i64> = value["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(ours, theirs, "seed {seed}: the versions read");
        let check = run_in(root, &["check", "--format", "json"]);
        let value: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
        let flagged: BTreeSet<String> = value["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["name"] == "skipped-file")
            .map(|d| {
                let path = d["path"].as_str().unwrap();
                path.rsplit('/').next().unwrap().to_owned()
            })
            .collect();
        assert_eq!(flagged, skipped, "seed {seed}: the files refinery skips");
    }
}
