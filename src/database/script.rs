//! SQL ready to send: a section's text as written, its statements, and the text with the
//! variables bound, with the line of the file each byte came from.

use std::fmt;
use std::hash::Hasher as _;

use siphasher::sip::SipHasher13;

use crate::revision::Timeouts;
use crate::sql::{Bound, Lexed, Variables, lex, line_of};

/// What marks a recorded fingerprint of the statements done.
const DIGEST_PREFIX: &str = "sip13:";

/// Where a script's SQL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A revision file, by its displayed path.
    File(String),
    /// The down SQL stored in the database when a revision no file knows was applied.
    Stored { label: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => f.write_str(path),
            Origin::Stored { label } => {
                write!(f, "the down SQL of {label} stored in the database")
            }
        }
    }
}

/// SQL ready to send: the text as written, its statements, and the text with variables bound.
pub(crate) struct Script<'a> {
    /// Where the SQL comes from, for messages and locations.
    pub origin: Origin,
    pub sql: &'a str,
    /// The line of the origin on which `sql` starts.
    pub first_line: usize,
    pub transaction: bool,
    /// The section's own `lock_timeout` and `statement_timeout`, from its marker line.
    pub timeouts: Timeouts,
    pub lexed: Lexed,
    pub bound: Bound,
    /// The statements of the bound text, one for one with those of `lexed`.
    pub(super) bound_lexed: Lexed,
    /// The fingerprint of every prefix of the statements, made when first asked for.
    digests: std::cell::OnceCell<Vec<u64>>,
}

impl<'a> Script<'a> {
    /// Lexes and binds `sql`; `Err` lists the variables without a value.
    pub(crate) fn new(
        origin: Origin,
        sql: &'a str,
        first_line: usize,
        transaction: bool,
        timeouts: Timeouts,
        variables: &Variables,
    ) -> Result<Script<'a>, Vec<String>> {
        let lexed = lex(sql);
        let bound = variables
            .bind(sql, &lexed)
            .ok_or_else(|| variables.missing(&lexed))?;
        let bound_lexed = lex(&bound.text);
        Ok(Script {
            origin,
            sql,
            first_line,
            transaction,
            timeouts,
            lexed,
            bound,
            bound_lexed,
            digests: std::cell::OnceCell::new(),
        })
    }

    pub(super) fn statement_count(&self) -> usize {
        self.lexed.statements.len()
    }

    /// The 1-based line in the origin of byte `offset` of `sql`.
    pub(super) fn line(&self, offset: usize) -> usize {
        self.first_line + line_of(self.sql, offset) - 1
    }

    pub(super) fn statement_line(&self, index: usize) -> usize {
        self.lexed
            .statements
            .get(index)
            .map_or(self.first_line, |s| self.line(s.start))
    }

    /// A fixed-size fingerprint of the first `done` statements as written, to recognise them
    /// on a rerun: recorded after every statement, so its size must not grow with the section
    /// (8,000 statements once wrote 150 MB of WAL when the text itself was recorded).
    pub(super) fn done_sql(&self, done: usize) -> String {
        format!("{DIGEST_PREFIX}{:016x}", self.done_digest(done))
    }

    /// Whether `recorded` (a fingerprint, or the text an earlier version recorded) names the
    /// first `done` statements as they are now.
    pub(super) fn same_done(&self, done: usize, recorded: &str) -> bool {
        if recorded.starts_with(DIGEST_PREFIX) {
            return self.done_sql(done) == recorded;
        }
        let text: Vec<&str> = self
            .lexed
            .statements
            .iter()
            .take(done)
            .map(|s| s.text(self.sql))
            .collect();
        text.join(";\n") == recorded
    }

    fn done_digest(&self, done: usize) -> u64 {
        // Every prefix's fingerprint at once, in one pass over the section.
        let digests = self.digests.get_or_init(|| {
            // A fixed-key SipHash, as refinery pins its checksum: the same on every platform
            // and every release, so that a newer migrate continues an older one's run.
            let mut hasher = SipHasher13::new_with_keys(0, 0);
            let mut digests = vec![hasher.finish()];
            for statement in &self.lexed.statements {
                hasher.write(statement.text(self.sql).as_bytes());
                hasher.write_u8(0);
                digests.push(hasher.finish());
            }
            digests
        });
        digests
            .get(done)
            .or(digests.last())
            .copied()
            .unwrap_or_default()
    }
}
