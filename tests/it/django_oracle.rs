//! Django itself as the oracle (from PyPI, in the test virtualenv that `scripts/test` makes): for
//! random per-app graphs, with dependencies across apps, sometimes a missing migration and
//! sometimes a cycle, Django's `MigrationLoader` and `migrate check` agree, app by app, on which
//! apps have several leaf nodes, and on a missing dependency and a cycle.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{root, run_in};

/// What Django's loader says of the project at `dir`: each conflicting app, or `missing` or
/// `cycle`.
const ORACLE: &str = r#"
import json, sys
sys.path.insert(0, sys.argv[1])
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=sys.argv[2:], DATABASES={})
django.setup()
from django.db.migrations.exceptions import CircularDependencyError, NodeNotFoundError
from django.db.migrations.loader import MigrationLoader
try:
    loader = MigrationLoader(None, ignore_no_migrations=True)
except NodeNotFoundError:
    print(json.dumps(["missing"])); sys.exit(0)
except CircularDependencyError:
    print(json.dumps(["cycle"])); sys.exit(0)
print(json.dumps(sorted(loader.detect_conflicts())))
"#;

fn python() -> std::path::PathBuf {
    let python = root().join("target/venv/bin/python");
    let has_django = std::process::Command::new(&python)
        .args(["-c", "import django"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_django,
        "Django is not installed in target/venv: run scripts/test, which installs it"
    );
    python
}

fn write(dir: &Path, app: &str, name: &str, dependencies: &[(String, String)]) {
    let deps = dependencies
        .iter()
        .map(|(a, n)| format!("        ('{a}', '{n}'),\n"))
        .collect::<Vec<_>>()
        .concat();
    std::fs::write(
        dir.join(app).join("migrations").join(format!("{name}.py")),
        format!(
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n    dependencies = [\n{deps}    ]\n\n    operations = []\n"
        ),
    )
    .unwrap();
}

/// What `migrate check` says, in the oracle's words.
fn ours(dir: &Path) -> Vec<String> {
    let run = run_in(dir, &["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", run.stdout, run.stderr);
    });
    let mut found = BTreeSet::new();
    for d in value["diagnostics"].as_array().unwrap() {
        match d["name"].as_str().unwrap() {
            "multiple-heads" => {
                let message = d["message"].as_str().unwrap();
                let app = message
                    .split("in app `")
                    .nth(1)
                    .and_then(|rest| rest.split('`').next())
                    .unwrap_or(message);
                found.insert(app.to_owned());
            }
            "dangling-parent" => {
                found.insert("missing".to_owned());
            }
            "cycle" => {
                found.insert("cycle".to_owned());
            }
            other => panic!("unexpected finding {other}: {}", run.stdout),
        }
    }
    // Django stops at the first broken graph: a missing node or a cycle hides conflicts.
    if found.contains("missing") {
        return vec!["missing".to_owned()];
    }
    if found.contains("cycle") {
        return vec!["cycle".to_owned()];
    }
    found.into_iter().collect()
}

#[test]
fn django_and_migrate_agree_on_conflicts_app_by_app() {
    let python = python();
    let mut disagreements = Vec::new();
    // `MIGRATE_DJANGO_SCENARIOS=N` runs more seeds (60 by default).
    let count: u64 = std::env::var("MIGRATE_DJANGO_SCENARIOS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    for seed in 1..=count {
        let mut rng = fastrand::Rng::with_seed(seed);
        let repo = tempfile::tempdir().unwrap();
        let dir = repo.path();
        let apps: Vec<String> = (0..rng.usize(1..4)).map(|i| format!("app{i}")).collect();
        for app in &apps {
            std::fs::create_dir_all(dir.join(app).join("migrations")).unwrap();
            std::fs::write(dir.join(app).join("__init__.py"), "").unwrap();
            std::fs::write(dir.join(app).join("migrations/__init__.py"), "").unwrap();
        }
        // Migrations are made in one global order and depend only on earlier ones, so the
        // graph has no cycle unless one is planted.
        let mut made: Vec<(String, String)> = Vec::new();
        let mut counts = vec![0u32; apps.len()];
        for _ in 0..rng.usize(2..12) {
            let a = rng.usize(..apps.len());
            counts[a] += 1;
            let name = format!("{:04}_m{}", counts[a], made.len());
            let own: Vec<&(String, String)> =
                made.iter().filter(|(app, _)| *app == apps[a]).collect();
            let mut deps = Vec::new();
            if let Some(parent) = own.last() {
                // Mostly the newest of the app; sometimes an older one, which forks the app.
                let pick = if rng.u8(..4) == 0 {
                    own[rng.usize(..own.len())]
                } else {
                    parent
                };
                deps.push((*pick).clone());
            }
            if !made.is_empty() && rng.bool() {
                deps.push(made[rng.usize(..made.len())].clone());
            }
            if rng.u8(..15) == 0 {
                deps.push((
                    apps[rng.usize(..apps.len())].clone(),
                    "0099_missing".to_owned(),
                ));
            }
            deps.dedup();
            write(dir, &apps[a], &name, &deps);
            made.push((apps[a].clone(), name));
        }
        if made.len() > 2 && rng.u8(..10) == 0 {
            // A cycle: the first migration depends on the last.
            let (first, last) = (made[0].clone(), made[made.len() - 1].clone());
            let own: Vec<(String, String)> = Vec::new();
            let mut deps = own;
            deps.push(last);
            write(dir, &first.0, &first.1, &deps);
        }
        let mut args = vec![
            "-c".to_owned(),
            ORACLE.to_owned(),
            dir.display().to_string(),
        ];
        args.extend(apps.iter().cloned());
        let output = std::process::Command::new(&python)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "seed {seed}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let theirs: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
        let ours = ours(dir);
        if ours != theirs {
            let listing = walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with('0'))
                .map(|e| {
                    let text = std::fs::read_to_string(e.path()).unwrap();
                    let deps: Vec<&str> = text
                        .lines()
                        .filter(|l| l.contains("('"))
                        .map(str::trim)
                        .collect();
                    let path = e.path().strip_prefix(dir).unwrap().display().to_string();
                    format!("  {path}: {}\n", deps.join(" "))
                })
                .collect::<Vec<_>>()
                .concat();
            disagreements.push(format!(
                "seed {seed}: Django says {theirs:?}, migrate {ours:?}\n{listing}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
