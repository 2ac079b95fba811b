//! Splits a section into statements the way PostgreSQL's own scanner does, and finds psql variables.
//!
//! Semicolons inside quoted strings, `E''` strings, quoted identifiers, comments, dollar-quoted
//! bodies and `BEGIN ATOMIC ... END` function bodies do not end a statement. A section whose
//! statements are sent one by one (`transaction:false`) must be cut exactly where the server
//! would cut it.

/// One statement of a section: its text, without the terminating `;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    /// Byte offset of the statement's first non-blank character in the section.
    pub start: usize,
    /// Byte offset just past the statement's last character (before the `;`).
    pub end: usize,
}

impl Statement {
    /// The statement's text within `sql`.
    pub(crate) fn text<'a>(&self, sql: &'a str) -> &'a str {
        &sql[self.start..self.end]
    }
}

/// How a psql variable is interpolated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VariableKind {
    /// `:'NAME'`: a quoted SQL literal.
    Literal,
    /// `:"NAME"`: a quoted identifier.
    Identifier,
}

/// One `:'NAME'` or `:"NAME"` reference outside quotes and comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variable {
    /// Byte offset of the `:`.
    pub start: usize,
    /// Byte offset just past the closing quote.
    pub end: usize,
    pub name: String,
    pub kind: VariableKind,
}

/// What the lexer found in a section.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Lexed {
    /// Statements holding more than blanks and comments, in order.
    pub statements: Vec<Statement>,
    pub variables: Vec<Variable>,
}

/// Scans `sql` once, returning its statements and its variable references.
pub(crate) fn lex(sql: &str) -> Lexed {
    Lexer::new(sql).run()
}

struct Lexer<'a> {
    sql: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Lexed,
    /// Where the current statement's first meaningful token starts, if it has one yet.
    statement_start: Option<usize>,
    /// Where the current statement's last meaningful token ends.
    statement_end: usize,
    /// The statement's first words, lower-cased, to recognise `CREATE FUNCTION ... BEGIN ATOMIC`.
    words: Vec<String>,
    /// Nesting of `BEGIN`/`CASE` ... `END` inside a function body, as psql counts it.
    begin_depth: usize,
    /// Nesting of parentheses: as in psql, a semicolon inside them ends nothing, and `begin`
    /// inside them (a parameter's name) opens no body.
    paren_depth: usize,
}

impl<'a> Lexer<'a> {
    fn new(sql: &'a str) -> Self {
        Lexer {
            sql,
            bytes: sql.as_bytes(),
            pos: 0,
            out: Lexed::default(),
            statement_start: None,
            statement_end: 0,
            words: Vec::new(),
            begin_depth: 0,
            paren_depth: 0,
        }
    }

    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn run(mut self) -> Lexed {
        while let Some(byte) = self.peek(0) {
            let start = self.pos;
            match byte {
                b'-' if self.peek(1) == Some(b'-') => {
                    self.skip_line_comment();
                    continue;
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    self.skip_block_comment();
                    continue;
                }
                b if b.is_ascii_whitespace() => {
                    self.pos += 1;
                    continue;
                }
                // An unquoted backslash begins a psql meta-command, which runs to the end of
                // its line (PostgreSQL has no `\` operator): a statement of its own, so that
                // `check` can name it, and it never joins the SQL around it.
                b'\\' => {
                    self.end_statement();
                    let end = self.sql[start..]
                        .find('\n')
                        .map_or(self.bytes.len(), |i| start + i);
                    self.out.statements.push(Statement { start, end });
                    self.pos = end;
                    continue;
                }
                b';' if self.begin_depth == 0 && self.paren_depth == 0 => {
                    self.pos += 1;
                    self.end_statement();
                    continue;
                }
                b'\'' => self.skip_quoted(b'\'', false),
                b'"' => self.skip_quoted(b'"', false),
                b'$' if self.dollar_tag().is_some() => self.skip_dollar_quoted(),
                b':' if matches!(self.peek(1), Some(b'\'' | b'"')) && self.variable() => {}
                b if is_ident_start(b) => self.word(),
                b'(' => {
                    self.paren_depth += 1;
                    self.pos += 1;
                }
                b')' => {
                    self.paren_depth = self.paren_depth.saturating_sub(1);
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
            self.statement_start.get_or_insert(start);
            self.statement_end = self.pos;
        }
        self.end_statement();
        self.out
    }

    fn end_statement(&mut self) {
        if let Some(start) = self.statement_start.take() {
            self.out.statements.push(Statement {
                start,
                end: self.statement_end,
            });
        }
        self.words.clear();
        self.begin_depth = 0;
        self.paren_depth = 0;
    }

    fn skip_line_comment(&mut self) {
        while let Some(byte) = self.peek(0) {
            self.pos += 1;
            if byte == b'\n' {
                break;
            }
        }
    }

    /// Block comments nest in PostgreSQL, unlike in the SQL standard.
    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            if self.peek(0) == Some(b'/') && self.peek(1) == Some(b'*') {
                depth += 1;
                self.pos += 2;
            } else if self.peek(0) == Some(b'*') && self.peek(1) == Some(b'/') {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
    }

    /// Skips a quoted string or identifier; a doubled quote stays inside, and in an
    /// `E''` string so does a backslash-escaped one.
    fn skip_quoted(&mut self, quote: u8, backslash_escapes: bool) {
        self.pos += 1;
        while let Some(byte) = self.peek(0) {
            self.pos += 1;
            if backslash_escapes && byte == b'\\' {
                // A text that ends in `E'\` has nothing left to escape.
                self.pos = (self.pos + 1).min(self.bytes.len());
            } else if byte == quote {
                if self.peek(0) == Some(quote) {
                    self.pos += 1;
                } else {
                    return;
                }
            }
        }
    }

    /// The dollar-quote tag starting at the current `$` (`$$` or `$tag$`), if it is one.
    fn dollar_tag(&self) -> Option<&'a str> {
        // `a$b$` is an identifier, not a quote: a tag cannot follow an identifier character.
        if self.pos > 0 && is_ident_char(self.bytes[self.pos - 1]) {
            return None;
        }
        let rest = &self.bytes[self.pos + 1..];
        if rest.first().is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let len = rest.iter().take_while(|b| is_tag_char(**b)).count();
        (rest.get(len) == Some(&b'$')).then(|| &self.sql[self.pos..self.pos + len + 2])
    }

    fn skip_dollar_quoted(&mut self) {
        let Some(tag) = self.dollar_tag() else {
            return;
        };
        let body = self.pos + tag.len();
        self.pos = match self.sql[body..].find(tag) {
            Some(found) => body + found + tag.len(),
            None => self.bytes.len(),
        };
    }

    /// Reads `:'NAME'` or `:"NAME"`; false when the text only looks like one.
    fn variable(&mut self) -> bool {
        let quote = self.bytes[self.pos + 1];
        let name_start = self.pos + 2;
        let len = self.bytes[name_start..]
            .iter()
            .take_while(|b| is_tag_char(**b))
            .count();
        if len == 0 || self.bytes.get(name_start + len) != Some(&quote) {
            return false;
        }
        let end = name_start + len + 1;
        self.out.variables.push(Variable {
            start: self.pos,
            end,
            name: self.sql[name_start..name_start + len].to_owned(),
            kind: if quote == b'\'' {
                VariableKind::Literal
            } else {
                VariableKind::Identifier
            },
        });
        self.pos = end;
        true
    }

    fn word(&mut self) {
        let start = self.pos;
        // `E'...'` is an escape string: a backslash escapes the quote.
        if matches!(self.bytes[start], b'e' | b'E') && self.peek(1) == Some(b'\'') {
            self.pos += 1;
            self.skip_quoted(b'\'', true);
            return;
        }
        while self.peek(0).is_some_and(is_ident_char) {
            self.pos += 1;
        }
        let word = self.sql[start..self.pos].to_ascii_lowercase();
        // psql's heuristic (psqlscan.l): outside parentheses, `BEGIN` opens a body, `CASE`
        // nests only inside one, and `END` closes.
        if self.paren_depth == 0 && self.in_sql_function_body() {
            match word.as_str() {
                "begin" => self.begin_depth += 1,
                "case" if self.begin_depth > 0 => self.begin_depth += 1,
                "end" => self.begin_depth = self.begin_depth.saturating_sub(1),
                _ => {}
            }
        }
        if self.words.len() < 4 {
            self.words.push(word);
        }
    }

    /// psql's rule: inside `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, `BEGIN` opens a body.
    fn in_sql_function_body(&self) -> bool {
        let words: Vec<&str> = self.words.iter().map(String::as_str).collect();
        match words.as_slice() {
            ["create", "function" | "procedure", ..] => true,
            ["create", "or", "replace", kind, ..] => matches!(*kind, "function" | "procedure"),
            _ => false,
        }
    }
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_tag_char(byte: u8) -> bool {
    is_ident_start(byte) || byte.is_ascii_digit()
}

fn is_ident_char(byte: u8) -> bool {
    is_tag_char(byte) || byte == b'$'
}

/// The 1-based line within `sql` of byte offset `offset`.
pub(crate) fn line_of(sql: &str, offset: usize) -> usize {
    sql.get(..offset).unwrap_or(sql).matches('\n').count() + 1
}

#[cfg(test)]
mod tests;
