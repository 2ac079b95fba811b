//! `concurrently-in-transaction` and `mixed-transaction-statements`: what only a runner that
//! knows each section's transaction mode can say.

use squawk_syntax::ast;

use super::Subject;
use crate::diagnostic::{Diagnostic, Rule};

/// PostgreSQL 12 let `ALTER TYPE ... ADD VALUE` run inside a transaction block.
const ADD_VALUE_IN_TRANSACTION: u32 = 12;

pub(super) fn findings(subject: &Subject<'_>) -> Vec<Diagnostic> {
    let piece = subject.piece;
    let statements: Vec<ast::Stmt> = subject.parse.tree().stmts().collect();
    let mut found = Vec::new();
    if piece.transaction {
        for statement in &statements {
            if let Some(what) = outside_only(statement, subject.context.settings.lint.pg_major) {
                let help = if piece.native {
                    "put it in a revision of its own with `transaction:false` on its marker (`-- migrate:up transaction:false`)"
                } else {
                    "run it inside `with op.get_context().autocommit_block():`"
                };
                found.push(subject.finding_at(
                    Rule::ConcurrentlyInTransaction,
                    statement,
                    format!("{what} cannot run inside a transaction block, and this section runs in one: it will fail when applied"),
                    help,
                ));
            }
        }
    } else if piece.native {
        let run: Vec<&ast::Stmt> = statements
            .iter()
            .filter(|s| !matches!(s, ast::Stmt::Set(_) | ast::Stmt::Reset(_)))
            .collect();
        if let [_, second, ..] = run.as_slice() {
            found.push(subject.finding_at(
                Rule::MixedTransactionStatements,
                *second,
                format!(
                    "this `transaction:false` section runs {} statements one at a time: if a later one fails, the earlier ones stay applied",
                    run.len()
                ),
                "give each statement that must run outside a transaction a revision of its own, and keep the others in transactional revisions",
            ));
        }
    }
    found
}

/// What the statement is, when PostgreSQL refuses to run it in a transaction block.
fn outside_only(statement: &ast::Stmt, pg_major: u32) -> Option<&'static str> {
    match statement {
        ast::Stmt::CreateIndex(s) if s.concurrently_token().is_some() => {
            Some("`CREATE INDEX CONCURRENTLY`")
        }
        ast::Stmt::DropIndex(s) if s.concurrently_token().is_some() => {
            Some("`DROP INDEX CONCURRENTLY`")
        }
        ast::Stmt::Reindex(s) if s.is_concurrently() => Some("`REINDEX CONCURRENTLY`"),
        ast::Stmt::AlterType(s)
            if pg_major < ADD_VALUE_IN_TRANSACTION
                && matches!(s.action(), Some(ast::AlterTypeAction::AddValue(_))) =>
        {
            Some("before PostgreSQL 12, `ALTER TYPE ... ADD VALUE`")
        }
        ast::Stmt::Vacuum(_) => Some("`VACUUM`"),
        ast::Stmt::CreateDatabase(_) => Some("`CREATE DATABASE`"),
        ast::Stmt::DropDatabase(_) => Some("`DROP DATABASE`"),
        ast::Stmt::CreateTablespace(_) => Some("`CREATE TABLESPACE`"),
        ast::Stmt::DropTablespace(_) => Some("`DROP TABLESPACE`"),
        ast::Stmt::AlterSystem(_) => Some("`ALTER SYSTEM`"),
        _ => None,
    }
}
