//! Unit tests of `rule`.

use super::*;

#[test]
fn names_are_kebab_case_and_ids_unique() {
    let mut ids: Vec<_> = Rule::ALL.iter().map(|r| r.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), Rule::ALL.len());
    for rule in Rule::ALL {
        assert!(
            rule.name()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{}",
            rule.name()
        );
    }
}

#[test]
fn the_readme_lists_every_rule_with_its_id_and_severity() {
    let readme = include_str!("../../../README.md");
    for rule in Rule::ALL {
        let row = format!(
            "| `{}` | {} | {} |",
            rule.name(),
            rule.id(),
            rule.severity()
        );
        assert!(readme.contains(&row), "README has no row `{row}`");
    }
}
