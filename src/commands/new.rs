//! `migrate new MESSAGE`: the next-numbered revision after the one head, with empty sections to fill.

use std::io::Write;
use std::path::Path;

use crate::check::padding_width;
use crate::cli::NewArgs;
use crate::collision::head_file::HeadFile;
use crate::diagnostic::{Rule, refusal};
use crate::output::{Body, Progress, Report};
use crate::project::Project;
use crate::revision::RevisionId;
use crate::settings::Settings;
use crate::{Error, relpath, slug};

/// The width of the first revision's number when nothing sets one.
pub(super) const FIRST_WIDTH: usize = 3;

pub(super) fn run(
    settings: &Settings,
    args: &NewArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let project = Project::load(settings)?;
    let heads = project.graph.heads();
    let parent = match heads.as_slice() {
        [] if project.revisions.is_empty() => None,
        [one] => Some(&project.revisions[*one].id),
        _ => {
            // The graph decides what the refusal shows: the heads, or the cycle that left none.
            let diagnostics: Vec<_> = project
                .diagnostics()
                .into_iter()
                .filter(|d| matches!(d.rule, Rule::MultipleHeads | Rule::Cycle))
                .collect();
            let mut report = Report::of_findings("new", &project, diagnostics);
            report.push(refusal::several_heads(heads.len()));
            return Ok(report);
        }
    };
    let width = padding_width(project.revisions.iter().map(|r| &r.id)).unwrap_or(
        if project.revisions.is_empty() {
            FIRST_WIDTH
        } else {
            1
        },
    );
    let id = match project.revisions.iter().map(|r| &r.id).max() {
        Some(highest) => highest.successor(width),
        None => RevisionId::parse("0")
            .expect("`0` is digits")
            .successor(width),
    };
    let head_file = HeadFile::load(settings)?;
    let path = write_revision(
        &settings.dir,
        &settings.display_dir,
        &id,
        args.message(),
        &parent.into_iter().collect::<Vec<_>>(),
    )?;
    if head_file.enabled {
        head_file.write(&settings.dir, &id, file_name(&path))?;
    }
    progress
        .hint("write the upgrade SQL below `-- migrate:up` (`check` refuses an empty up section)");
    Ok(Report::new("new", Body::Created { path }))
}

/// The file name of a displayed path.
pub(super) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Writes a new revision file and returns its displayed path. Never overwrites a file.
pub(super) fn write_revision(
    dir: &Path,
    display_dir: &str,
    id: &RevisionId,
    message: &str,
    parents: &[&RevisionId],
) -> Result<String, Error> {
    let slug = slug::slugify(message);
    let slug = slug::truncate(&slug, slug::MAX_LEN);
    if slug.is_empty() {
        return Err(Error::Usage(format!(
            "the message `{message}` has no letters or digits to name the file after"
        )));
    }
    let name = format!("{id}_{slug}.sql");
    let shown = relpath::join(display_dir, &name);
    let mut text = String::new();
    for line in message.lines() {
        text.push_str(format!("-- {line}").trim_end());
        text.push('\n');
    }
    let revises: Vec<String> = parents.iter().map(ToString::to_string).collect();
    text.push_str("-- migrate:revises ");
    text.push_str(if revises.is_empty() { "none" } else { "" });
    text.push_str(&revises.join(" "));
    if parents.len() > 1 {
        text.push_str("\n\n-- migrate:up\n-- A merge revision: it joins the heads and has nothing to run.\n\n-- migrate:down\n\n");
    } else {
        text.push_str("\n\n-- migrate:up\n\n\n-- migrate:down\n\n");
    }
    create(&dir.join(&name), &shown, &text)?;
    Ok(shown)
}

/// Creates a file with `text`; never overwrites one.
pub(super) fn create(path: &Path, shown: &str, text: &str) -> Result<(), Error> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| Error::Io {
            action: "create",
            path: shown.to_owned(),
            source,
        })?;
    file.write_all(text.as_bytes()).map_err(|source| Error::Io {
        action: "write",
        path: shown.to_owned(),
        source,
    })
}
