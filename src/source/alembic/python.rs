//! Just enough of Python's tokenizer to read an Alembic revision file without running it:
//! names, string literals (with their prefixes and escapes), brackets, logical lines, comments.
//!
//! Tokens borrow from the source, and only the lines a caller keeps are collected: a revision
//! file is mostly function bodies, which must be scanned (a string may hide a newline) but are
//! never looked at.

mod lexer;

use std::borrow::Cow;

use self::lexer::Lexer;

/// One token, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub kind: Kind<'a>,
    /// The 1-based line of the token's first character.
    pub line: usize,
    /// The 1-based character column of the token's first character (0 in a line not kept).
    pub column: usize,
    /// The token's byte range in the source.
    pub start: usize,
    pub end: usize,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    /// An identifier or keyword.
    Name(&'a str),
    /// A plain string literal, its escapes resolved. `content` is the byte range between the quotes.
    Str {
        value: Cow<'a, str>,
        content: (usize, usize),
    },
    /// A string that is not a plain literal: an f-string, bytes.
    OtherStr,
    /// Punctuation or an operator, as written (`=`, `(`, `->`, `:`).
    Op(&'a str),
    /// A number or anything else that is not one of the above.
    Other,
}

/// The logical lines the caller kept, with their tokens.
#[derive(Debug)]
pub(crate) struct Lines<'a> {
    pub lines: Vec<Line<'a>>,
    /// The tokens of every line kept whole, one after the other: one vector for the file rather
    /// than one a line, since growing many small vectors costs more than reading the file.
    tokens: Vec<Token<'a>>,
}

impl<'a> Lines<'a> {
    /// Every token of a line, the first included; empty for a line whose rest was not kept.
    pub(crate) fn tokens(&self, line: &Line<'a>) -> &[Token<'a>] {
        &self.tokens[line.tokens.clone()]
    }
}

/// A logical line: its first token, where its tokens are when the caller kept it, and the column
/// its first token starts at.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    pub first: Token<'a>,
    tokens: std::ops::Range<usize>,
    /// 0 for a statement at the module's top level.
    pub indent: usize,
    /// The 0-based index of the line among all logical lines of the source, returned or not.
    pub index: usize,
}

impl<'a> Line<'a> {
    /// The line, once its tokens end at `end` in the file's token vector.
    fn ending_at(mut self, end: usize) -> Line<'a> {
        self.tokens.end = end;
        self
    }
}

/// What the caller wants of a logical line, told from its first token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Nothing: the line is scanned past and not returned.
    Nothing,
    /// The line, with its first token only.
    First,
    /// The line with all of its tokens.
    All,
}

/// Why the source cannot be tokenized.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unterminated {
    pub line: usize,
    pub column: usize,
}

/// Splits the source into logical lines: brackets and backslashes join physical lines. `keep`
/// sees each line's first token, its indentation and the line's index, and says how much of the
/// line to return.
pub(crate) fn logical_lines<'a>(
    source: &'a str,
    keep: impl Fn(&Token<'a>, usize, usize) -> Keep,
) -> Result<Lines<'a>, Unterminated> {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        line: 1,
        line_start: 0,
        counted: (0, 0),
    };
    let bytes = source.as_bytes();
    // Sized for a typical revision file, whose kept lines are its docstring, imports, functions
    // and the four assignments.
    let mut lines = Vec::with_capacity(16);
    let mut tokens = Vec::with_capacity(64);
    // The line being read, when it is returned; `count` counts every logical line.
    let mut pending: Option<Line<'a>> = None;
    let mut in_line = false;
    let mut count = 0;
    let mut depth = 0usize;
    while let Some(&byte) = bytes.get(lexer.pos) {
        match byte {
            b'\n' => {
                lexer.newline();
                if depth == 0 && in_line {
                    in_line = false;
                    lines.extend(pending.take().map(|line| line.ending_at(tokens.len())));
                }
            }
            b'#' => lexer.skip_comment(),
            b'\\'
                if bytes[lexer.pos..].starts_with(b"\\\n")
                    || bytes[lexer.pos..].starts_with(b"\\\r\n") =>
            {
                lexer.pos += 1;
                if bytes.get(lexer.pos) == Some(&b'\r') {
                    lexer.pos += 1;
                }
                lexer.newline();
            }
            b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c' => lexer.pos += 1,
            _ if !byte.is_ascii() && lexer.peek().is_some_and(char::is_whitespace) => {
                lexer.bump();
            }
            _ if !in_line => {
                in_line = true;
                let indent = lexer.column() - 1;
                let token = lexer.token()?;
                depth = depth.saturating_add_signed(depth_delta(&token));
                let index = count;
                count += 1;
                match keep(&token, indent, index) {
                    Keep::Nothing => lexer.skip_line(&mut depth)?,
                    Keep::First => {
                        lexer.skip_line(&mut depth)?;
                        pending = Some(Line {
                            first: token,
                            tokens: tokens.len()..tokens.len(),
                            indent,
                            index,
                        });
                    }
                    Keep::All => {
                        pending = Some(Line {
                            first: token.clone(),
                            tokens: tokens.len()..tokens.len(),
                            indent,
                            index,
                        });
                        tokens.push(token);
                    }
                }
            }
            _ => {
                let token = lexer.token()?;
                depth = depth.saturating_add_signed(depth_delta(&token));
                if pending.is_some() {
                    tokens.push(token);
                }
            }
        }
    }
    lines.extend(pending.map(|line| line.ending_at(tokens.len())));
    Ok(Lines { lines, tokens })
}

/// How a token moves the bracket depth.
fn depth_delta(token: &Token<'_>) -> isize {
    match token.kind {
        Kind::Op("(" | "[" | "{") => 1,
        Kind::Op(")" | "]" | "}") => -1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests;
