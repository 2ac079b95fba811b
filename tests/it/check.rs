//! `migrate check` on every fixture tree, in every format: exit codes, the rules found, and snapshots.

use crate::common::{migrate, transcript};
use serde_json::Value;

const FORMATS: [&str; 4] = ["human", "concise", "json", "github"];

/// Each fixture and the rules `check` must report for it (sorted, deduplicated).
const FIXTURES: [(&str, &[&str]); 11] = [
    ("clean", &[]),
    ("cycle", &["cycle", "parent-not-older"]),
    ("dangling-parent", &["dangling-parent"]),
    (
        "duplicate-revision",
        &["duplicate-revision", "multiple-heads"],
    ),
    ("invalid-filename", &["invalid-filename"]),
    ("malformed-file", &["malformed-file"]),
    ("mixed-width", &["mixed-width"]),
    ("multiple-heads", &["multiple-heads", "stale-parent"]),
    // Two roots that no merge joins: two histories, so two heads too.
    ("multiple-roots", &["multiple-heads", "multiple-roots"]),
    ("parent-not-older", &["parent-not-older"]),
    ("stale-parent", &["multiple-heads", "stale-parent"]),
];

fn json_for(fixture: &str) -> Value {
    let output = migrate()
        .args(["check", "--no-references", "--format", "json", "--dir"])
        .arg(format!("tests/fixtures/{fixture}"))
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).expect("check --format json prints JSON")
}

#[test]
fn every_fixture_reports_exactly_its_rules() {
    for (fixture, expected) in FIXTURES {
        let json = json_for(fixture);
        let mut names: Vec<&str> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names, expected, "fixture {fixture}");
    }
}

#[test]
fn exit_codes_follow_severity() {
    for (fixture, expected) in FIXTURES {
        let code = migrate()
            .args(["check", "--no-references", "--dir"])
            .arg(format!("tests/fixtures/{fixture}"))
            .output()
            .unwrap()
            .status
            .code();
        let want = i32::from(!expected.iter().all(|&rule| rule == "mixed-width"));
        assert_eq!(code, Some(want), "fixture {fixture}");
    }
    migrate()
        .args([
            "check",
            "--no-references",
            "--strict",
            "--dir",
            "tests/fixtures/mixed-width",
        ])
        .assert()
        .code(1);
    migrate()
        .args([
            "check",
            "--no-references",
            "--strict",
            "--dir",
            "tests/fixtures/clean",
        ])
        .assert()
        .code(0);
}

#[test]
fn json_contract() {
    let json = json_for("duplicate-revision");
    assert_eq!(json["version"], 1);
    let first = &json["diagnostics"][0];
    for key in [
        "name", "id", "severity", "message", "path", "line", "column", "help", "related",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["name"], "duplicate-revision");
    assert_eq!(first["id"], "M001");
    assert_eq!(
        first["path"],
        "tests/fixtures/duplicate-revision/040_add_readonly_role.sql"
    );
    assert_eq!(
        first["related"][0]["path"],
        "tests/fixtures/duplicate-revision/040_create_team.sql"
    );
    assert_eq!(
        json["summary"],
        serde_json::json!({"errors": 2, "warnings": 0, "revisions": 3, "heads": 2})
    );
}

#[test]
fn diagnostics_are_sorted_and_one_based() {
    let json = json_for("malformed-file");
    let keys: Vec<(String, u64, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(
        keys.iter()
            .all(|(_, line, column)| *line >= 1 && *column >= 1)
    );
}

#[test]
fn every_fixture_in_every_format_matches_its_snapshot() {
    for (fixture, _) in FIXTURES {
        for format in FORMATS {
            let output = transcript(
                migrate()
                    .args([
                        "check",
                        "--no-references",
                        "--color",
                        "never",
                        "--format",
                        format,
                        "--dir",
                    ])
                    .arg(format!("tests/fixtures/{fixture}")),
            );
            insta::assert_snapshot!(format!("{fixture}__{format}"), output);
        }
    }
}

#[test]
fn the_example_project_passes() {
    // The main job as the README gives it, the repository scan included, and without it; and
    // lint, warnings included, on every revision of the example.
    for (args, summary) in [
        (&["check"][..], "All checks passed: 7 revisions (1 head)"),
        (
            &["check", "--no-references"],
            "All checks passed: 7 revisions (1 head)",
        ),
        (
            &["lint", "--strict"],
            "All checks passed: 7 revisions linted, of 7",
        ),
    ] {
        migrate()
            .args(args)
            .assert()
            .code(0)
            .stdout(predicates::str::contains(summary));
    }
}

#[test]
fn github_annotations_escape_properties_and_data() {
    let output = migrate()
        .args([
            "check",
            "--no-references",
            "--format",
            "github",
            "--dir",
            "tests/fixtures/duplicate-revision",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("::error file=tests/fixtures/duplicate-revision/040_add_readonly_role.sql,line=1,col=1,title=duplicate-revision (M001)::"), "{first}");
    assert!(
        first.contains("%0Ahelp: "),
        "the help line is an escaped second line: {first}"
    );
}
