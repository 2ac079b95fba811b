//! squawk's rules on one piece of SQL, told the piece's transaction mode and the target
//! PostgreSQL version; each violation becomes a `lint/` finding at its place in the file.

use squawk_linter::{Linter, Rule as Squawk};

use super::Subject;
use crate::diagnostic::lint_rule::LintRule;
use crate::diagnostic::{Diagnostic, Rule};

/// The findings of squawk's default rules, less those `migrate` answers better itself.
pub(super) fn findings(subject: &Subject<'_>) -> Vec<Diagnostic> {
    let (context, piece) = (subject.context, subject.piece);
    // `concurrently-in-transaction` covers squawk's rule for CREATE INDEX and more;
    // `missing-lock-timeout` knows the lock_timeout migrate sets, which squawk cannot see.
    let mut excluded = vec![
        Squawk::BanConcurrentIndexCreationInTransaction,
        Squawk::RequireLockTimeout,
    ];
    // A statement_timeout migrate sets (migrate.toml, the flag, the marker) is one squawk
    // cannot see in the SQL; an Alembic project sets its own in env.py, which lint does not read.
    if !piece.native || context.statement_timeout(piece).is_some() {
        excluded.push(Squawk::RequireStatementTimeout);
    }
    let mut linter = Linter::with_rules(&[], &excluded);
    linter.settings.pg_version = context.settings.lint.pg_version;
    linter.settings.assume_in_transaction = piece.transaction;
    linter
        .lint(subject.parse, &piece.sql)
        .into_iter()
        .filter_map(|violation| {
            let rule = LintRule::of(violation.code)?;
            let range = violation.text_range;
            let help = violation.help.unwrap_or_else(|| {
                format!(
                    "see https://squawkhq.com/docs/{}",
                    rule.name().trim_start_matches("lint/")
                )
            });
            Some(subject.finding(
                Rule::Lint(rule),
                (usize::from(range.start()), usize::from(range.end())),
                one_line(&violation.message),
                one_line(&help),
            ))
        })
        .collect()
}

/// squawk's words on one line, without the closing period our messages do not have.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.strip_suffix('.').unwrap_or(&joined).to_owned()
}
