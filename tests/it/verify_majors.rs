//! The catalog, major by major: a tree with one revision per feature that a PostgreSQL major
//! added or changed (multiranges in 14, the `public` schema's privileges in 15, membership
//! options in 16, `MAINTAIN` in 17, virtual generated columns and named `NOT NULL` constraints
//! in 18). On every major that has the feature, `verify` names exactly what a down that forgets
//! one thing leaves behind, and passes with the correct down.

use std::path::Path;

use crate::common::server::{expected_major, own_server};
use crate::common::write_tree;
use crate::database::rev;

/// One feature: the first major that has it, the base it needs, its up, a down that forgets
/// one thing, the correct down, and the line the finding must hold.
struct Feature {
    name: &'static str,
    since: u32,
    base: &'static str,
    base_down: &'static str,
    up: &'static str,
    forgetful: &'static str,
    correct: &'static str,
    expected: &'static str,
}

const FEATURES: &[Feature] = &[
    Feature {
        name: "multirange column",
        since: 14,
        base: "",
        base_down: "",
        up: "CREATE TABLE spans (r int4multirange);",
        forgetful: "SELECT 1;",
        correct: "DROP TABLE spans;",
        expected: "table public.spans is still present after the downgrade",
    },
    Feature {
        name: "public schema privileges",
        since: 15,
        base: "",
        base_down: "",
        up: "GRANT CREATE ON SCHEMA public TO PUBLIC;",
        forgetful: "SELECT 1;",
        correct: "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        expected: "role PUBLIC still has CREATE on schema public after the downgrade",
    },
    Feature {
        name: "membership options",
        since: 16,
        base: "CREATE ROLE vmaj_group; CREATE ROLE vmaj_member; GRANT vmaj_group TO vmaj_member;",
        base_down: "DROP ROLE vmaj_member; DROP ROLE vmaj_group;",
        up: "GRANT vmaj_group TO vmaj_member WITH INHERIT FALSE, SET FALSE;",
        forgetful: "SELECT 1;",
        correct: "GRANT vmaj_group TO vmaj_member WITH INHERIT TRUE, SET TRUE;",
        expected: "role vmaj_member differs after the downgrade",
    },
    Feature {
        name: "MAINTAIN",
        since: 17,
        base: "CREATE ROLE vmaj_keeper;",
        base_down: "DROP ROLE vmaj_keeper;",
        up: "GRANT MAINTAIN ON things TO vmaj_keeper;",
        forgetful: "SELECT 1;",
        correct: "REVOKE MAINTAIN ON things FROM vmaj_keeper;",
        expected: "role vmaj_keeper still has MAINTAIN on table public.things after the downgrade",
    },
    Feature {
        name: "virtual generated column",
        since: 18,
        base: "ALTER TABLE things ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;",
        base_down: "",
        up: "ALTER TABLE things DROP COLUMN twice; ALTER TABLE things ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) VIRTUAL;",
        forgetful: "ALTER TABLE things DROP COLUMN twice; ALTER TABLE things ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) VIRTUAL;",
        correct: "ALTER TABLE things DROP COLUMN twice; ALTER TABLE things ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;",
        expected: "column public.things.twice differs after the downgrade",
    },
    Feature {
        name: "named NOT NULL constraint",
        since: 18,
        base: "",
        base_down: "",
        up: "ALTER TABLE things ADD CONSTRAINT things_note_required NOT NULL note;",
        forgetful: "SELECT 1;",
        correct: "ALTER TABLE things ALTER COLUMN note DROP NOT NULL;",
        expected: "constraint public.things.things_note_required is still present after the downgrade",
    },
];

fn tree(dir: &Path, feature: &Feature, down: &str) {
    let base = format!(
        "CREATE TABLE things (id int PRIMARY KEY, note text);\n{}",
        feature.base
    );
    write_tree(
        dir,
        &[
            (
                "001_base.sql",
                &rev(
                    "base",
                    "none",
                    &base,
                    &format!("DROP TABLE things;\n{}", feature.base_down),
                ),
            ),
            ("002_feature.sql", &rev("feature", "001", feature.up, down)),
        ],
    );
}

#[test]
fn verify_names_what_each_majors_feature_leaves_behind() {
    let _turn = crate::common::server::cluster_roles();
    let major = expected_major();
    let db = own_server().database("verify_majors");
    let mut tried = 0;
    for feature in FEATURES.iter().filter(|f| f.since <= major) {
        tried += 1;
        let run = |down: &str| {
            let dir = tempfile::tempdir().unwrap();
            tree(dir.path(), feature, down);
            crate::verify::verify(dir.path(), &db.url, &[])
        };
        let out = run(feature.forgetful);
        let findings: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.contains("error["))
            .collect();
        assert!(
            out.code == 1
                && findings.len() == 1
                && findings[0].contains("error[downgrade-leaves-trace]")
                && findings[0].contains(feature.expected),
            "PostgreSQL {major}, {}: expected one finding naming `{}`, got\n{}{}",
            feature.name,
            feature.expected,
            out.stdout,
            out.stderr
        );
        let out = run(feature.correct);
        assert_eq!(
            out.code, 0,
            "PostgreSQL {major}, {}: the correct down must pass\n{}{}",
            feature.name, out.stdout, out.stderr
        );
    }
    assert!(
        tried > 0 || major < 14,
        "no feature was tried on PostgreSQL {major}"
    );
}
