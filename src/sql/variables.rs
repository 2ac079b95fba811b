//! psql variables (`:'NAME'`, `:"NAME"`): their values, their substitution and keeping them secret.

use std::collections::BTreeMap;

use super::lexer::{Lexed, VariableKind};
use super::quote;

/// Values for psql variables: `--set NAME=VALUE` first, then the environment variable `NAME`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Variables {
    set: BTreeMap<String, String>,
    /// Leave every variable as written, as `--sql` does for `psql -v` to fill in.
    unbound: bool,
    /// Give every variable its own name as its value: a literal or identifier of the right
    /// kind where the variable stands, for a parser that knows no psql (lint).
    placeholders: bool,
}

/// A section's SQL with its variables replaced, and the way back to the text as written.
#[derive(Debug, Clone)]
pub(crate) struct Bound {
    /// The SQL to send.
    pub text: String,
    /// Where each stretch of `text` starts, where it comes from in the original, and whether
    /// it was copied (rather than substituted).
    spans: Vec<(usize, usize, bool)>,
}

impl Bound {
    /// The byte offset in the text as written that produced byte `offset` of [`Bound::text`].
    /// Inside a substituted value, that is where the variable is written.
    pub(crate) fn original_offset(&self, offset: usize) -> usize {
        let index = self.spans.partition_point(|(bound, _, _)| *bound <= offset);
        match index.checked_sub(1).map(|i| self.spans[i]) {
            Some((bound, original, true)) => original + (offset - bound),
            Some((_, original, false)) => original,
            None => offset,
        }
    }
}

impl Variables {
    /// Parses `NAME=VALUE` pairs from `--set`.
    pub(crate) fn from_pairs(pairs: &[String]) -> Result<Variables, String> {
        let mut set = BTreeMap::new();
        for pair in pairs {
            let Some((name, value)) = pair.split_once('=') else {
                return Err(format!(
                    "`--set` expects NAME=VALUE, got `{}`",
                    pair.chars().take_while(|c| *c != '=').collect::<String>()
                ));
            };
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(format!(
                    "`--set {name}=...`: a variable name is letters, digits and `_`"
                ));
            }
            set.insert(name.to_owned(), value.to_owned());
        }
        Ok(Variables {
            set,
            unbound: false,
            placeholders: false,
        })
    }

    /// Variables that stay as written: the SQL is printed for psql, never sent.
    pub(crate) fn unbound() -> Variables {
        Variables {
            set: BTreeMap::new(),
            unbound: true,
            placeholders: false,
        }
    }

    /// Every variable replaced by its name, quoted as the variable is (`:'NAME'` becomes
    /// `'NAME'`, `:"NAME"` becomes `"NAME"`): SQL a parser can read, with no value in it.
    pub(crate) fn placeholders() -> Variables {
        Variables {
            set: BTreeMap::new(),
            unbound: false,
            placeholders: true,
        }
    }

    fn value(&self, name: &str) -> Option<String> {
        if self.placeholders {
            return Some(name.to_owned());
        }
        self.set
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
    }

    /// The variables `lexed` uses that have no value, as the file writes them (`:'NAME'` or
    /// `:"NAME"`), sorted and without repeats.
    pub(crate) fn missing(&self, lexed: &Lexed) -> Vec<String> {
        if self.unbound {
            return Vec::new();
        }
        let mut missing: Vec<String> = lexed
            .variables
            .iter()
            .filter(|v| self.value(&v.name).is_none())
            .map(|v| match v.kind {
                VariableKind::Literal => format!(":'{}'", v.name),
                VariableKind::Identifier => format!(":\"{}\"", v.name),
            })
            .collect();
        missing.sort();
        missing.dedup();
        missing
    }

    /// Substitutes every variable of `lexed` into `sql`; `None` when one has no value.
    pub(crate) fn bind(&self, sql: &str, lexed: &Lexed) -> Option<Bound> {
        if self.unbound {
            return Some(Bound {
                text: sql.to_owned(),
                spans: vec![(0, 0, true)],
            });
        }
        let mut text = String::with_capacity(sql.len());
        let mut spans = vec![(0, 0, true)];
        let mut copied = 0;
        for variable in &lexed.variables {
            let value = self.value(&variable.name)?;
            text.push_str(&sql[copied..variable.start]);
            spans.push((text.len(), variable.start, false));
            text.push_str(&match variable.kind {
                VariableKind::Literal => quote::literal(&value),
                VariableKind::Identifier => quote::identifier(&value),
            });
            copied = variable.end;
            spans.push((text.len(), copied, true));
        }
        text.push_str(&sql[copied..]);
        Some(Bound { text, spans })
    }

    /// Replaces every value that `sql` would substitute with `***`, for text that came back
    /// from the server and may quote a value.
    pub(crate) fn redact(&self, lexed: &Lexed, message: &str) -> String {
        let mut out = message.to_owned();
        let mut values: Vec<String> = lexed
            .variables
            .iter()
            .filter_map(|v| self.value(&v.name))
            .filter(|v| !v.is_empty())
            .collect();
        // The longest first, so a value that contains another is replaced whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        for value in values {
            out = out.replace(&value, "***");
            out = redact_truncated(&out, &value);
        }
        out
    }
}

/// The server cuts a name to 63 bytes (`NAMEDATALEN - 1`, at a character's end) before it
/// quotes it back: `relation "<first 63 bytes of the value>" does not exist`. So every run of
/// `message` that starts like `value` for 63 bytes or more is a secret too.
fn redact_truncated(message: &str, value: &str) -> String {
    const NAME_BYTES: usize = 63;
    if value.len() <= NAME_BYTES {
        return message.to_owned();
    }
    let mut cut = NAME_BYTES;
    while !value.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &value[..cut];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(head) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        // As far as the message goes on as the value does.
        let same = tail
            .char_indices()
            .zip(value.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, c), _)| i + c.len_utf8());
        out.push_str("***");
        rest = &tail[same.max(head.len())..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::lex;

    fn vars(pairs: &[&str]) -> Variables {
        Variables::from_pairs(&pairs.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn substitutes_literals_and_identifiers() {
        let sql = "create role :\"ROLE\" password :'PW';";
        let lexed = lex(sql);
        let bound = vars(&["ROLE=ro\"x", "PW=it's"]).bind(sql, &lexed).unwrap();
        assert_eq!(bound.text, "create role \"ro\"\"x\" password 'it''s';");
    }

    #[test]
    fn maps_offsets_back_to_the_text_as_written() {
        let sql = "select :'A', x;\nselect y";
        let lexed = lex(sql);
        let bound = vars(&["A=a much longer value"]).bind(sql, &lexed).unwrap();
        let y = bound.text.find('y').unwrap();
        assert_eq!(bound.original_offset(y), sql.find('y').unwrap());
        assert_eq!(bound.original_offset(3), 3);
        // Inside the value, the offset points at the variable.
        assert_eq!(bound.original_offset(10), sql.find(':').unwrap());
    }

    #[test]
    fn placeholders_keep_the_kind_and_never_read_the_environment() {
        let sql = "create role :\"ROLE\" password :'HOME';";
        let lexed = lex(sql);
        let bound = Variables::placeholders().bind(sql, &lexed).unwrap();
        assert_eq!(bound.text, "create role \"ROLE\" password 'HOME';");
        assert!(Variables::placeholders().missing(&lexed).is_empty());
    }

    #[test]
    fn reports_missing_values_once() {
        let sql =
            "select :'MIGRATE_TEST_UNSET_B', :\"MIGRATE_TEST_UNSET_A\", :'MIGRATE_TEST_UNSET_B'";
        let lexed = lex(sql);
        // Each as the file writes it: an identifier is named `:"X"`, not `:'X'`.
        assert_eq!(
            Variables::default().missing(&lexed),
            [":\"MIGRATE_TEST_UNSET_A\"", ":'MIGRATE_TEST_UNSET_B'"]
        );
        assert!(Variables::default().bind(sql, &lexed).is_none());
    }

    #[test]
    fn redacts_values_from_messages() {
        let sql = "alter role r password :'PW'";
        let lexed = lex(sql);
        let redacted = vars(&["PW=hunter2"]).redact(&lexed, "bad value \"hunter2\"");
        assert_eq!(redacted, "bad value \"***\"");
    }

    #[test]
    fn redacts_every_prefix_of_63_bytes_or_more_the_server_may_echo() {
        let secret = format!("Hunter2Secret{}", "x".repeat(70));
        let sql = "select * from :\"T\"";
        let lexed = lex(sql);
        let variables = vars(&[&format!("T={secret}")]);
        let echoed = format!("relation \"{}\" does not exist", &secret[..63]);
        assert_eq!(
            variables.redact(&lexed, &echoed),
            "relation \"***\" does not exist"
        );
        let longer = format!("at \"{}\" and \"{}\"", &secret[..70], &secret[..62]);
        assert_eq!(
            variables.redact(&lexed, &longer),
            format!("at \"***\" and \"{}\"", &secret[..62])
        );
        // A multi-byte value is cut at a character's end, as the server cuts it.
        let wide = "é".repeat(40);
        let variables = vars(&[&format!("T={wide}")]);
        let echoed = format!("relation \"{}\"", "é".repeat(31));
        assert_eq!(variables.redact(&lexed, &echoed), "relation \"***\"");
    }

    #[test]
    fn rejects_malformed_pairs_without_echoing_the_value() {
        let error = Variables::from_pairs(&["NOVALUE".to_owned()]).unwrap_err();
        assert!(error.contains("NOVALUE"));
        let error = Variables::from_pairs(&["bad-name=secret".to_owned()]).unwrap_err();
        assert!(!error.contains("secret"));
    }
}
