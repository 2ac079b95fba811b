//! The release workflow (`.github/workflows/release.yml`), which cannot run here: it builds a
//! wheel and an npm platform package for every platform the npm layout names, with the same
//! `scripts/wheel` the tests use, and passes its matrix to the shell through `env` only.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::root;

fn workflow() -> Value {
    crate::common::yaml_as_json(&root().join(".github/workflows/release.yml"))
}

#[test]
fn every_npm_platform_gets_a_wheel_built_by_scripts_wheel() {
    let workflow = workflow();
    let job = &workflow["jobs"]["wheel"];
    let matrix: BTreeSet<String> = job["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["npm"].as_str().unwrap().to_owned())
        .collect();
    let platforms: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("packaging/npm/platforms.json")).unwrap(),
    )
    .unwrap();
    let listed: BTreeSet<String> = platforms.as_object().unwrap().keys().cloned().collect();
    assert_eq!(matrix, listed);
    let runs: Vec<&str> = workflow["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|job| job["steps"].as_array().unwrap())
        .filter_map(|step| step["run"].as_str())
        .collect();
    assert!(
        runs.iter().any(|r| r.contains("scripts/wheel --target")),
        "{runs:?}"
    );
    for run in runs {
        assert!(
            !run.contains("${{"),
            "an expression pasted into a script: {run}"
        );
    }
}
