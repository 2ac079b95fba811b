//! The SQL an Alembic revision passes to `op.execute` as a plain string literal, with where
//! it stands in the file, for lint. Other `op.*` calls build their SQL at run time and are not
//! read.

use super::python::{self, Keep, Kind, Token};

/// One `op.execute("...")` literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Executed {
    /// The string's value, escapes resolved.
    pub sql: String,
    /// The byte offset of the string's content in the file.
    pub start: usize,
    /// Whether the value is the content as written (no escapes), so that every offset maps
    /// back exactly; otherwise every offset maps to the string's start.
    pub exact: bool,
    /// Whether it runs in Alembic's transaction: not inside an `autocommit_block()`.
    pub transaction: bool,
}

/// The literals passed to `op.execute` in `upgrade()`, or in `downgrade()` too with `down`.
/// A file Python cannot tokenize gives none: `check` reports it as malformed.
#[must_use]
pub(crate) fn executed(text: &str, down: bool) -> Vec<(Executed, bool)> {
    // Top-level `def` lines whole, for the function's name; indented lines that start with a
    // name whole, for `op.execute(...)` and `with ...autocommit_block():`.
    let keep = |first: &Token<'_>, indent: usize, _index: usize| match (&first.kind, indent) {
        (Kind::Name("def" | "async"), 0) => Keep::All,
        (_, 0) => Keep::First,
        (Kind::Name(_), _) => Keep::All,
        _ => Keep::Nothing,
    };
    let Ok(lines) = python::logical_lines(text, keep) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // The function the line is in: `Some(true)` in `downgrade`, `Some(false)` in `upgrade`.
    let mut function: Option<bool> = None;
    let mut autocommit: Option<usize> = None;
    for line in &lines.lines {
        let tokens = lines.tokens(line);
        if line.indent == 0 {
            let name = tokens
                .iter()
                .skip_while(|t| t.kind != Kind::Name("def"))
                .nth(1)
                .map(|t| &t.kind);
            function = match name {
                Some(Kind::Name("upgrade")) => Some(false),
                Some(Kind::Name("downgrade")) if down => Some(true),
                _ => None,
            };
            autocommit = None;
            continue;
        }
        let Some(in_down) = function else {
            continue;
        };
        if autocommit.is_some_and(|at| line.indent <= at) {
            autocommit = None;
        }
        if tokens.first().is_some_and(|t| t.kind == Kind::Name("with"))
            && tokens
                .iter()
                .any(|t| t.kind == Kind::Name("autocommit_block"))
        {
            autocommit = Some(line.indent);
            continue;
        }
        for window in tokens.windows(6) {
            let [op, dot, execute, open, literal, after] = window else {
                continue;
            };
            let call = op.kind == Kind::Name("op")
                && dot.kind == Kind::Op(".")
                && execute.kind == Kind::Name("execute")
                && open.kind == Kind::Op("(")
                && matches!(after.kind, Kind::Op(")" | ","));
            if let (true, Kind::Str { value, content }) = (call, &literal.kind) {
                let written = text.get(content.0..content.1).unwrap_or_default();
                found.push((
                    Executed {
                        sql: value.to_string(),
                        start: content.0,
                        exact: written == value.as_ref(),
                        transaction: autocommit.is_none(),
                    },
                    in_down,
                ));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#""""add index

Revision ID: 1a2b
"""
from alembic import op

revision = "1a2b"
down_revision = None


def upgrade():
    op.execute("CREATE INDEX ix_a ON a (x)")
    op.add_column("a", sa.Column("y", sa.Integer()))
    op.execute(sa.text("SELECT 1"))
    op.execute(f"SELECT {n}")
    with op.get_context().autocommit_block():
        op.execute(
            """CREATE INDEX CONCURRENTLY ix_b ON b (x)"""
        )
    op.execute('ALTER TABLE a ADD COLUMN "z\\"" int')


def downgrade():
    op.execute("DROP INDEX ix_a")
"#;

    #[test]
    fn reads_plain_literals_of_upgrade_with_their_transaction() {
        let found = executed(FILE, false);
        let sql: Vec<(&str, bool, bool)> = found
            .iter()
            .map(|(e, _)| (e.sql.as_str(), e.transaction, e.exact))
            .collect();
        assert_eq!(
            sql,
            [
                ("CREATE INDEX ix_a ON a (x)", true, true),
                ("CREATE INDEX CONCURRENTLY ix_b ON b (x)", false, true),
                ("ALTER TABLE a ADD COLUMN \"z\\\"\" int", true, false),
            ]
        );
        let first = &found[0].0;
        assert_eq!(&FILE[first.start..first.start + 12], "CREATE INDEX");
    }

    #[test]
    fn reads_downgrade_only_when_asked() {
        assert_eq!(
            executed(FILE, true)
                .iter()
                .filter(|(_, down)| *down)
                .count(),
            1
        );
        assert!(executed(FILE, false).iter().all(|(_, down)| !down));
        assert!(executed("def upgrade(:\n    op.execute('unterminated\n", false).is_empty());
    }
}
