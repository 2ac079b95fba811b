//! Just enough of Python's tokenizer to read an Alembic revision file without running it:
//! names, string literals (with their prefixes and escapes), brackets, logical lines, comments.

/// One token, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// The 1-based line of the token's first character.
    pub line: usize,
    /// The 1-based character column of the token's first character.
    pub column: usize,
    /// The token's byte range in the source.
    pub start: usize,
    pub end: usize,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword.
    Name(String),
    /// A plain string literal, its escapes resolved. `content` is the byte range between the quotes.
    Str {
        value: String,
        content: (usize, usize),
    },
    /// A string that is not a plain literal: an f-string, bytes.
    OtherStr,
    /// Punctuation or an operator, as written (`=`, `(`, `->`, `:`).
    Op(String),
    /// A number or anything else that is not one of the above.
    Other,
}

/// A logical line: its tokens, and the column its first token starts at.
#[derive(Debug)]
pub struct Line {
    pub tokens: Vec<Token>,
    /// 0 for a statement at the module's top level.
    pub indent: usize,
}

/// Why the source cannot be tokenized.
#[derive(Debug, PartialEq, Eq)]
pub struct Unterminated {
    pub line: usize,
    pub column: usize,
}

/// Splits the source into logical lines: brackets and backslashes join physical lines.
pub fn logical_lines(source: &str) -> Result<Vec<Line>, Unterminated> {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    let mut lines = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut indent = 0;
    let mut depth = 0usize;
    while let Some(c) = lexer.peek() {
        match c {
            '\n' => {
                lexer.bump();
                if depth == 0 && !current.is_empty() {
                    lines.push(Line {
                        tokens: std::mem::take(&mut current),
                        indent,
                    });
                }
            }
            '#' => {
                while lexer.peek().is_some_and(|c| c != '\n') {
                    lexer.bump();
                }
            }
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
                if current.is_empty() {
                    indent = lexer.column() - 1;
                }
                let token = lexer.token()?;
                if let Kind::Op(op) = &token.kind {
                    match op.as_str() {
                        "(" | "[" | "{" => depth += 1,
                        ")" | "]" | "}" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
                current.push(token);
            }
        }
    }
    if !current.is_empty() {
        lines.push(Line {
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

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
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

    fn column(&self) -> usize {
        self.src[self.line_start..self.pos].chars().count() + 1
    }

    fn token(&mut self) -> Result<Token, Unterminated> {
        let (start, line, column) = (self.pos, self.line, self.column());
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
                Kind::Name(word.to_owned())
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
            Kind::Op(self.src[start..self.pos].to_owned())
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
    fn string(&mut self, line: usize, column: usize, prefix: &str) -> Result<Kind, Unterminated> {
        let quote = self.peek().unwrap_or('"');
        let triple: String = std::iter::repeat_n(quote, 3).collect();
        let delimiter = if self.rest().starts_with(&triple) {
            triple
        } else {
            quote.to_string()
        };
        for _ in 0..delimiter.len() {
            self.bump();
        }
        let content_start = self.pos;
        let raw = prefix.contains('r');
        let mut value = String::new();
        loop {
            if self.rest().starts_with(&delimiter) {
                let content = (content_start, self.pos);
                for _ in 0..delimiter.len() {
                    self.bump();
                }
                if prefix.contains('b') || prefix.contains('f') || prefix.contains('t') {
                    return Ok(Kind::OtherStr);
                }
                return Ok(Kind::Str { value, content });
            }
            match self.bump() {
                None => return Err(Unterminated { line, column }),
                Some('\n') if delimiter.len() == 1 => return Err(Unterminated { line, column }),
                Some('\\') if raw => {
                    value.push('\\');
                    if let Some(next) = self.bump() {
                        value.push(next);
                    }
                }
                Some('\\') => match self.bump() {
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
                },
                Some(c) => value.push(c),
            }
        }
    }
}

/// Whether a word written right before a quote is a string prefix (`r`, `u`, `b`, `f`, `rb`...).
fn is_prefix(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "r" | "u" | "b" | "f" | "t" | "rb" | "br" | "fr" | "rf" | "tr" | "rt"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<Vec<Kind>> {
        logical_lines(source)
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
        let lines = logical_lines("a = (\n  'x',  # c\n  \"y\",\n)\nb = 1\n  c = 2\n").unwrap();
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
                Kind::Str { value, .. } => Some(value.clone()),
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
        assert_eq!(found[1][0], Kind::Name(string("revision")));
    }

    #[test]
    fn operators() {
        let found = kinds("x: int = 1\ny += 2\nz -> w\n");
        assert_eq!(found[0][1], Kind::Op(string(":")));
        assert_eq!(found[1][1], Kind::Op(string("+=")));
        assert_eq!(found[2][1], Kind::Op(string("->")));
    }

    #[test]
    fn an_unterminated_string_is_an_error() {
        assert_eq!(
            logical_lines("x = 'abc\n").unwrap_err(),
            Unterminated { line: 1, column: 5 }
        );
        assert!(logical_lines("x = '''abc\n").is_err());
    }
}
