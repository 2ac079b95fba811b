//! Suppressions written in the files, each with its reason: `-- migrate:ignore RULE -- reason`
//! in SQL, `# migrate: ignore[RULE] reason` in Python and in every other text file. One on a
//! line with a finding silences that finding; one in the file's header (the comments and the
//! module docstring before the first statement) silences the rule in the whole file. A
//! suppression that silences nothing is `unused-ignore`, so that suppressions do not rot.

use memchr::memmem;

use super::{Diagnostic, Kind, Location, Rule};

/// One suppression comment.
#[derive(Debug, Clone)]
pub(crate) struct Suppression {
    path: String,
    line: usize,
    column: usize,
    /// The rules it names; empty when it names none that exist.
    rules: Vec<Rule>,
    /// Whether it stands in the file's header, and so covers the whole file.
    whole_file: bool,
    /// What is wrong with it as written: an unknown rule, or no reason.
    problem: Option<String>,
}

impl Suppression {
    /// Where it is written: its file, line and column, as its `unused-ignore` reports it.
    #[must_use]
    pub(crate) fn place(&self) -> (&str, usize, usize) {
        (&self.path, self.line, self.column)
    }
    /// Whether it can be read and names a rule that `rule` picks out.
    #[must_use]
    pub(crate) fn names_any(&self, rule: impl Fn(Rule) -> bool) -> bool {
        self.problem.is_none() && self.rules.iter().any(|r| rule(*r))
    }

    /// Whether it can be read and every rule it names is one that `rule` picks out.
    #[must_use]
    pub(crate) fn names_only(&self, rule: impl Fn(Rule) -> bool) -> bool {
        self.problem.is_none() && self.rules.iter().all(|r| rule(*r))
    }
}

/// Every suppression in one file's bytes: one pass over them for the common part of both
/// forms, so that the thousands of files without one cost a search and nothing more.
#[must_use]
pub(crate) fn find_in_bytes(path: &str, bytes: &[u8]) -> Vec<Suppression> {
    if memmem::find(bytes, b"migrate:").is_none() {
        return Vec::new();
    }
    find(path, &String::from_utf8_lossy(bytes))
}

/// Every suppression in one file's text.
#[must_use]
pub(crate) fn find(path: &str, text: &str) -> Vec<Suppression> {
    if memmem::find(text.as_bytes(), b"migrate:").is_none() {
        return Vec::new();
    }
    let header_end = header_end(text);
    // Documentation that shows the syntax shows it as code: in a Markdown or reStructuredText
    // file, what stands in a code span or a fenced block is an example, not a suppression.
    let prose = [".md", ".markdown", ".rst"]
        .iter()
        .any(|ext| path.to_ascii_lowercase().ends_with(ext));
    let mut fenced = false;
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if prose {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fenced = !fenced;
                continue;
            }
            if fenced || line.starts_with("    ") {
                continue;
            }
        }
        // In any file, the syntax shown in a code span (`...`, as doc comments write it) or
        // quoted in a string literal is not a comment of its own.
        let in_code = |at: usize| {
            let before = &line[..at];
            before.matches('`').count() % 2 == 1 || before.ends_with(['"', '\''])
        };
        let parsed = if let Some(at) = line.find("migrate:ignore").filter(|&at| !in_code(at)) {
            let rest = &line[at + "migrate:ignore".len()..];
            let (names, reason) = rest.split_once(" -- ").unwrap_or((rest, ""));
            Some((at, names.to_owned(), reason.trim().to_owned()))
        } else if let Some(at) = line.find("migrate: ignore[").filter(|&at| !in_code(at)) {
            let rest = &line[at + "migrate: ignore[".len()..];
            rest.split_once(']')
                .map(|(names, reason)| (at, names.to_owned(), reason.trim().to_owned()))
        } else {
            None
        };
        let Some((at, names, reason)) = parsed else {
            continue;
        };
        let mut rules = Vec::new();
        let mut problem = None;
        for name in names
            .split([',', ' '])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match Rule::from_name(name).filter(|r| r.kind() == Kind::Finding) {
                Some(rule) => rules.push(rule),
                None => problem = Some(format!("`{name}` is not a rule `check` reports")),
            }
        }
        if rules.is_empty() && problem.is_none() {
            problem = Some("it names no rule".to_owned());
        }
        if reason.is_empty() && problem.is_none() {
            problem = Some("it gives no reason".to_owned());
        }
        found.push(Suppression {
            path: path.to_owned(),
            line: index + 1,
            column: line[..at].chars().count() + 1,
            rules,
            whole_file: index < header_end,
            problem,
        });
    }
    found
}

/// The diagnostics without those suppressed, and an `unused-ignore` for each suppression that
/// silenced nothing or cannot be read.
#[must_use]
pub(crate) fn apply(diagnostics: Vec<Diagnostic>, suppressions: &[Suppression]) -> Vec<Diagnostic> {
    let mut used = vec![false; suppressions.len()];
    let mut kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| {
            let Some(location) = &d.location else {
                return true;
            };
            if d.rule.kind() != Kind::Finding {
                return true;
            }
            let by = suppressions.iter().position(|s| {
                s.problem.is_none()
                    && s.path == location.path
                    && s.rules.contains(&d.rule)
                    && (s.whole_file || s.line == location.line)
            });
            match by {
                Some(i) => {
                    used[i] = true;
                    false
                }
                None => true,
            }
        })
        .collect();
    for (suppression, used) in suppressions.iter().zip(used) {
        if used {
            continue;
        }
        let names: Vec<&str> = suppression.rules.iter().map(|r| r.name()).collect();
        let (message, help) = match &suppression.problem {
            Some(problem) => (
                format!("this `migrate:ignore` suppresses nothing: {problem}"),
                "write `-- migrate:ignore RULE -- reason` (SQL) or `# migrate: ignore[RULE] reason`, with a rule name from the README's table".to_owned(),
            ),
            None => (
                format!(
                    "this `migrate:ignore` suppresses nothing: no `{}` finding is {}",
                    names.join("`, `"),
                    if suppression.whole_file { "in this file" } else { "on this line" }
                ),
                "remove the comment: what it silenced is gone".to_owned(),
            ),
        };
        kept.push(Diagnostic::new(
            Rule::UnusedIgnore,
            Location::span(&suppression.path, suppression.line, suppression.column, 14),
            message,
            help,
        ));
    }
    kept
}

/// The index of the first line after the file's header: leading blank lines, comments and
/// the module docstring. A native revision's header ends at its up marker.
fn header_end(text: &str) -> usize {
    let mut in_doc: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(quote) = in_doc {
            if trimmed.contains(quote) {
                in_doc = None;
            }
            continue;
        }
        if trimmed.starts_with("-- migrate:up") {
            return index;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("--") {
            continue;
        }
        let opening = ["\"\"\"", "'''"].into_iter().find(|q| {
            trimmed
                .trim_start_matches(['r', 'R', 'u', 'U'])
                .starts_with(q)
        });
        if let Some(quote) = opening {
            let after = &trimmed[trimmed.find(quote).map_or(0, |i| i + 3)..];
            if !after.contains(quote) {
                in_doc = Some(quote);
            }
            continue;
        }
        return index;
    }
    usize::MAX
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn finding(rule: Rule, line: usize) -> Diagnostic {
        Diagnostic::new(rule, Location::span("a.py", line, 1, 1), "m", "h")
    }

    #[test]
    fn a_suppression_silences_its_line_or_its_file_and_reports_itself_unused() {
        let text = "\"\"\"Doc\n\nRevises: 1\n\"\"\"\n# migrate: ignore[stale-docstring] history from 2019\nrevision = 'x'  # migrate: ignore[mixed-width] kept\nx = 1  # migrate: ignore[cycle] no cycle here\ny = 2  # migrate: ignore[no-such-rule] typo\nz = 3  # migrate: ignore[cycle]\n";
        let found = find("a.py", text);
        assert_eq!(found.len(), 5);
        assert!(found[0].whole_file && !found[1].whole_file);
        let kept = apply(
            vec![
                finding(Rule::StaleDocstring, 3),
                finding(Rule::MixedWidth, 6),
                finding(Rule::MixedWidth, 7),
            ],
            &found,
        );
        let rules: Vec<(Rule, usize)> = kept
            .iter()
            .map(|d| (d.rule, d.location.as_ref().unwrap().line))
            .collect();
        assert_eq!(
            rules,
            [
                (Rule::MixedWidth, 7),
                (Rule::UnusedIgnore, 7),
                (Rule::UnusedIgnore, 8),
                (Rule::UnusedIgnore, 9)
            ]
        );
        assert!(kept[3].message.contains("no reason"), "{}", kept[3].message);
        assert_eq!(kept[1].severity(), Severity::Warning);
    }

    #[test]
    fn documentation_that_shows_the_syntax_suppresses_nothing() {
        let text = "Write `-- migrate:ignore RULE -- reason`.\n\n```sql\n-- migrate:ignore stale-reference -- why\n```\n\n    # migrate: ignore[stale-docstring] indented\nA real one: 001_x.sql  # migrate: ignore[stale-reference] kept\n";
        let found = find("docs/guide.md", text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 8);
    }

    #[test]
    fn the_sql_form_reads_its_reason_after_two_dashes() {
        let text = "-- migrate:revises 1\n-- migrate:ignore stale-reference, mixed-width -- renamed in 2020\n-- migrate:up\nselect 1; -- migrate:ignore cycle\n";
        let found = find("2_a.sql", text);
        assert_eq!(found[0].rules, [Rule::StaleReference, Rule::MixedWidth]);
        assert!(found[0].whole_file && found[0].problem.is_none());
        assert!(!found[1].whole_file && found[1].problem.is_some());
    }
}
