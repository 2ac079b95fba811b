//! Lint: what a revision's SQL will do to a busy production table, judged by squawk's rules
//! and by `migrate`'s own, which know each section's transaction mode and lock settings.
//! Only the revisions asked for are parsed: a branch's new ones, or those `migrate lint` names.

mod lock_timeout;
mod nesting;
mod newer_feature;
mod piece;
mod squawk;
mod transaction;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use squawk_syntax::ast::AstNode;
use squawk_syntax::{Parse, SourceFile};

use crate::cli::DeployTimeouts;
use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::project::Project;
use crate::settings::{DEFAULT_LOCK_TIMEOUT, Settings};

use self::piece::Piece;

/// What lint judges by: the settings, and the timeouts a deploy passes as flags.
pub(crate) struct Context<'a> {
    pub settings: &'a Settings,
    /// `--lock-timeout`, as the deploy will pass it.
    pub lock_timeout: Option<Duration>,
    /// `--statement-timeout`, as the deploy will pass it.
    pub statement_timeout: Option<Duration>,
}

impl<'a> Context<'a> {
    /// The context of `check` or `lint`, with the timeouts their flags say the deploy passes.
    #[must_use]
    pub(crate) fn new(settings: &'a Settings, deploy: &DeployTimeouts) -> Context<'a> {
        Context {
            settings,
            lock_timeout: deploy.lock_timeout,
            statement_timeout: deploy.statement_timeout,
        }
    }

    /// The `lock_timeout` the piece will run with: the marker's, the flag's, migrate.toml's,
    /// else the default; zero means none.
    fn lock_timeout(&self, piece: &Piece) -> Duration {
        piece
            .timeouts
            .lock
            .or(self.lock_timeout)
            .or(self.settings.run.lock_timeout)
            .unwrap_or(DEFAULT_LOCK_TIMEOUT)
    }

    /// The `statement_timeout` migrate sets for the piece, if it sets one that is not zero.
    fn statement_timeout(&self, piece: &Piece) -> Option<Duration> {
        piece
            .timeouts
            .statement
            .or(self.statement_timeout)
            .or(self.settings.run.statement_timeout)
            .filter(|d| !d.is_zero())
    }
}

/// One piece being linted, with what every rule needs to report on it.
pub(super) struct Subject<'a> {
    pub context: &'a Context<'a>,
    pub path: &'a str,
    pub text: &'a str,
    pub piece: &'a Piece,
    pub parse: &'a Parse<SourceFile>,
}

impl Subject<'_> {
    /// A finding at bytes `start..end` of the piece's SQL.
    fn finding(
        &self,
        rule: Rule,
        (start, end): (usize, usize),
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        let place = location(
            self.path,
            self.text,
            self.piece.file_offset(start),
            self.piece.file_offset(end),
        );
        Diagnostic::new(rule, place, message, help)
    }

    /// A finding at a statement or any other node of the piece's tree.
    fn finding_at(
        &self,
        rule: Rule,
        node: &dyn AstNode,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        let range = node.syntax().text_range();
        let span = (usize::from(range.start()), usize::from(range.end()));
        self.finding(rule, span, message, help)
    }
}

/// The longest statement handed to squawk's parser. Its tree can still nest once per `UNION` of
/// a chain (`SELECT 1, 2 UNION ALL SELECT 3, 4 ...`: [`nesting::nesting`] lets it through, as its
/// commas end each chain it counts, and its nodes hold whitespace, so rowan never rehashes them),
/// and squawk's parser and rules recurse through it: in a debug build, 30,000 levels of operators
/// overflowed the main thread's 8 MB, so [`STACK`] reserves room for as deep a tree as this much
/// text holds. Real statements this long are data loads.
const STATEMENT_LIMIT: usize = 1024 * 1024;

/// The deepest nesting handed to squawk ([`nesting::nesting`], brackets, `CASE` and operator
/// chains): building its tree takes time in the product of the statement's size and its depth
/// (2,000 levels of `(` or of `1+1`: 20 to 30 ms in a release build; 16,000: 1 to 2 s). A
/// statement no longer than this many bytes cannot nest deeper, and is not scanned.
const NESTING_LIMIT: usize = 2000;

/// The stack of each thread lint runs on: reserved, and touched only as deep as the SQL nests.
const STACK: usize = 512 * 1024 * 1024;

/// Revisions per lint thread: below twice this, one thread does it all.
const PER_THREAD: usize = 64;

/// The lint findings for the revisions at `nodes` of `project`, on every core for many.
#[must_use]
pub(crate) fn lint(context: &Context<'_>, project: &Project, nodes: &[usize]) -> Vec<Diagnostic> {
    if nodes.is_empty() {
        return Vec::new();
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = cores.min(nodes.len() / PER_THREAD).max(1);
    let parts: Vec<&[usize]> = nodes.chunks(nodes.len().div_ceil(threads)).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = parts
            .iter()
            .map(|&part| {
                let worker = std::thread::Builder::new()
                    .name("lint".to_owned())
                    .stack_size(STACK)
                    .spawn_scoped(scope, move || lint_all(context, project, part));
                (part, worker)
            })
            .collect();
        let mut found = Vec::new();
        for (part, worker) in workers {
            // Without a thread of its own (the system refused one), a part is linted here.
            match worker.ok().map(std::thread::ScopedJoinHandle::join) {
                Some(Ok(part_found)) => found.extend(part_found),
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => found.extend(lint_all(context, project, part)),
            }
        }
        found
    })
}

/// `concurrently-in-transaction` over every revision, for the default gate: PostgreSQL refuses
/// such a statement in a transaction block every time, so it fails at deploy whatever the
/// branch. Only revisions whose text holds a word such a statement starts with are parsed.
pub(crate) fn refused_in_transaction(context: &Context<'_>, project: &Project) -> Vec<Diagnostic> {
    static WORDS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build([
                    "concurrently",
                    "vacuum",
                    "database",
                    "tablespace",
                    "system",
                    "add value",
                ])
                .ok()
        });
    let nodes: Vec<usize> = project
        .revisions
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            project
                .sources
                .get(&r.path)
                .is_some_and(|text| WORDS.as_ref().is_none_or(|words| words.is_match(text)))
        })
        .map(|(n, _)| n)
        .collect();
    let mut found = lint(context, project, &nodes);
    found.retain(|d| d.rule == Rule::ConcurrentlyInTransaction);
    found
}

fn lint_all(context: &Context<'_>, project: &Project, nodes: &[usize]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for &node in nodes {
        let Some(revision) = project.revisions.get(node) else {
            continue;
        };
        let Some(text) = project.sources.get(&revision.path) else {
            continue;
        };
        for piece in piece::pieces(revision, text, context.settings.lint.down) {
            found.extend(lint_piece(context, &revision.path, text, &piece));
        }
    }
    found
}

fn lint_piece(context: &Context<'_>, path: &str, text: &str, piece: &Piece) -> Vec<Diagnostic> {
    if let Some(refused) = too_big(path, text, piece) {
        return vec![refused];
    }
    // squawk's parser is made to recover from anything; should it panic on some input all the
    // same, that input is reported rather than the whole gate lost.
    let linted = catch_unwind(AssertUnwindSafe(|| {
        let parse = SourceFile::parse(&piece.sql);
        let subject = Subject {
            context,
            path,
            text,
            piece,
            parse: &parse,
        };
        let mut found = Vec::new();
        if let Some(error) = parse.errors().first() {
            let range = error.range();
            found.push(subject.finding(
                Rule::UnparsableSql,
                (usize::from(range.start()), usize::from(range.end())),
                format!(
                    "squawk cannot parse this SQL ({}), so lint may miss what this section does",
                    error.message().trim_end_matches('.')
                ),
                "check the statement here; if PostgreSQL runs it, silence this with `-- migrate:ignore unparsable-sql -- <reason>` on this line",
            ));
        }
        found.extend(squawk::findings(&subject));
        found.extend(transaction::findings(&subject));
        found.extend(lock_timeout::findings(&subject));
        found.extend(newer_feature::findings(&subject));
        found
    }));
    linted.unwrap_or_else(|_| {
        let at = piece.file_offset(0);
        vec![Diagnostic::new(
            Rule::UnparsableSql,
            location(path, text, at, at),
            "squawk stopped on this SQL, so lint did not judge it",
            "report the section to squawk; meanwhile review it by hand",
        )]
    })
}

/// An `unparsable-sql` finding for a piece with a statement too long, or nested too deeply, for
/// squawk to be handed it.
fn too_big(path: &str, text: &str, piece: &Piece) -> Option<Diagnostic> {
    crate::sql::lex(&piece.sql).statements.iter().find_map(|s| {
        let sql = s.text(&piece.sql);
        let (why, help) = if sql.len() > STATEMENT_LIMIT {
            let why = format!(
                "this statement is {} KiB long, and lint parses statements of up to {} KiB",
                sql.len() / 1024,
                STATEMENT_LIMIT / 1024
            );
            (why, "load data this large with COPY from a file, or")
        } else {
            // The depth counts tokens, each at least a byte long: a statement this short cannot
            // nest deeper than the limit.
            if sql.len() <= NESTING_LIMIT {
                return None;
            }
            let shape = nesting::nesting(sql);
            if shape.depth <= NESTING_LIMIT {
                return None;
            }
            let why = if shape.chain > NESTING_LIMIT {
                format!(
                    "an operator chain of about {} terms is longer than lint reads (up to {NESTING_LIMIT})",
                    shape.chain
                )
            } else {
                format!(
                    "this statement nests about {} levels deep, and lint parses up to {NESTING_LIMIT}",
                    shape.depth
                )
            };
            (why, "split the expression (a list, `IN (...)`, several statements), or")
        };
        let at = piece.file_offset(s.start);
        Some(Diagnostic::new(
            Rule::UnparsableSql,
            location(path, text, at, at),
            format!("{why}: the section is not linted"),
            format!("{help} review the section by hand and silence this with `-- migrate:ignore unparsable-sql -- <reason>` on this line"),
        ))
    })
}

/// The place of bytes `start..end` of `text`: 1-based line and character column, underlined
/// to the end of the first line at most.
fn location(path: &str, text: &str, start: usize, end: usize) -> Location {
    let start = floor_char(text, start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let end = floor_char(text, end.clamp(start, line_end));
    Location::span(
        path,
        text[..start].matches('\n').count() + 1,
        text[line_start..start].chars().count() + 1,
        text[start..end].chars().count().max(1),
    )
}

/// The nearest char boundary at or before `offset`.
fn floor_char(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
pub(crate) mod tests;
