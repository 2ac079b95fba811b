//! The up and down sections of another tool's file, found by that tool's own markers: goose's
//! `-- +goose Up`, dbmate's `-- migrate:up`, sqlx's `-- no-transaction`; a file without markers
//! is all up.

use crate::layout::Layout;
use crate::revision::Section;

/// A file's sections, and what its tool would refuse in it.
#[derive(Debug, Default)]
pub(crate) struct Sections {
    pub up: Option<Section>,
    pub down: Option<Section>,
    /// Each problem's 1-based line and message.
    pub problems: Vec<(usize, String)>,
}

/// A section that runs the whole file, from its first line.
fn whole(text: &str, transaction: bool) -> Section {
    Section {
        line: 0,
        sql: text.to_owned(),
        transaction,
        timeouts: None,
    }
}

/// The sections of a file of `layout` whose part is the whole revision or its up half.
#[must_use]
pub(crate) fn read(layout: Layout, text: &str) -> Sections {
    match layout {
        Layout::Goose => marked(text, &Goose),
        Layout::Dbmate => marked(text, &Dbmate),
        Layout::Sqlx => Sections {
            // sqlx: a first line `-- no-transaction` runs the file outside a transaction.
            up: Some(whole(
                text,
                text.lines()
                    .next()
                    .is_none_or(|l| l.trim() != "-- no-transaction"),
            )),
            ..Sections::default()
        },
        // golang-migrate's PostgreSQL driver sends the file as it is, in no transaction of its
        // own.
        Layout::GolangMigrate => Sections {
            up: Some(whole(text, false)),
            ..Sections::default()
        },
        // Flyway runs a script whose statements cannot run in a transaction outside one (and
        // refuses one that mixes both unless `mixed` is set).
        Layout::Flyway => Sections {
            up: Some(whole(
                text,
                !text.to_ascii_lowercase().contains("concurrently"),
            )),
            ..Sections::default()
        },
        Layout::Refinery | Layout::Diesel => Sections {
            up: Some(whole(text, true)),
            ..Sections::default()
        },
    }
}

/// How a tool marks the sections of one file.
trait Markers {
    /// `Some(true)` for an up marker, `Some(false)` for a down marker, with whether the
    /// section runs in a transaction by the marker's own options.
    fn marker(&self, line: &str) -> Option<(bool, bool)>;
    /// Whether a line anywhere turns the transaction off for the whole file.
    fn no_transaction(&self, line: &str) -> bool;
    /// The refusal of a file without an up marker.
    fn missing_up(&self) -> &'static str;
}

struct Goose;

impl Markers for Goose {
    fn marker(&self, line: &str) -> Option<(bool, bool)> {
        let command = line
            .strip_prefix("--")?
            .trim()
            .strip_prefix("+goose")?
            .trim();
        if command.eq_ignore_ascii_case("up") {
            Some((true, true))
        } else if command.eq_ignore_ascii_case("down") {
            Some((false, true))
        } else {
            None
        }
    }

    fn no_transaction(&self, line: &str) -> bool {
        line.strip_prefix("--")
            .map(str::trim)
            .and_then(|l| l.strip_prefix("+goose"))
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("no transaction"))
    }

    fn missing_up(&self) -> &'static str {
        "goose refuses a file without `-- +goose Up`"
    }
}

struct Dbmate;

impl Markers for Dbmate {
    fn marker(&self, line: &str) -> Option<(bool, bool)> {
        let rest = line.trim_end();
        let (up, options) = if let Some(options) = rest.strip_prefix("-- migrate:up") {
            (true, options)
        } else {
            (false, rest.strip_prefix("-- migrate:down")?)
        };
        if !options.is_empty() && !options.starts_with(char::is_whitespace) {
            return None;
        }
        Some((
            up,
            !options.split_whitespace().any(|o| o == "transaction:false"),
        ))
    }

    fn no_transaction(&self, _line: &str) -> bool {
        false
    }

    fn missing_up(&self) -> &'static str {
        "dbmate refuses a file without `-- migrate:up`"
    }
}

fn marked(text: &str, markers: &impl Markers) -> Sections {
    let mut found = Sections::default();
    let mut open: Option<(bool, usize, bool, usize)> = None;
    let mut offset = 0;
    let mut no_transaction = false;
    let close = |found: &mut Sections, open: Option<(bool, usize, bool, usize)>, end: usize| {
        if let Some((up, line, transaction, start)) = open {
            let section = Section {
                line,
                sql: text[start..end].to_owned(),
                transaction,
                timeouts: None,
            };
            let slot = if up { &mut found.up } else { &mut found.down };
            if slot.is_some() {
                found.problems.push((
                    line,
                    format!(
                        "a second {} marker: the tool reads one of each",
                        if up { "up" } else { "down" }
                    ),
                ));
            } else {
                *slot = Some(section);
            }
        }
    };
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        no_transaction |= markers.no_transaction(content);
        if let Some((up, transaction)) = markers.marker(content) {
            close(&mut found, open.take(), offset);
            open = Some((up, index + 1, transaction, offset + line.len()));
        }
        offset += line.len();
    }
    close(&mut found, open, text.len());
    if found.up.is_none() {
        found.problems.push((1, markers.missing_up().to_owned()));
    }
    if no_transaction {
        for section in [&mut found.up, &mut found.down].into_iter().flatten() {
            section.transaction = false;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goose_sections_and_options() {
        let text = "-- +goose NO TRANSACTION\n-- +goose Up\ncreate index concurrently i on t (a);\n-- +goose Down\ndrop index i;\n";
        let found = read(Layout::Goose, text);
        let up = found.up.unwrap();
        assert_eq!(up.line, 2);
        assert_eq!(up.sql, "create index concurrently i on t (a);\n");
        assert!(!up.transaction);
        assert_eq!(found.down.unwrap().line, 4);
        assert!(found.problems.is_empty());
        assert_eq!(read(Layout::Goose, "select 1;\n").problems.len(), 1);
    }

    #[test]
    fn dbmate_sections_and_options() {
        let text = "-- migrate:up transaction:false\nselect 1;\n-- migrate:down\nselect 2;\n";
        let found = read(Layout::Dbmate, text);
        assert!(!found.up.unwrap().transaction);
        assert!(found.down.unwrap().transaction);
        assert!(read(Layout::Dbmate, "-- migrate:upx\n").up.is_none());
    }

    #[test]
    fn sqlx_no_transaction() {
        assert!(
            !read(Layout::Sqlx, "-- no-transaction\nselect 1;")
                .up
                .unwrap()
                .transaction
        );
        assert!(read(Layout::Sqlx, "select 1;").up.unwrap().transaction);
    }
}
