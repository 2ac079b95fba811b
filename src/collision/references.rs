//! Stale references: names (`040_add_readonly_role.py`) and prose (`Revision ID: 040`) that
//! point at a migration by a number it no longer has, found for `check` and fixed by `rebase`.
//!
//! False positives would make the pre-commit hook useless, so a name is only judged when its
//! slug belongs to exactly one revision; every other `<digits>_<slug>` token is left alone.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use crate::{Error, parallel};

/// Below this many files, searching on one thread is faster than starting more.
const PARALLEL_THRESHOLD: usize = 256;
use crate::collision::file_walk::{self as repository, Skip, TextFile, TextFiles};
use crate::diagnostic::suppress::{self, Suppression};
use crate::diagnostic::{Diagnostic, Rule, Sources};
use crate::project::Project;
use crate::revision::{DirFormat, Revises, Revision, RevisionId};
use crate::settings::Settings;
use crate::source::finding::Finding;

/// `Revision ID: 040` or `Revises: 039` at the start of a line, after an optional comment marker.
static PROSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(?:--|#|//|\*)?[ \t]*(Revision ID|Revises):[ \t]*([^\r\n]*?)[ \t]*\r?$")
        .expect("the prose pattern is valid")
});

/// One stale reference and the edit that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stale {
    /// The whole reference's bytes, for the diagnostic's location.
    pub span: Range<usize>,
    /// The bytes to replace; the rest of the reference stays as written.
    pub replace: Range<usize>,
    /// What to write instead.
    pub with: String,
    /// One line saying what is stale.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// The revisions' slugs, searchable all at once.
pub(crate) struct Index<'a> {
    revisions: &'a [Revision],
    /// For each pattern, the one revision with that slug, or `None` when several share it.
    owners: Vec<Option<usize>>,
    /// Finds `_<slug>` for every slug; `None` when there are no revisions.
    matcher: Option<AhoCorasick>,
}

impl<'a> Index<'a> {
    /// Indexes the revisions' slugs.
    #[must_use]
    pub(crate) fn new(revisions: &'a [Revision]) -> Index<'a> {
        let mut by_slug: HashMap<&str, Option<usize>> = HashMap::new();
        // Only a numbered name can go stale: Alembic's hex ids never change.
        for (node, revision) in revisions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.id.is_number())
        {
            by_slug
                .entry(revision.slug.as_str())
                .and_modify(|owner| *owner = None)
                .or_insert(Some(node));
        }
        let mut slugs: Vec<(&str, Option<usize>)> = by_slug.into_iter().collect();
        slugs.sort_unstable();
        let patterns: Vec<String> = slugs.iter().map(|(slug, _)| format!("_{slug}")).collect();
        // Leftmost-longest, so that `_add_role_grants` wins over `_add_role` where both are slugs.
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok()
            .filter(|_| !patterns.is_empty());
        Index {
            revisions,
            owners: slugs.into_iter().map(|(_, owner)| owner).collect(),
            matcher,
        }
    }

    /// Every `<digits>_<slug>` token in `text` whose slug names one revision and whose number
    /// is not that revision's.
    #[must_use]
    pub(crate) fn stale_names(&self, text: &[u8]) -> Vec<Stale> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for hit in matcher.find_iter(text) {
            let Some(node) = self.owners[hit.pattern().as_usize()] else {
                continue;
            };
            let underscore = hit.start();
            let digits_start = text[..underscore]
                .iter()
                .rposition(|b| !b.is_ascii_digit())
                .map_or(0, |p| p + 1);
            let starts_word = digits_start == 0 || !is_word(text[digits_start - 1]);
            let ends_word = text.get(hit.end()).is_none_or(|&b| !is_word(b));
            if digits_start == underscore || !starts_word || !ends_word {
                continue;
            }
            let digits = String::from_utf8_lossy(&text[digits_start..underscore]);
            let revision = &self.revisions[node];
            let Some(number) = RevisionId::parse(&digits) else {
                continue;
            };
            if number == revision.id {
                continue;
            }
            let name_end = extension_end(text, hit.end());
            let written = String::from_utf8_lossy(&text[digits_start..name_end]).into_owned();
            let current = format!("{}{}", revision.id, &written[digits.len()..]);
            found.push(Stale {
                span: digits_start..name_end,
                replace: digits_start..underscore,
                with: revision.id.to_string(),
                message: format!(
                    "`{written}` names a migration that is now `{}`",
                    revision.file_name()
                ),
                help: format!(
                    "write `{current}` (`migrate rebase` rewrites every stale reference)"
                ),
            });
        }
        found
    }
}

/// The repository's text files that the scan reads, for the project's migrations.
pub(crate) fn repository_files(settings: &Settings, project: &Project) -> Result<TextFiles, Error> {
    let skip = Skip {
        format: project.format,
        exclude: settings.exclude.clone(),
        migrations: project.dirs.clone(),
        listed: project.others.as_deref(),
    };
    repository::text_files(&repository::root()?, &skip)
}

/// Every text file of the repository, walked and read once for the scans of several trees;
/// each takes its share with `TextFiles::share`.
pub(crate) fn all_files(settings: &Settings) -> Result<TextFiles, Error> {
    let skip = Skip {
        exclude: settings.exclude.clone(),
        ..Skip::default()
    };
    repository::text_files(&repository::root()?, &skip)
}

/// Every stale reference the scan finds.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// In the repository's files, by index into the files scanned.
    pub in_files: Vec<(usize, Vec<Stale>)>,
    /// In the migration files' names and prose, by revision.
    pub in_migrations: Vec<(usize, Vec<Stale>)>,
}

/// Stale references in the repository's files and in the migration files.
#[must_use]
pub(crate) fn find<F: Borrow<TextFile> + Sync>(project: &Project, files: &[F]) -> Found {
    let index = Index::new(&project.revisions);
    // Searching is a pass over every byte of the repository: worth every core.
    let in_files = indexed(parallel::map(files, PARALLEL_THRESHOLD, |file| {
        index.stale_names(&file.borrow().bytes)
    }));
    let in_migrations = indexed(parallel::map(
        &project.revisions,
        PARALLEL_THRESHOLD,
        |revision| {
            // An Alembic docstring has its own rule, `stale-docstring`, judged against the code;
            // and a tree of hex ids has no names that can go stale.
            let prose = revision.format == DirFormat::Sql;
            if !prose && index.matcher.is_none() {
                return Vec::new();
            }
            let Some(text) = project.sources.get(&revision.path) else {
                return Vec::new();
            };
            let mut stale = index.stale_names(text.as_bytes());
            if prose {
                stale.extend(stale_prose(revision, text));
            }
            stale.sort_by_key(|s| s.span.start);
            stale
        },
    ));
    Found {
        in_files,
        in_migrations,
    }
}

/// The non-empty findings, each with the index of what it was found in.
fn indexed(found: Vec<Vec<Stale>>) -> Vec<(usize, Vec<Stale>)> {
    found
        .into_iter()
        .enumerate()
        .filter(|(_, stale)| !stale.is_empty())
        .collect()
}

/// `check`'s scan.
#[derive(Debug)]
pub(crate) struct Scan {
    /// Every stale reference, as a diagnostic.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The text of the files outside the migrations that hold one, so that output can show the line.
    pub(crate) sources: Sources,
    /// The suppression comments in the files scanned.
    pub(crate) suppressions: Vec<Suppression>,
}

/// `check`'s scan of the tree's share of the repository's files for stale references.
#[must_use]
pub(crate) fn check(project: &Project, files: &[&TextFile], found: Found) -> Scan {
    let Found {
        in_files,
        in_migrations,
    } = found;
    let mut found = Vec::new();
    let mut sources = Sources::new();
    let suppressions = files
        .iter()
        .flat_map(|file| suppress::find_in_bytes(&file.path, &file.bytes))
        .collect();
    for (i, stale) in in_files {
        let file = &files[i];
        found.extend(diagnostics(&file.path, &file.bytes, stale));
        sources.insert(
            file.path.clone(),
            String::from_utf8_lossy(&file.bytes).into_owned(),
        );
    }
    for (node, stale) in in_migrations {
        let revision = &project.revisions[node];
        let text = project
            .sources
            .get(&revision.path)
            .map_or("", String::as_str);
        found.extend(diagnostics(&revision.path, text.as_bytes(), stale));
    }
    Scan {
        diagnostics: found,
        sources,
        suppressions,
    }
}

/// `Revision ID:` and `Revises:` lines in a migration file's header that disagree with the
/// revision's real id and parents.
#[must_use]
pub(crate) fn stale_prose(revision: &Revision, text: &str) -> Vec<Stale> {
    // Only the header is prose; the SQL below may hold anything.
    let header_end = revision.up.as_ref().map_or(text.len(), |up| {
        text.split_inclusive('\n')
            .take(up.line - 1)
            .map(str::len)
            .sum()
    });
    let mut found = Vec::new();
    for caps in PROSE.captures_iter(&text[..header_end]) {
        let (Some(label), Some(value)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        // Only a value made of revision numbers is judged: `Revises: the user table` is prose
        // of another kind, and a false alarm would make the hook useless.
        let mut written: Vec<Option<RevisionId>> = Vec::new();
        for word in value.as_str().split([',', ' ', '\t', '(', ')']) {
            if word.is_empty() || word.eq_ignore_ascii_case("none") {
                continue;
            }
            written.push(RevisionId::parse(word));
        }
        let Some(mut written) = written.into_iter().collect::<Option<Vec<RevisionId>>>() else {
            continue;
        };
        let (expected, agrees) = if label.as_str() == "Revision ID" {
            if written.len() != 1 {
                continue;
            }
            (revision.id.to_string(), written[0] == revision.id)
        } else {
            if matches!(revision.revises, Revises::Unknown) {
                continue;
            }
            let mut real: Vec<RevisionId> = revision.parent_ids().into_iter().cloned().collect();
            let expected = if real.is_empty() {
                "none".to_owned()
            } else {
                real.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            written.sort();
            real.sort();
            (expected, written == real)
        };
        if agrees {
            continue;
        }
        let label = label.as_str();
        let real = if label == "Revision ID" {
            format!("the file's revision is `{expected}`")
        } else {
            format!(
                "`-- migrate:revises` says `{}`",
                expected.replace(", ", " ")
            )
        };
        found.push(Stale {
            span: caps.get(1).map_or(value.start(), |l| l.start())..value.end(),
            replace: value.range(),
            with: expected.clone(),
            message: format!("`{label}: {}` disagrees: {real}", value.as_str()),
            help: format!("write `{label}: {expected}`"),
        });
    }
    found
}

/// Turns findings in one file into `stale-reference` diagnostics at their line and column.
#[must_use]
pub(crate) fn diagnostics(path: &str, text: &[u8], stale: Vec<Stale>) -> Vec<Diagnostic> {
    stale
        .into_iter()
        .map(|s| {
            let line_start = text[..s.span.start]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let line = text[..line_start].split(|&b| b == b'\n').count();
            let column = String::from_utf8_lossy(&text[line_start..s.span.start])
                .chars()
                .count()
                + 1;
            let span = String::from_utf8_lossy(&text[s.span.clone()])
                .chars()
                .count();
            Finding {
                rule: Rule::StaleReference,
                line,
                column,
                span,
                message: s.message,
                help: s.help,
            }
            .at(path)
        })
        .collect()
}

/// Applies non-overlapping edits to a text.
#[must_use]
pub(crate) fn apply(text: &str, stale: &[Stale]) -> String {
    let mut edits: Vec<&Stale> = stale.iter().collect();
    edits.sort_by_key(|s| s.replace.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        if edit.replace.start < at {
            continue;
        }
        out.push_str(&text[at..edit.replace.start]);
        out.push_str(&edit.with);
        at = edit.replace.end;
    }
    out.push_str(&text[at..]);
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where a name's extension ends (`.py`, `.sql`), or `end` when it has none.
fn extension_end(text: &[u8], end: usize) -> usize {
    if text.get(end) != Some(&b'.') {
        return end;
    }
    let ext = text[end + 1..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if ext == 0 { end } else { end + 1 + ext }
}

#[cfg(test)]
mod tests;
