//! The names of squawk's rules as `migrate` reports them: `lint/` and squawk's own name, one
//! catalogue built from the squawk-linter crate, so a newer squawk brings its rules with it.

use std::sync::LazyLock;

/// One of squawk's rules, by its place in the catalogue (sorted by name, so that findings sort
/// the same way in every run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct LintRule(u8);

struct Entry {
    rule: squawk_linter::Rule,
    /// `lint/require-concurrent-index-creation`.
    name: String,
}

static CATALOGUE: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    let mut entries: Vec<Entry> = enum_iterator::all::<squawk_linter::Rule>()
        .map(|rule| Entry {
            rule,
            name: format!("lint/{rule}"),
        })
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    entries
});

/// The prefix of every squawk rule's name.
pub(crate) const PREFIX: &str = "lint/";

impl LintRule {
    /// The entry for a rule squawk reported.
    #[must_use]
    pub(crate) fn of(rule: squawk_linter::Rule) -> Option<LintRule> {
        CATALOGUE
            .iter()
            .position(|e| e.rule == rule)
            .and_then(|i| u8::try_from(i).ok())
            .map(LintRule)
    }

    /// The rule named `lint/NAME` as migrate.toml and suppressions write it; squawk's aliases
    /// (`prefer-timestamp-tz`) are accepted too.
    #[must_use]
    pub(crate) fn from_name(name: &str) -> Option<LintRule> {
        if let Some(i) = CATALOGUE.iter().position(|e| e.name == name) {
            return u8::try_from(i).ok().map(LintRule);
        }
        let rule = squawk_linter::Rule::try_from(name.strip_prefix(PREFIX)?).ok()?;
        LintRule::of(rule)
    }

    /// Every squawk rule, in name order.
    #[cfg(test)]
    pub(crate) fn all() -> impl Iterator<Item = LintRule> {
        (0..CATALOGUE.len()).filter_map(|i| u8::try_from(i).ok().map(LintRule))
    }

    /// `lint/` and squawk's name.
    #[must_use]
    pub(crate) fn name(self) -> &'static str {
        CATALOGUE
            .get(usize::from(self.0))
            .map_or(PREFIX, |e| e.name.as_str())
    }

    /// squawk's rule.
    #[cfg(test)]
    pub(crate) fn squawk(self) -> Option<squawk_linter::Rule> {
        CATALOGUE.get(usize::from(self.0)).map(|e| e.rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_squawk_rule_has_a_name_that_reads_back() {
        let all: Vec<LintRule> = LintRule::all().collect();
        assert!(all.len() > 38, "{}", all.len());
        for rule in all {
            assert_eq!(
                LintRule::from_name(rule.name()),
                Some(rule),
                "{} ({:?})",
                rule.name(),
                rule.squawk()
            );
            assert!(rule.name().starts_with("lint/"));
        }
        assert_eq!(
            LintRule::from_name("lint/require-concurrent-index-creation").map(LintRule::name),
            Some("lint/require-concurrent-index-creation")
        );
        assert_eq!(
            LintRule::from_name("require-concurrent-index-creation"),
            None
        );
        assert_eq!(LintRule::from_name("lint/no-such-rule"), None);
        assert_eq!(
            LintRule::from_name("lint/prefer-timestamp-tz"),
            LintRule::from_name("lint/prefer-timestamptz")
        );
    }
}
