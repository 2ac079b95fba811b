//! The SQL lint reads from one revision, each piece with its transaction mode and the way back
//! from a place in the SQL to a place in the file.

use crate::revision::{DirFormat, Revision, Section, Timeouts};
use crate::source::alembic::executed;
use crate::sql::{Bound, Variables, lex};

/// One stretch of SQL: a section of a `.sql` revision, or one `op.execute` literal.
#[derive(Debug)]
pub(crate) struct Piece {
    /// The SQL as parsed: psql variables replaced by placeholders.
    pub sql: String,
    /// Whether it runs inside a transaction.
    pub transaction: bool,
    /// The section marker's own timeouts.
    pub timeouts: Timeouts,
    /// Whether `migrate` runs it, with its `lock_timeout`: a `.sql` revision's section.
    pub native: bool,
    origin: Origin,
}

#[derive(Debug)]
enum Origin {
    /// The section's text starts at byte `start` of the file; `bound` maps placeholders back.
    Section { start: usize, bound: Bound },
    /// A Python string literal whose content starts at `start`; `exact` when no escape changed
    /// the offsets.
    Literal { start: usize, exact: bool },
}

impl Piece {
    /// The byte offset in the file of byte `offset` of [`Piece::sql`].
    #[must_use]
    pub(crate) fn file_offset(&self, offset: usize) -> usize {
        match &self.origin {
            Origin::Section { start, bound } => start + bound.original_offset(offset),
            Origin::Literal { start, exact: true } => start + offset,
            Origin::Literal {
                start,
                exact: false,
            } => *start,
        }
    }
}

/// The pieces of `revision`, whose file's text is `text`: the up section or `upgrade()`, and
/// the down side too with `down`.
#[must_use]
pub(crate) fn pieces(revision: &Revision, text: &str, down: bool) -> Vec<Piece> {
    match revision.format {
        DirFormat::Sql | DirFormat::Linear(_) => sql_pieces(revision, text, down),
        // A Django migration's operations are Python that Django turns into SQL.
        DirFormat::Django => Vec::new(),
        DirFormat::Alembic => executed::executed(text, down)
            .into_iter()
            .map(|(e, _in_down)| Piece {
                sql: e.sql,
                transaction: e.transaction,
                timeouts: Timeouts::default(),
                native: false,
                origin: Origin::Literal {
                    start: e.start,
                    exact: e.exact,
                },
            })
            .collect(),
    }
}

/// A `.sql` file's sections, read from the file's text rather than from the parsed section, so
/// that every line between the markers is in place, suppression comments included, and an
/// offset maps back to the file without counting lines.
fn sql_pieces(revision: &Revision, text: &str, down: bool) -> Vec<Piece> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // The byte where 1-based line `line` starts; past the end, the end.
    let line_start = |line: usize| starts.get(line - 1).copied().unwrap_or(text.len());
    let mut pieces = Vec::new();
    let up_end = revision
        .down
        .as_ref()
        .map_or(text.len(), |d| line_start(d.line));
    if let Some(up) = &revision.up {
        pieces.extend(section_piece(up, text, line_start(up.line + 1), up_end));
    }
    if down && let Some(section) = &revision.down {
        pieces.extend(section_piece(
            section,
            text,
            line_start(section.line + 1),
            text.len(),
        ));
    }
    pieces
}

fn section_piece(section: &Section, text: &str, start: usize, end: usize) -> Option<Piece> {
    let sql = text.get(start..end.max(start))?;
    let bound = Variables::placeholders().bind(sql, &lex(sql))?;
    Some(Piece {
        sql: bound.text.clone(),
        transaction: section.transaction,
        timeouts: section.timeouts(),
        native: true,
        origin: Origin::Section { start, bound },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::sql_file;

    #[test]
    fn maps_places_in_a_section_back_to_the_file() {
        // The suppression is assembled, so that this file holds none for `check` to judge.
        let ignore = ["-- migrate", ":ignore x -- y"].concat();
        let text = format!(
            "-- x\n-- migrate:revises none\n\n-- migrate:up\nselect :'V';\n{ignore}\nalter table t add c int;\n\n-- migrate:down\ndrop table t;\n"
        );
        let text = text.as_str();
        let (parsed, _) = sql_file::parse(text);
        let revision = Revision {
            up: parsed.up,
            down: parsed.down,
            ..crate::lint::tests::revision("001_x.sql")
        };
        let pieces = pieces(&revision, text, true);
        assert_eq!(pieces.len(), 2);
        assert_eq!(
            pieces[0].sql,
            format!("select 'V';\n{ignore}\nalter table t add c int;\n\n")
        );
        let alter = pieces[0].sql.find("alter").unwrap();
        assert_eq!(pieces[0].file_offset(alter), text.find("alter").unwrap());
        let semicolon = pieces[0].sql.find(';').unwrap();
        assert_eq!(&text[pieces[0].file_offset(semicolon)..][..1], ";");
        assert_eq!(pieces[1].file_offset(0), text.find("drop").unwrap());
        assert_eq!(super::pieces(&revision, text, false).len(), 1);
    }
}
