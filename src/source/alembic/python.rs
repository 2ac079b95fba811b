//! Just enough of Python's tokenizer to read an Alembic revision file without running it:
//! names, string literals (with their prefixes and escapes), brackets, logical lines, comments.
//!
//! Tokens borrow from the source, and only the lines a caller keeps are collected: a revision
//! file is mostly function bodies, which must be scanned (a string may hide a newline) but are
//! never looked at.

use std::borrow::Cow;

/// One token, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token<'a> {
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
pub(super) enum Kind<'a> {
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
pub(super) struct Lines<'a> {
    pub lines: Vec<Line<'a>>,
    /// The tokens of every line kept whole, one after the other: one vector for the file rather
    /// than one a line, since growing many small vectors costs more than reading the file.
    tokens: Vec<Token<'a>>,
}

impl<'a> Lines<'a> {
    /// Every token of a line, the first included; empty for a line whose rest was not kept.
    pub(super) fn tokens(&self, line: &Line<'a>) -> &[Token<'a>] {
        &self.tokens[line.tokens.clone()]
    }
}

/// A logical line: its first token, where its tokens are when the caller kept it, and the column
/// its first token starts at.
#[derive(Debug)]
pub(super) struct Line<'a> {
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
pub(super) enum Keep {
    /// Nothing: the line is scanned past and not returned.
    Nothing,
    /// The line, with its first token only.
    First,
    /// The line with all of its tokens.
    All,
}

/// Why the source cannot be tokenized.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unterminated {
    pub line: usize,
    pub column: usize,
}

/// Splits the source into logical lines: brackets and backslashes join physical lines. `keep`
/// sees each line's first token, its indentation and the line's index, and says how much of the
/// line to return.
pub(super) fn logical_lines<'a>(
    source: &'a str,
    keep: impl Fn(&Token<'a>, usize, usize) -> Keep,
) -> Result<Lines<'a>, Unterminated> {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        line: 1,
        line_start: 0,
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

/// The bytes that matter in a line that is skipped; a table test is cheaper than the `match`.
const SIGNIFICANT: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let significant = b"\n#\\\"'()[]{}";
    while i < significant.len() {
        table[significant[i] as usize] = true;
        i += 1;
    }
    table
};

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
            if !SIGNIFICANT[usize::from(byte)] {
                self.pos += 1;
                continue;
            }
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
        // Counting characters is needed only where the line holds other than ASCII; the bytes
        // are looked at first, which spares the character-boundary checks of slicing a `str`.
        let before = &self.src.as_bytes()[self.line_start..self.pos];
        if before.is_ascii() {
            before.len() + 1
        } else {
            self.src[self.line_start..self.pos].chars().count() + 1
        }
    }

    /// Reads one token.
    fn token(&mut self) -> Result<Token<'a>, Unterminated> {
        let column = self.column();
        let (start, line) = (self.pos, self.line);
        let bytes = self.src.as_bytes();
        let c = self.peek().unwrap_or_default();
        let kind = if c == '"' || c == '\'' {
            self.string(line, column, "")?
        } else if c == '_' || c.is_alphabetic() {
            self.skip_word(|c| c == '_' || c.is_alphanumeric());
            let word = &self.src[start..self.pos];
            if matches!(self.peek(), Some('"' | '\'')) && is_prefix(word) {
                let prefix = word.to_ascii_lowercase();
                self.string(line, column, &prefix)?
            } else {
                Kind::Name(word)
            }
        } else if c.is_ascii_digit() {
            self.skip_word(|c| c == '_' || c == '.' || c.is_alphanumeric());
            Kind::Other
        } else {
            let double = matches!(
                bytes.get(self.pos..self.pos + 2),
                Some(b"->" | b"==" | b"**" | b"//")
            );
            self.bump();
            if double {
                self.bump();
            }
            let op = &self.src[start..self.pos];
            // `+=`, `:=` and friends: an assignment this reader does not take for a plain `=`.
            if op != "=" && op != "==" && bytes.get(self.pos) == Some(&b'=') {
                self.pos += 1;
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

    /// Moves past the characters `part` accepts, ASCII ones without decoding them.
    fn skip_word(&mut self, part: impl Fn(char) -> bool) {
        let bytes = self.src.as_bytes();
        while let Some(&byte) = bytes.get(self.pos) {
            if byte.is_ascii() {
                if !part(char::from(byte)) {
                    return;
                }
                self.pos += 1;
            } else if self.peek().is_some_and(&part) {
                self.bump();
            } else {
                return;
            }
        }
    }

    /// Reads a string literal whose prefix (lower-cased) is already consumed.
    fn string(
        &mut self,
        line: usize,
        column: usize,
        prefix: &str,
    ) -> Result<Kind<'a>, Unterminated> {
        let bytes = self.src.as_bytes();
        let quote = bytes.get(self.pos).copied().unwrap_or(b'"');
        let tripled = [quote, quote, quote];
        let delimiter: &[u8] = if bytes[self.pos..].starts_with(&tripled) {
            &tripled
        } else {
            &tripled[..1]
        };
        self.pos += delimiter.len();
        let content_start = self.pos;
        let raw = prefix.contains('r');
        let unterminated = Unterminated { line, column };
        // The value is built only once an escape makes it differ from the source; until then the
        // scan jumps from one quote, backslash or newline to the next, the only bytes that matter.
        let mut value: Option<String> = None;
        loop {
            if value.is_none() {
                let rest = &bytes[self.pos..];
                self.pos += memchr::memchr3(quote, b'\\', b'\n', rest).unwrap_or(rest.len());
            }
            let Some(&byte) = bytes.get(self.pos) else {
                return Err(unterminated);
            };
            if byte == quote && bytes[self.pos..].starts_with(delimiter) {
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
            match byte {
                b'\n' if delimiter.len() == 1 => return Err(unterminated),
                b'\\' if raw => {
                    // A raw string keeps its backslash, which still hides the quote after it.
                    self.pos += 1;
                    self.bump();
                    if let Some(value) = value.as_mut() {
                        value.push_str(&self.src[before..self.pos]);
                    }
                }
                b'\\' => {
                    let value =
                        value.get_or_insert_with(|| self.src[content_start..before].to_owned());
                    self.pos += 1;
                    match self.bump() {
                        None => return Err(unterminated),
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
                _ => match value.as_mut() {
                    Some(value) => value.extend(self.bump()),
                    None if byte == b'\n' => self.newline(),
                    // Within a character the position may rest between its bytes: none of them
                    // is a quote, backslash or newline, and the next escape starts on a boundary.
                    None => self.pos += 1,
                },
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

    fn all(source: &str) -> Result<Lines<'_>, Unterminated> {
        logical_lines(source, |_, _, _| Keep::All)
    }

    fn kinds(source: &str) -> Vec<Vec<Kind<'_>>> {
        let lines = all(source).unwrap();
        lines
            .lines
            .iter()
            .map(|l| lines.tokens(l).iter().map(|t| t.kind.clone()).collect())
            .collect()
    }

    fn revision_only(token: &Token<'_>, _: usize, _: usize) -> Keep {
        if token.kind == Kind::Name("revision") {
            Keep::All
        } else {
            Keep::First
        }
    }

    fn string(value: &str) -> String {
        value.to_owned()
    }

    #[test]
    fn brackets_join_lines_and_comments_vanish() {
        let found = all("a = (\n  'x',  # c\n  \"y\",\n)\nb = 1\n  c = 2\n").unwrap();
        let lines = &found.lines;
        let first = found.tokens(&lines[0]);
        assert_eq!(lines.len(), 3);
        assert_eq!(first.len(), 8);
        assert_eq!(lines[2].indent, 2);
        match &first[5].kind {
            Kind::Str { value, .. } => assert_eq!(value, "y"),
            other => panic!("{other:?}"),
        }
        assert_eq!(first[5].line, 3);
        assert_eq!(first[5].column, 3);
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
        let found = logical_lines(source, revision_only).unwrap();
        let lines = &found.lines;
        let firsts: Vec<(usize, usize)> = lines.iter().map(|l| (l.first.line, l.indent)).collect();
        assert_eq!(firsts, [(1, 0), (2, 4), (5, 4), (6, 0)]);
        assert_eq!(found.tokens(&lines[3]).len(), 3);
        assert_eq!(found.tokens(&lines[3])[2].column, 12);
        assert!(logical_lines("def f():\n    x = 'open\n", |_, _, _| Keep::Nothing).is_err());
    }

    #[test]
    fn non_ascii_text_in_skipped_lines_keeps_positions_on_character_boundaries() {
        let source = "def f():\n    x = 'é€' + ü  # ñ\n    # 日本\nrevision = 'é'\n";
        let found = logical_lines(source, revision_only).unwrap();
        let last = found.tokens(&found.lines[2]);
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
