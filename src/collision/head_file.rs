//! `migrations/HEAD`: one line naming the head revision, so that two branches that each add a
//! revision both rewrite it and git stops the merge with a conflict.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::project::Project;
use crate::revision::{Revision, RevisionId};
use crate::settings::Settings;
use crate::{Error, relpath};

/// The head file's name inside the migrations directory.
pub(crate) const NAME: &str = "HEAD";

/// What the head file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    /// There is no head file.
    Missing,
    /// One line, as written (without its newline).
    Line(String),
    /// A merge left conflict markers: the lines of each side, and the marker's line.
    Conflict {
        ours: Vec<String>,
        theirs: Vec<String>,
        line: usize,
    },
    /// Anything else: empty, several lines, not UTF-8.
    Malformed(String),
}

/// The head file of the migrations directory the settings name.
#[derive(Debug)]
pub(crate) struct HeadFile {
    /// How output shows its path.
    pub path: String,
    /// Whether `check` holds the file to the graph and `new` and `rebase` keep it current.
    pub enabled: bool,
    /// What it holds.
    pub content: Content,
}

impl HeadFile {
    /// Reads the head file; it is enabled by `head_file = true`, or by existing when unset.
    pub(crate) fn load(settings: &Settings) -> Result<HeadFile, Error> {
        let path = relpath::join(&settings.display_dir, NAME);
        let content = read(&settings.dir.join(NAME), &path)?;
        let enabled = settings
            .head_file
            .unwrap_or(!matches!(content, Content::Missing));
        Ok(HeadFile {
            path,
            enabled,
            content,
        })
    }

    /// Writes the line naming the head: its id and file name.
    pub(crate) fn write(&self, dir: &Path, id: &RevisionId, file_name: &str) -> Result<(), Error> {
        std::fs::write(dir.join(NAME), format!("{id} {file_name}\n")).map_err(|source| Error::Io {
            action: "write",
            path: self.path.clone(),
            source,
        })
    }

    /// `head-file-mismatch` findings: the file disagrees with the graph, or holds conflict markers.
    #[must_use]
    pub(crate) fn diagnostics(&self, project: &Project) -> Vec<Diagnostic> {
        if !self.enabled {
            return Vec::new();
        }
        let heads = project.graph.heads();
        let expected = match heads.as_slice() {
            [one] => Some(line(&project.revisions[*one])),
            _ => None,
        };
        let write_help = |what: &str| match &expected {
            Some(line) => {
                format!("{what} `{line}` (`migrate new` and `migrate rebase` keep it current)")
            }
            None => {
                "resolve the heads first, then write the head's id and file name in it".to_owned()
            }
        };
        let finding = |location: Location, message: String, help: String| {
            vec![Diagnostic::new(
                Rule::HeadFileMismatch,
                location,
                message,
                help,
            )]
        };
        match &self.content {
            Content::Missing if project.revisions.is_empty() => Vec::new(),
            Content::Missing => finding(
                Location::file(&self.path),
                format!("the head file `{}` is missing", self.path),
                write_help("create it holding"),
            ),
            Content::Conflict { ours, theirs, line } => finding(
                Location::span(&self.path, *line, 1, 7),
                format!(
                    "`{}` holds merge conflict markers between `{}` and `{}`",
                    self.path,
                    ours.join(" "),
                    theirs.join(" ")
                ),
                "two branches each added a revision: run `migrate rebase` to renumber this branch's revisions after the other's and rewrite the head file".to_owned(),
            ),
            Content::Malformed(why) => finding(
                Location::file(&self.path),
                format!("`{}` {why}", self.path),
                write_help("make it one line:"),
            ),
            Content::Line(text) => {
                let names_a_head = heads
                    .iter()
                    .any(|&h| same_line(text, &line(&project.revisions[h])));
                if names_a_head || (heads.is_empty() && project.revisions.is_empty()) {
                    return Vec::new();
                }
                let head = match heads.as_slice() {
                    [one] => format!(
                        "the head is `{}` (`{}`)",
                        project.revisions[*one].id,
                        project.revisions[*one].file_name()
                    ),
                    _ => "it names none of the heads".to_owned(),
                };
                finding(
                    Location::span(&self.path, 1, 1, text.chars().count()),
                    format!("`{}` names `{text}`, but {head}", self.path),
                    write_help("replace the line with"),
                )
            }
        }
    }
}

/// The line that names `head`: its id and its file name.
#[must_use]
pub(crate) fn line(head: &Revision) -> String {
    format!("{} {}", head.id, head.file_name())
}

fn same_line(written: &str, expected: &str) -> bool {
    written.split_whitespace().eq(expected.split_whitespace())
}

fn read(full: &Path, shown: &str) -> Result<Content, Error> {
    let bytes = match crate::source::bounded::read(full, crate::source::bounded::CONFIG_LIMIT)
        .map_err(crate::source::bounded::Refused::into_io)
    {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Content::Missing),
        Err(source) => {
            return Err(Error::Io {
                action: "read",
                path: shown.to_owned(),
                source,
            });
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(Content::Malformed("is not valid UTF-8".to_owned()));
    };
    Ok(parse(&text))
}

/// Reads the head file's text: one line, or the two sides of a merge conflict.
#[must_use]
pub(crate) fn parse(text: &str) -> Content {
    if let Some(conflict) = conflict(text) {
        return conflict;
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.as_slice() {
        [one] if one.split_whitespace().count() == 2 => Content::Line((*one).to_owned()),
        [_] => Content::Malformed("does not hold `<id> <file name>`".to_owned()),
        [] => Content::Malformed("is empty".to_owned()),
        _ => Content::Malformed("holds more than one line".to_owned()),
    }
}

/// The sides of git's conflict markers; the common ancestor's section (`diff3` style) is dropped.
fn conflict(text: &str) -> Option<Content> {
    #[derive(PartialEq)]
    enum Side {
        Outside,
        Ours,
        Base,
        Theirs,
    }
    let mut side = Side::Outside;
    let (mut ours, mut theirs, mut first) = (Vec::new(), Vec::new(), None);
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with("<<<<<<<") {
            first.get_or_insert(index + 1);
            side = Side::Ours;
        } else if line.starts_with("|||||||") && side == Side::Ours {
            side = Side::Base;
        } else if line.starts_with("=======") && side != Side::Outside {
            side = Side::Theirs;
        } else if line.starts_with(">>>>>>>") {
            side = Side::Outside;
        } else if !line.is_empty() {
            match side {
                Side::Ours => ours.push(line.to_owned()),
                Side::Theirs => theirs.push(line.to_owned()),
                Side::Base | Side::Outside => {}
            }
        }
    }
    first.map(|line| Content::Conflict { ours, theirs, line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_line() {
        assert_eq!(
            parse("041 041_add_role.sql\n"),
            Content::Line("041 041_add_role.sql".to_owned())
        );
        assert!(matches!(parse(""), Content::Malformed(_)));
        assert!(matches!(parse("a\nb\n"), Content::Malformed(_)));
        assert!(matches!(parse("041\n"), Content::Malformed(_)));
    }

    #[test]
    fn reads_both_sides_of_a_conflict() {
        let text = "<<<<<<< HEAD\n040 040_add_role.sql\n||||||| base\n039 039_x.sql\n=======\n040 040_create_team.sql\n>>>>>>> main\n";
        assert_eq!(
            parse(text),
            Content::Conflict {
                ours: vec!["040 040_add_role.sql".to_owned()],
                theirs: vec!["040 040_create_team.sql".to_owned()],
                line: 1,
            }
        );
    }
}
