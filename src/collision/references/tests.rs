//! Unit tests of `references`.

use super::*;
use crate::graph::tests::revisions;

fn named(spec: &[(&str, &str)]) -> Vec<Revision> {
    let mut list = revisions(
        &spec
            .iter()
            .map(|(id, _)| (*id, &[][..]))
            .collect::<Vec<_>>(),
    );
    for (revision, (_, slug)) in list.iter_mut().zip(spec) {
        revision.slug = (*slug).to_owned();
        revision.path = format!("migrations/{}_{slug}.sql", revision.id);
    }
    list
}

#[test]
fn flags_a_renumbered_name_and_keeps_its_extension() {
    let list = named(&[("039", "create_x"), ("041", "add_readonly_role")]);
    let index = Index::new(&list);
    let text = b"assert exists('alembic/versions/040_add_readonly_role.py')\n";
    let found = index.stale_names(text);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message,
        "`040_add_readonly_role.py` names a migration that is now `041_add_readonly_role.sql`"
    );
    let fixed = apply(std::str::from_utf8(text).unwrap(), &found);
    assert!(fixed.contains("041_add_readonly_role.py"), "{fixed}");
}

#[test]
fn leaves_alone_what_is_not_a_stale_name() {
    let list = named(&[
        ("039", "create_x"),
        ("041", "add_role"),
        ("042", "seed"),
        ("043", "seed"),
    ]);
    let index = Index::new(&list);
    for text in [
        "41_add_role and 041_add_role.sql", // same number, other width
        "040_add_role_grants",              // another slug
        "test_040_add_role",                // not a token on its own
        "040_unknown_slug",                 // matches no revision
        "001_seed",                         // ambiguous: two revisions share the slug
        "x040_add_role",                    // inside a word
    ] {
        assert!(index.stale_names(text.as_bytes()).is_empty(), "{text}");
    }
}

#[test]
fn prose_that_disagrees_is_stale() {
    let mut list = revisions(&[("040", &[]), ("041", &["040"])]);
    let text = "-- Add the role\n-- Revision ID: 040\n-- Revises: 039\n-- migrate:revises 040\n\n-- migrate:up\nSELECT 'Revises: 1';\n";
    list[1].up = Some(crate::revision::Section {
        line: 6,
        sql: String::new(),
        transaction: true,
        timeouts: None,
    });
    let found = stale_prose(&list[1], text);
    let messages: Vec<_> = found.iter().map(|s| s.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`Revision ID: 040` disagrees: the file's revision is `041`",
            "`Revises: 039` disagrees: `-- migrate:revises` says `040`"
        ]
    );
    let fixed = apply(text, &found);
    assert!(
        fixed.contains("-- Revision ID: 041\n-- Revises: 040\n"),
        "{fixed}"
    );
    assert!(fixed.contains("SELECT 'Revises: 1'"));
    let prose = "-- Revises: the user table\n-- Revision ID: abc\n-- migrate:revises 040\n";
    list[1].up = None;
    assert!(stale_prose(&list[1], prose).is_empty());
}
