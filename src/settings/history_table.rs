//! The history table's name, `schema.table`, validated once.

use std::fmt;

use crate::Error;

/// The schema-qualified name of refinery's history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HistoryTable {
    pub schema: String,
    pub name: String,
}

impl HistoryTable {
    /// Reads `schema.table`, or a bare `table` in `public`.
    pub(crate) fn parse(text: &str) -> Result<HistoryTable, Error> {
        let (schema, name) = text.split_once('.').unwrap_or(("public", text));
        let valid = |part: &str| {
            !part.is_empty()
                && part.len() <= 63
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && !part.starts_with(|c: char| c.is_ascii_digit())
        };
        if !valid(schema) || !valid(name) {
            return Err(Error::Usage(format!(
                "invalid history table `{text}`: write `schema.table` in lower case letters, digits and `_`"
            )));
        }
        Ok(HistoryTable {
            schema: schema.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl Default for HistoryTable {
    fn default() -> Self {
        HistoryTable {
            schema: "public".to_owned(),
            name: "refinery_schema_history".to_owned(),
        }
    }
}

impl fmt::Display for HistoryTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}
