//! `migrate merge [MESSAGE]`: a merge revision that revises every head, as `alembic merge heads`
//! writes one: a native `.sql` file with nothing to run, or an Alembic file from the project's
//! template with `down_revision` a tuple.

use std::path::Path;
use std::time::SystemTime;

use crate::check::padding_width;
use crate::cli::MergeArgs;
use crate::collision::head_file::HeadFile;
use crate::diagnostic::refusal;
use crate::output::{Body, Progress, Report};
use crate::project::Project;
use crate::revision::{DirFormat, RevisionId};
use crate::settings::Settings;
use crate::source::alembic::template::{self, NewFile};
use crate::{Error, relpath, slug};

/// Alembic cuts a file name's slug at this many characters (`truncate_slug_length`).
const ALEMBIC_SLUG: usize = 40;

pub(super) fn run(
    settings: &Settings,
    args: &MergeArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let project = Project::load(settings)?;
    if project.format == DirFormat::Django {
        return super::django_merge::run(settings, &project, progress);
    }
    let heads = project.graph.heads();
    if heads.len() < 2 {
        return Ok(Report::refused(
            "merge",
            refusal::nothing_to_merge(heads.len()),
        ));
    }
    let parents: Vec<&RevisionId> = heads.iter().map(|&h| &project.revisions[h].id).collect();
    let numbered = project.revisions.iter().all(|r| r.id.is_number());
    let id = if numbered {
        let width = padding_width(project.revisions.iter().map(|r| &r.id)).unwrap_or(1);
        project
            .revisions
            .iter()
            .map(|r| &r.id)
            .max()
            .map_or_else(|| RevisionId::name("1"), |highest| highest.successor(width))
    } else {
        RevisionId::name(&crate::unique::hex12())
    };
    let path = match project.format {
        DirFormat::Sql => super::new::write_revision(
            &settings.dir,
            &settings.display_dir,
            &id,
            args.message(),
            &parents,
        )?,
        DirFormat::Alembic => write_alembic(settings, &id, &parents, args.message())?,
        DirFormat::Django => return super::django_merge::run(settings, &project, progress),
        // A line ordered by version has one head; two files of one version are a
        // `duplicate-revision`, which a merge file would not repair.
        DirFormat::Linear(layout) => {
            return Err(Error::Usage(format!(
                "a {layout} tree has no heads to merge: its order is its versions"
            )));
        }
    };
    let head_file = HeadFile::load(settings)?;
    if head_file.enabled {
        head_file.write(&settings.dir, &id, super::new::file_name(&path))?;
    }
    progress.hint(&format!(
        "merged {} heads: review the new revision, then commit it",
        parents.len()
    ));
    Ok(Report::new("merge", Body::Created { path }))
}

fn write_alembic(
    settings: &Settings,
    id: &RevisionId,
    parents: &[&RevisionId],
    message: &str,
) -> Result<String, Error> {
    // The message goes into the docstring as written, as Alembic writes it; one that would end
    // the docstring or escape from it would make a file Python cannot import.
    if message.contains("\"\"\"") || message.ends_with(['"', '\\']) {
        return Err(Error::Usage(
            "the message would end the revision's docstring early: leave out `\"\"\"`, and do not end it with `\"` or `\\`".to_owned(),
        ));
    }
    let slug = slug::slugify(message);
    let slug = slug::truncate(&slug, ALEMBIC_SLUG);
    if slug.is_empty() {
        return Err(Error::Usage(format!(
            "the message `{message}` has no letters or digits to name the file after"
        )));
    }
    let name = format!("{id}_{slug}.py");
    let shown = relpath::join(&settings.display_dir, &name);
    let parents: Vec<String> = parents.iter().map(ToString::to_string).collect();
    let create_date = humantime::format_rfc3339_micros(SystemTime::now())
        .to_string()
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_owned();
    let script_directory = settings.dir.parent().unwrap_or(Path::new("."));
    let text = template::render(
        script_directory,
        &NewFile {
            id: id.as_str(),
            parents: &parents,
            message,
            create_date: &create_date,
        },
    );
    super::new::create(&settings.dir.join(&name), &shown, &text)?;
    Ok(shown)
}
