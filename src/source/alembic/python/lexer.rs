//! The byte-level lexer under `logical_lines`: one token at a time, strings with their
//! prefixes and escapes, and whole lines skipped without tokens when nobody keeps them.

use std::borrow::Cow;

use super::{Kind, Token, Unterminated};

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

pub(super) struct Lexer<'a> {
    pub(super) src: &'a str,
    pub(super) pos: usize,
    pub(super) line: usize,
    pub(super) line_start: usize,
    /// Where the last column was counted to, and how many characters of the line lie before
    /// it: columns are counted on from there, so a long line costs its length once, not once
    /// per token.
    pub(super) counted: (usize, usize),
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    pub(super) fn peek(&self) -> Option<char> {
        let byte = *self.src.as_bytes().get(self.pos)?;
        if byte.is_ascii() {
            Some(char::from(byte))
        } else {
            self.rest().chars().next()
        }
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.line_start = self.pos;
        }
        Some(c)
    }

    /// Moves to the end of a comment, leaving its newline to end the line.
    pub(super) fn skip_comment(&mut self) {
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
    pub(super) fn newline(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.line_start = self.pos;
    }

    /// Skips to the end of a logical line that is not kept, byte by byte: only quotes, brackets,
    /// comments, backslashes and newlines matter there, and all of them are ASCII.
    pub(super) fn skip_line(&mut self, depth: &mut usize) -> Result<(), Unterminated> {
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

    pub(super) fn column(&mut self) -> usize {
        let (mut from, mut chars) = self.counted;
        if from < self.line_start || from > self.pos {
            (from, chars) = (self.line_start, 0);
        }
        // Counting characters is needed only where the line holds other than ASCII; the bytes
        // are looked at first, which spares the character-boundary checks of slicing a `str`.
        let between = &self.src.as_bytes()[from..self.pos];
        chars += if between.is_ascii() {
            between.len()
        } else {
            self.src[from..self.pos].chars().count()
        };
        self.counted = (self.pos, chars);
        chars + 1
    }

    /// Reads one token.
    pub(super) fn token(&mut self) -> Result<Token<'a>, Unterminated> {
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
                    if !self.escape(value) {
                        return Err(unterminated);
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

    /// Reads the escape after a backslash into `value`, as Python reads it; `false` at the end
    /// of the source.
    fn escape(&mut self, value: &mut String) -> bool {
        let bytes = self.src.as_bytes();
        match self.bump() {
            None => return false,
            Some('\n') => {}
            Some('n') => value.push('\n'),
            Some('t') => value.push('\t'),
            Some('r') => value.push('\r'),
            Some('a') => value.push('\x07'),
            Some('b') => value.push('\x08'),
            Some('f') => value.push('\x0c'),
            Some('v') => value.push('\x0b'),
            Some(c @ '0'..='7') => {
                // Up to three octal digits, as Python reads `\012`.
                let mut code = c.to_digit(8).unwrap_or_default();
                for _ in 0..2 {
                    match bytes.get(self.pos) {
                        Some(d @ b'0'..=b'7') => {
                            code = code * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                value.extend(char::from_u32(code));
            }
            Some(c @ ('x' | 'u' | 'U')) => {
                let digits = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex = bytes
                    .get(self.pos..self.pos + digits)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32);
                if let Some(decoded) = hex {
                    value.push(decoded);
                    self.pos += digits;
                } else {
                    // Python refuses the file; the text stays as written.
                    value.push('\\');
                    value.push(c);
                }
            }
            Some(c @ ('\\' | '\'' | '"')) => value.push(c),
            Some(other) => {
                value.push('\\');
                value.push(other);
            }
        }
        true
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
