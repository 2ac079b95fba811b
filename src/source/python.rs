//! Just enough of Python's tokenizer to read an Alembic revision file without running it:
//! names, string literals (with their prefixes and escapes), brackets, logical lines, comments.
//!
//! Tokens borrow from the source, and only the lines a caller keeps are collected: a revision
//! file is mostly function bodies, which must be scanned (a string may hide a newline) but are
//! never looked at.

use std::borrow::Cow;

/// One token, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
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
pub enum Kind<'a> {
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

/// A logical line: its first token, all of its tokens when the caller kept it, and the column
/// its first token starts at.
#[derive(Debug)]
pub struct Line<'a> {
    pub first: Token<'a>,
    /// Every token, the first included; empty for a line the caller did not keep.
    pub tokens: Vec<Token<'a>>,
    /// 0 for a statement at the module's top level.
    pub indent: usize,
}

/// Why the source cannot be tokenized.
#[derive(Debug, PartialEq, Eq)]
pub struct Unterminated {
    pub line: usize,
    pub column: usize,
}

/// Splits the source into logical lines: brackets and backslashes join physical lines. `keep`
/// sees each line's first token, its indentation and the line's index, and says whether to
/// collect the rest of the line.
pub fn logical_lines<'a>(
    source: &'a str,
    keep: impl Fn(&Token<'a>, usize, usize) -> bool,
) -> Result<Vec<Line<'a>>, Unterminated> {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    let mut lines = Vec::with_capacity(64);
    let mut first: Option<Token> = None;
    let mut current: Vec<Token> = Vec::new();
    let mut indent = 0;
    let mut depth = 0usize;
    let mut keeping = false;
    while let Some(c) = lexer.peek() {
        match c {
            '\n' => {
                lexer.bump();
                if depth == 0
                    && let Some(first) = first.take()
                {
                    lines.push(Line {
                        first,
                        tokens: std::mem::take(&mut current),
                        indent,
                    });
                }
            }
            '#' => lexer.skip_comment(),
            '\\' if lexer.rest().starts_with("\\\n") || lexer.rest().starts_with("\\\r\n") => {
                lexer.bump();
                if lexer.peek() == Some('\r') {
                    lexer.bump();
                }
                lexer.bump();
            }
            c if c.is_whitespace() => {
                lexer.bump();
            }
            _ => {
                let starts_line = first.is_none();
                if starts_line {
                    indent = lexer.column() - 1;
                }
                let token = lexer.token(starts_line || keeping)?;
                if let Kind::Op(op) = token.kind {
                    match op {
                        "(" | "[" | "{" => depth += 1,
                        ")" | "]" | "}" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
                if starts_line {
                    keeping = keep(&token, indent, lines.len());
                    if keeping {
                        current.push(token.clone());
                    } else {
                        lexer.skip_line(&mut depth)?;
                    }
                    first = Some(token);
                } else if keeping {
                    current.push(token);
                }
            }
        }
    }
    if let Some(first) = first {
        lines.push(Line {
            first,
            tokens: current,
            indent,
        });
    }
    Ok(lines)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        let byte = *self.src.as_bytes().get(self.pos)?;
        if byte.is_ascii() {
            Some(char::from(byte))
        } else {
            self.rest().chars().next()
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.line_start = self.pos;
        }
        Some(c)
    }

    /// Moves to the end of a comment, leaving its newline to end the line.
    fn skip_comment(&mut self) {
        self.pos += self.rest().find('\n').unwrap_or(self.rest().len());
    }

    /// Moves past a backslash and the character it hides, counting a hidden newline.
    fn skip_escape(&mut self) {
        self.pos += 1;
        if self.src.as_bytes().get(self.pos) == Some(&b'\n') {
            self.newline();
        } else {
            self.bump();
        }
    }

    /// Moves past a newline at `self.pos`.
    fn newline(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.line_start = self.pos;
    }

    /// Skips to the end of a logical line that is not kept, byte by byte: only quotes, brackets,
    /// comments, backslashes and newlines matter there, and all of them are ASCII.
    fn skip_line(&mut self, depth: &mut usize) -> Result<(), Unterminated> {
        let bytes = self.src.as_bytes();
        while let Some(&byte) = bytes.get(self.pos) {
            match byte {
                b'\n' if *depth == 0 => return Ok(()),
                b'\n' => self.newline(),
                b'#' => self.skip_comment(),
                b'\\' => self.skip_escape(),
                b'"' | b'\'' => self.skip_string(byte)?,
                b'(' | b'[' | b'{' => {
                    *depth += 1;
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    *depth = depth.saturating_sub(1);
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
        Ok(())
    }

    /// Skips a string literal from its opening quote. A backslash always hides the character
    /// after it, in a raw string too, so the prefix does not matter here.
    fn skip_string(&mut self, quote: u8) -> Result<(), Unterminated> {
        let bytes = self.src.as_bytes();
        let tripled = [quote, quote, quote];
        let triple = bytes.get(self.pos..self.pos + 3) == Some(&tripled[..]);
        let unterminated = Unterminated {
            line: self.line,
            column: self.column(),
        };
        self.pos += if triple { 3 } else { 1 };
        loop {
            let Some(&byte) = bytes.get(self.pos) else {
                return Err(unterminated);
            };
            match byte {
                b'\\' => self.skip_escape(),
                b'\n' if !triple => return Err(unterminated),
                b'\n' => self.newline(),
                b if b == quote && !triple => {
                    self.pos += 1;
                    return Ok(());
                }
                b if b == quote && bytes.get(self.pos..self.pos + 3) == Some(&tripled[..]) => {
                    self.pos += 3;
                    return Ok(());
                }
                _ => self.pos += 1,
            }
        }
    }

    fn column(&self) -> usize {
        self.src[self.line_start..self.pos].chars().count() + 1
    }

    /// Reads one token. Its column is counted only when `located`: counting characters from
    /// the line's start for every token of every line would cost more than the rest.
    fn token(&mut self, located: bool) -> Result<Token<'a>, Unterminated> {
        let column = if located { self.column() } else { 0 };
        let (start, line) = (self.pos, self.line);
        let c = self.peek().unwrap_or_default();
        let kind = if c == '"' || c == '\'' {
            self.string(line, column, "")?
        } else if c == '_' || c.is_alphabetic() {
            while self.peek().is_some_and(|c| c == '_' || c.is_alphanumeric()) {
                self.bump();
            }
            let word = &self.src[start..self.pos];
            if matches!(self.peek(), Some('"' | '\'')) && is_prefix(word) {
                let prefix = word.to_ascii_lowercase();
                self.string(line, column, &prefix)?
            } else {
                Kind::Name(word)
            }
        } else if c.is_ascii_digit() {
            while self
                .peek()
                .is_some_and(|c| c == '_' || c == '.' || c.is_alphanumeric())
            {
                self.bump();
            }
            Kind::Other
        } else {
            const DOUBLE: [&str; 4] = ["->", "==", "**", "//"];
            let width = if DOUBLE.iter().any(|op| self.rest().starts_with(op)) {
                2
            } else {
                1
            };
            for _ in 0..width {
                self.bump();
            }
            let op = &self.src[start..self.pos];
            // `+=`, `:=` and friends: an assignment this reader does not take for a plain `=`.
            if op != "=" && op != "==" && self.peek() == Some('=') {
                self.bump();
            }
            Kind::Op(&self.src[start..self.pos])
        };
        Ok(Token {
            kind,
            line,
            column,
            start,
            end: self.pos,
        })
    }

    /// Reads a string literal whose prefix (lower-cased) is already consumed.
    fn string(
        &mut self,
        line: usize,
        column: usize,
        prefix: &str,
    ) -> Result<Kind<'a>, Unterminated> {
        let quote = self.peek().unwrap_or('"');
        let triple: &str = if quote == '"' { "\"\"\"" } else { "\'\'\'" };
        let delimiter: &str = if self.rest().starts_with(triple) {
            triple
        } else {
            &triple[..1]
        };
        self.pos += delimiter.len();
        let content_start = self.pos;
        let raw = prefix.contains('r');
        // The value is built only once an escape makes it differ from the source.
        let mut value: Option<String> = None;
        loop {
            if self.rest().starts_with(delimiter) {
                let content = (content_start, self.pos);
                self.pos += delimiter.len();
                if prefix.contains('b') || prefix.contains('f') || prefix.contains('t') {
                    return Ok(Kind::OtherStr);
                }
                let value =
                    value.map_or(Cow::Borrowed(&self.src[content.0..content.1]), Cow::Owned);
                return Ok(Kind::Str { value, content });
            }
            let before = self.pos;
            match self.bump() {
                None => return Err(Unterminated { line, column }),
                Some('\n') if delimiter.len() == 1 => return Err(Unterminated { line, column }),
                Some('\\') if raw => {
                    // A raw string keeps its backslash, which still hides the quote after it.
                    self.bump();
                    if let Some(value) = value.as_mut() {
                        value.push_str(&self.src[before..self.pos]);
                    }
                }
                Some('\\') => {
                    let value =
                        value.get_or_insert_with(|| self.src[content_start..before].to_owned());
                    match self.bump() {
                        None => return Err(Unterminated { line, column }),
                        Some('\n') => {}
                        Some('n') => value.push('\n'),
                        Some('t') => value.push('\t'),
                        Some('r') => value.push('\r'),
                        Some('0') => value.push('\0'),
                        Some(c @ ('\\' | '\'' | '"')) => value.push(c),
                        Some(other) => {
                            value.push('\\');
                            value.push(other);
                        }
                    }
                }
                Some(c) => {
                    if let Some(value) = value.as_mut() {
                        value.push(c);
                    }
                }
            }
        }
    }
}

/// Whether a word written right before a quote is a string prefix (`r`, `u`, `b`, `f`, `rb`...).
fn is_prefix(word: &str) -> bool {
    word.len() <= 2
        && matches!(
            word.to_ascii_lowercase().as_str(),
            "r" | "u" | "b" | "f" | "t" | "rb" | "br" | "fr" | "rf" | "tr" | "rt"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(source: &str) -> Result<Vec<Line<'_>>, Unterminated> {
        logical_lines(source, |_, _, _| true)
    }

    fn kinds(source: &str) -> Vec<Vec<Kind<'_>>> {
        all(source)
            .unwrap()
            .into_iter()
            .map(|l| l.tokens.into_iter().map(|t| t.kind).collect())
            .collect()
    }

    fn string(value: &str) -> String {
        value.to_owned()
    }

    #[test]
    fn brackets_join_lines_and_comments_vanish() {
        let lines = all("a = (\n  'x',  # c\n  \"y\",\n)\nb = 1\n  c = 2\n").unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].tokens.len(), 8);
        assert_eq!(lines[2].indent, 2);
        match &lines[0].tokens[5].kind {
            Kind::Str { value, .. } => assert_eq!(value, "y"),
            other => panic!("{other:?}"),
        }
        assert_eq!(lines[0].tokens[5].line, 3);
        assert_eq!(lines[0].tokens[5].column, 3);
    }

    #[test]
    fn strings_prefixes_and_escapes() {
        let found = kinds("r'a\\b' u\"c\\\"d\" f'{x}' b'y' '''t\n'''\n");
        let values: Vec<Option<String>> = found[0]
            .iter()
            .map(|k| match k {
                Kind::Str { value, .. } => Some(value.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            values,
            [
                Some(string("a\\b")),
                Some(string("c\"d")),
                None,
                None,
                Some(string("t\n"))
            ]
        );
    }

    #[test]
    fn a_docstring_may_hold_quotes_and_assignments() {
        let found = kinds("\"\"\"Doc with 'quotes'\nrevision = 'no'\n\"\"\"\nrevision = '1'\n");
        assert_eq!(found.len(), 2);
        assert_eq!(found[1][0], Kind::Name("revision"));
    }

    #[test]
    fn operators() {
        let found = kinds("x: int = 1\ny += 2\nz -> w\n");
        assert_eq!(found[0][1], Kind::Op(":"));
        assert_eq!(found[1][1], Kind::Op("+="));
        assert_eq!(found[2][1], Kind::Op("->"));
    }

    #[test]
    fn skipped_lines_still_track_strings_brackets_and_lines() {
        let source = r#"def f():
    x = ('''a
)''', "b\"", [1,
 2])  # (
    y = 'c'
revision = '1'
"#;
        let lines = logical_lines(source, |t, _, _| t.kind == Kind::Name("revision")).unwrap();
        let firsts: Vec<(usize, usize)> = lines.iter().map(|l| (l.first.line, l.indent)).collect();
        assert_eq!(firsts, [(1, 0), (2, 4), (5, 4), (6, 0)]);
        assert_eq!(lines[3].tokens.len(), 3);
        assert_eq!(lines[3].tokens[2].column, 12);
        assert!(logical_lines("def f():\n    x = 'open\n", |_, _, _| false).is_err());
    }

    #[test]
    fn non_ascii_text_in_skipped_lines_keeps_positions_on_character_boundaries() {
        let source = "def f():\n    x = 'é€' + ü  # ñ\n    # 日本\nrevision = 'é'\n";
        let lines = logical_lines(source, |t, _, _| t.kind == Kind::Name("revision")).unwrap();
        let last = &lines[2].tokens;
        assert_eq!((last[2].line, last[2].column), (4, 12));
        assert!(matches!(&last[2].kind, Kind::Str { value, .. } if value == "é"));
    }

    #[test]
    fn an_unterminated_string_is_an_error() {
        assert_eq!(
            all("x = 'abc\n").unwrap_err(),
            Unterminated { line: 1, column: 5 }
        );
        assert!(all("x = '''abc\n").is_err());
    }
}
