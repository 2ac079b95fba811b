//! `[rules]` and `[per-path-rules]` of migrate.toml: a severity for each rule, everywhere or
//! under some paths, as ruff's and squawk's rule settings do it.

use std::collections::BTreeMap;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Kind, Rule, Severity};
use crate::{Error, relpath};

/// What a setting does to a rule's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Severity(Severity),
    Off,
}

/// The rule settings of one configuration file.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleSettings {
    everywhere: BTreeMap<Rule, Level>,
    /// In file order; a later match wins, as later lines of `.gitignore` do.
    per_path: Vec<(String, GlobMatcher, BTreeMap<Rule, Level>)>,
}

type Table = BTreeMap<Spanned<String>, Spanned<String>>;

impl RuleSettings {
    /// Reads the tables; a name that is no rule `check` reports, or a level that is no level,
    /// is an error naming the file and line.
    pub(crate) fn parse(
        file: &Path,
        text: &str,
        rules: &Table,
        per_path: &BTreeMap<Spanned<String>, Table>,
    ) -> Result<RuleSettings, Error> {
        let shown = relpath::display(file);
        let everywhere = levels(&shown, text, rules)?;
        let mut ordered: Vec<(&Spanned<String>, &Table)> = per_path.iter().collect();
        ordered.sort_by_key(|(glob, _)| glob.span().start);
        let mut compiled = Vec::new();
        for (glob, table) in ordered {
            let matcher = Glob::new(glob.get_ref())
                .map_err(|e| Error::ConfigValue {
                    path: shown.clone(),
                    line: line_of(text, glob.span().start),
                    message: format!("`{}` is not a glob: {e}", glob.get_ref()),
                })?
                .compile_matcher();
            compiled.push((
                glob.get_ref().clone(),
                matcher,
                levels(&shown, text, table)?,
            ));
        }
        Ok(RuleSettings {
            everywhere,
            per_path: compiled,
        })
    }

    /// The diagnostics with the configured severities, and without the rules turned off.
    #[must_use]
    pub(crate) fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if self.everywhere.is_empty() && self.per_path.is_empty() {
            return diagnostics;
        }
        diagnostics
            .into_iter()
            .filter_map(|mut diagnostic| {
                let path = diagnostic.path().map(|p| p.trim_start_matches("./"));
                let mut level = self.everywhere.get(&diagnostic.rule).copied();
                for (_, glob, table) in &self.per_path {
                    if path.is_some_and(|p| glob.is_match(p))
                        && let Some(set) = table.get(&diagnostic.rule)
                    {
                        level = Some(*set);
                    }
                }
                match level {
                    Some(Level::Off) => None,
                    Some(Level::Severity(severity)) => {
                        diagnostic.configured = Some(severity);
                        Some(diagnostic)
                    }
                    None => Some(diagnostic),
                }
            })
            .collect()
    }
}

fn levels(shown: &str, text: &str, table: &Table) -> Result<BTreeMap<Rule, Level>, Error> {
    let mut levels = BTreeMap::new();
    for (name, level) in table {
        let at = |span: std::ops::Range<usize>| line_of(text, span.start);
        let rule = Rule::from_name(name.get_ref())
            .filter(|rule| rule.kind() == Kind::Finding)
            .ok_or_else(|| Error::ConfigValue {
                path: shown.to_owned(),
                line: at(name.span()),
                message: format!(
                    "`{}` is not a rule that `check` reports (the README's table names them)",
                    name.get_ref()
                ),
            })?;
        let value = match level.get_ref().as_str() {
            "error" => Level::Severity(Severity::Error),
            "warning" => Level::Severity(Severity::Warning),
            "off" => Level::Off,
            other => {
                return Err(Error::ConfigValue {
                    path: shown.to_owned(),
                    line: at(level.span()),
                    message: format!(
                        "`{}` must be \"error\", \"warning\" or \"off\", not `{other}`",
                        name.get_ref()
                    ),
                });
            }
        };
        levels.insert(rule, value);
    }
    Ok(levels)
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
