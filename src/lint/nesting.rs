//! How deeply squawk's tree for a statement nests, estimated from squawk's own tokens without
//! parsing. Building the tree takes time in the product of the statement's size and that depth:
//! rowan, under squawk's parser, interns every node of up to three children (all interned too),
//! and each time its table grows it hashes every such node's whole subtree again. So `((((1))))`
//! and `1+1+1+...` cost the square of their length (40,000 terms of `1+1`: 5.6 s), and lint
//! refuses to hand squawk SQL nested deeper than any migration is.

use squawk_lexer::{TokenKind, tokenize};

/// The shape of one statement, from above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Nesting {
    /// The depth along the deepest path: one for each bracket or `CASE` it enters, and one for
    /// each operator or word of every chain it passes through.
    pub depth: usize,
    /// The longest chain: the most operators and words at one level with no comma between them.
    pub chain: usize,
}

/// One open bracket (or the statement itself) while its tokens are read.
#[derive(Default)]
struct Level {
    /// The heaviest chain of this level that has ended, with the deepest level inside it.
    heaviest: usize,
    /// The operators and words of the chain being read.
    chain: usize,
    /// The depth of the deepest level opened inside the chain being read.
    inner: usize,
}

/// The levels open at one point of the statement.
#[derive(Default)]
struct Reader {
    statement: Level,
    open: Vec<Level>,
    longest: usize,
}

impl Reader {
    fn top(&mut self) -> &mut Level {
        self.open.last_mut().unwrap_or(&mut self.statement)
    }

    fn end_chain(&mut self) {
        let level = self.top();
        level.heaviest = level.heaviest.max(level.chain + level.inner);
        let chain = std::mem::take(&mut level.chain);
        level.inner = 0;
        self.longest = self.longest.max(chain);
    }

    /// Ends the innermost level; a closing bracket with none open ends nothing.
    fn close(&mut self) {
        if self.open.is_empty() {
            return;
        }
        self.end_chain();
        if let Some(level) = self.open.pop() {
            let outer = self.top();
            outer.inner = outer.inner.max(level.heaviest + 1);
        }
    }
}

/// A token's kind, with the words that shape the estimate told apart.
enum Kind {
    Case,
    End,
    /// `WHEN`, `THEN` or `ELSE`.
    Separator,
    Other(TokenKind),
}

impl Kind {
    fn of(text: &str) -> Kind {
        match text.to_ascii_lowercase().as_str() {
            "case" => Kind::Case,
            "end" => Kind::End,
            "when" | "then" | "else" => Kind::Separator,
            _ => Kind::Other(TokenKind::Ident),
        }
    }
}

/// Brackets and `CASE ... END` open a level. Inside a level, every operator and every word
/// counts, because a chain nests once per operator (`1 + 2 + 3` is `(1 + 2) + 3`), and telling a
/// word that is an operator (`AND`, `IS`, `COLLATE`) from a name would take the grammar: so the
/// estimate stays above the truth. Literals and quoted names, below which no node hangs, do not
/// count. A comma, a semicolon, `WHEN`, `THEN` and `ELSE` end a chain: what follows hangs beside
/// what came before, not below it. (A `UNION` chain can span commas, but each of its nodes holds
/// the whitespace around `UNION`, and rowan interns no node of more than three children, so that
/// depth costs no rehashing.) The tokens are squawk's own, so that no text it reads as code is
/// skipped here as a string or a comment.
#[must_use]
pub(super) fn nesting(sql: &str) -> Nesting {
    let mut reader = Reader::default();
    let mut at = 0;
    for token in tokenize(sql) {
        let len = token.len as usize;
        let kind = match token.kind {
            // The words that open, close or end: all of three or four letters.
            TokenKind::Ident if len <= 4 => Kind::of(sql.get(at..at + len).unwrap_or("")),
            other => Kind::Other(other),
        };
        at += len;
        match kind {
            Kind::Other(TokenKind::OpenParen | TokenKind::OpenBracket) | Kind::Case => {
                reader.open.push(Level::default());
            }
            Kind::Other(TokenKind::CloseParen | TokenKind::CloseBracket) | Kind::End => {
                reader.close();
            }
            Kind::Other(TokenKind::Comma | TokenKind::Semi) | Kind::Separator => {
                reader.end_chain();
            }
            Kind::Other(
                TokenKind::Whitespace
                | TokenKind::LineComment
                | TokenKind::BlockComment { .. }
                | TokenKind::Eof
                | TokenKind::Literal { .. }
                | TokenKind::QuotedIdent { .. }
                | TokenKind::PositionalParam { .. },
            ) => {}
            Kind::Other(_) => reader.top().chain += 1,
        }
    }
    while !reader.open.is_empty() {
        reader.close();
    }
    reader.end_chain();
    Nesting {
        depth: reader.statement.heaviest,
        chain: reader.longest,
    }
}

#[cfg(test)]
mod tests {
    use super::{Nesting, nesting};

    fn depth(sql: &str) -> usize {
        nesting(sql).depth
    }

    #[test]
    fn counts_brackets_case_and_every_operator_and_word_of_a_chain() {
        assert_eq!(depth("1"), 0);
        assert_eq!(depth("((1))"), 2);
        assert_eq!(depth("select ((1))"), 3);
        assert_eq!(depth("- - - 1"), 3);
        assert_eq!(depth("not not x"), 3);
        assert_eq!(depth("case when a then case when b then 1 end end"), 3);
        assert_eq!(nesting("select 1+1+1+1"), Nesting { depth: 4, chain: 4 });
        assert_eq!(depth("1::int::int"), 6);
        assert_eq!(depth("x.a.b"), 5);
    }

    #[test]
    fn a_chain_below_brackets_adds_to_their_depth_wherever_it_stands() {
        // A left-deep chain puts its first term deepest, so the brackets of the first term and
        // the operators after them add up, as do those of the last term.
        assert_eq!(depth("((1))+1+1+1"), 5);
        assert_eq!(depth("1+1+1+((1))"), 5);
        assert_eq!(depth("((1+1+1)+1+1)+1"), 2 + 2 + 2 + 1);
    }

    #[test]
    fn commas_when_then_and_else_end_a_chain() {
        assert_eq!(depth("insert into t values (1, 2), (3, 4), (5, 6)"), 5);
        assert_eq!(
            nesting("select a+1, b+1, c+1"),
            Nesting { depth: 3, chain: 3 }
        );
        let case = (0..5000)
            .map(|i| format!(" when status = 'x{i}' and kind = {i} then {i}"))
            .collect::<Vec<_>>()
            .concat();
        assert_eq!(
            depth(&format!("update t set n = case{case} else 0 end")),
            5 + 1 + 5
        );
    }

    #[test]
    fn text_squawk_reads_as_code_is_never_skipped_as_a_string_or_a_comment() {
        let chain = "+1".repeat(3000);
        // Inside quotes, a dollar quote, an escape string and a nested comment: no chain.
        assert_eq!(depth(&format!("select '{chain}', $${chain}$$")), 1);
        assert_eq!(depth(&format!("select e'\\'{chain}'")), 1);
        assert_eq!(depth(&format!("select /* /* */ {chain} */ 1")), 1);
        // Code after a dollar quote holding a quote, and after an escape string ending in an
        // escaped backslash, is code.
        assert!(depth(&format!("select $$'$$ {chain}")) > 3000);
        assert!(depth(&format!("select e'\\\\' {chain} '")) > 3000);
        assert!(depth(&format!("select 1.e'\\' {chain} --'")) > 3000);
    }
}
