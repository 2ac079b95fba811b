//! `missing-lock-timeout`: a statement that takes an `ACCESS EXCLUSIVE` lock on a table that
//! already exists, in a section that runs with `lock_timeout` turned off. Waiting for that lock
//! queues every later query on the table behind it; `lock_timeout` bounds the wait.

use std::collections::HashSet;

use squawk_syntax::ast::{self, AstNode};

use super::Subject;
use crate::diagnostic::{Diagnostic, Rule};

pub(super) fn findings(subject: &Subject<'_>) -> Vec<Diagnostic> {
    let piece = subject.piece;
    // Alembic sets its own timeouts, usually in env.py, which lint does not read.
    if !piece.native || !subject.context.lock_timeout(piece).is_zero() {
        return Vec::new();
    }
    let mut created: HashSet<String> = HashSet::new();
    for statement in subject.parse.tree().stmts() {
        match &statement {
            ast::Stmt::CreateTable(create) => {
                if let Some(name) = create.table_name() {
                    created.insert(normalize(&name.syntax().text().to_string()));
                }
                continue;
            }
            ast::Stmt::Set(_) => {
                let words = statement.syntax().text().to_string().to_ascii_lowercase();
                if words.contains("lock_timeout") && !sets_zero(&words) {
                    return Vec::new();
                }
                continue;
            }
            _ => {}
        }
        let on = match access_exclusive(&statement) {
            None => continue,
            Some(Locked::Table(table)) if created.contains(&table) => continue,
            Some(Locked::Table(table)) => format!(" on `{table}`"),
            Some(Locked::Unnamed) => String::new(),
        };
        return vec![subject.finding_at(
            Rule::MissingLockTimeout,
            &statement,
            format!(
                "this statement takes an ACCESS EXCLUSIVE lock{on} with `lock_timeout` turned off: while it waits for the lock, every query on the table waits behind it"
            ),
            "set `lock_timeout` in migrate.toml (`lock_timeout = \"2s\"`) or on the marker (`-- migrate:up lock_timeout:2s`), or `SET lock_timeout` before the statement",
        )];
    }
    Vec::new()
}

/// Whether a `SET lock_timeout` turns it off: `0`, `'0'`, `'0s'`.
fn sets_zero(words: &str) -> bool {
    let value = words
        .rsplit(['=', ' '])
        .find(|w| !w.trim().is_empty())
        .unwrap_or_default();
    let value = value.trim().trim_end_matches(';').trim_matches('\'');
    value.trim_end_matches(|c: char| c.is_ascii_alphabetic()) == "0"
}

/// The table a statement takes an ACCESS EXCLUSIVE lock on.
enum Locked {
    Table(String),
    /// A table whose name is not at hand, as for `DROP INDEX`.
    Unnamed,
}

/// What the statement takes an ACCESS EXCLUSIVE lock on, if it takes one.
fn access_exclusive(statement: &ast::Stmt) -> Option<Locked> {
    let name = |node: Option<&dyn AstNode>| {
        node.map_or(Locked::Unnamed, |n| {
            Locked::Table(normalize(&n.syntax().text().to_string()))
        })
    };
    match statement {
        ast::Stmt::AlterTable(alter) => {
            let exclusive = alter.actions().any(|a| action_is_exclusive(&a));
            let table = alter.table_relation_name();
            exclusive.then(|| name(table.as_ref().map(|n| n as &dyn AstNode)))
        }
        ast::Stmt::DropTable(drop) => {
            let table = drop.table_name_refs().next();
            Some(name(table.as_ref().map(|n| n as &dyn AstNode)))
        }
        ast::Stmt::DropIndex(drop) if drop.concurrently_token().is_none() => Some(Locked::Unnamed),
        ast::Stmt::Truncate(_) | ast::Stmt::Cluster(_) => Some(Locked::Unnamed),
        ast::Stmt::Vacuum(vacuum) if vacuum.full_token().is_some() => Some(Locked::Unnamed),
        ast::Stmt::Lock(lock) => {
            let mode = lock.lock_mode_clause().and_then(|c| c.lock_mode());
            matches!(mode, None | Some(ast::LockMode::AccessExclusive(_)))
                .then_some(Locked::Unnamed)
        }
        _ => None,
    }
}

/// Whether an `ALTER TABLE` action takes ACCESS EXCLUSIVE, as PostgreSQL's documentation of
/// `ALTER TABLE` lists them: most do; these take a weaker lock.
fn action_is_exclusive(action: &ast::AlterTableAction) -> bool {
    use ast::AlterTableAction as A;
    match action {
        A::ValidateConstraint(_)
        | A::SetOptions(_)
        | A::ResetOptions(_)
        | A::ClusterOn(_)
        | A::SetWithoutCluster(_)
        | A::DisableTrigger(_)
        | A::EnableTrigger(_)
        | A::EnableAlwaysTrigger(_)
        | A::EnableReplicaTrigger(_)
        | A::AttachPartition(_) => false,
        A::AddConstraint(add) => !matches!(
            add.constraint(),
            Some(ast::Constraint::ForeignKeyConstraint(_))
        ),
        A::AlterColumn(column) => !matches!(
            column.option(),
            Some(
                ast::AlterColumnOption::SetStatistics(_)
                    | ast::AlterColumnOption::SetOptions(_)
                    | ast::AlterColumnOption::ResetOptions(_)
            )
        ),
        A::DetachPartition(detach) => !detach
            .syntax()
            .text()
            .to_string()
            .to_ascii_lowercase()
            .contains("concurrently"),
        _ => true,
    }
}

/// A table's name as compared here: unquoted, lower-cased unless quoted, without `ONLY`, `*`
/// or the schema.
fn normalize(written: &str) -> String {
    let trimmed = written.trim();
    let trimmed = trimmed
        .strip_prefix("ONLY ")
        .or_else(|| trimmed.strip_prefix("only "))
        .unwrap_or(trimmed)
        .trim_end_matches(['*', ' ']);
    let last = trimmed.rsplit('.').next().unwrap_or(trimmed);
    if let Some(quoted) = last.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        quoted.to_owned()
    } else {
        last.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_zero_timeouts() {
        assert_eq!(normalize("ONLY public.Users *"), "users");
        assert_eq!(normalize("\"Mixed\""), "Mixed");
        assert!(sets_zero("set lock_timeout = 0"));
        assert!(sets_zero("set local lock_timeout to '0s'"));
        assert!(!sets_zero("set lock_timeout = '2s'"));
        assert!(!sets_zero("set lock_timeout to 100"));
    }
}
