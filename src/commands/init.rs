//! `migrate init`: a new migrations directory holding a first revision.

use super::new;
use crate::Error;
use crate::cli::InitArgs;
use crate::collision::head_file::HeadFile;
use crate::diagnostic::refusal;
use crate::output::{Body, Progress, Report};
use crate::revision::RevisionId;
use crate::settings::Settings;
use crate::source::filename;

pub(super) fn run(
    settings: &Settings,
    args: &InitArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    let io_error = |action| {
        let path = settings.display_dir.clone();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    if settings.dir.exists() {
        let entries = std::fs::read_dir(&settings.dir).map_err(io_error("read"))?;
        for entry in entries {
            let name = entry.map_err(io_error("read"))?.file_name();
            if filename::is_candidate(&name.to_string_lossy()) {
                return Ok(Report::refused(
                    "init",
                    refusal::already_initialized(&settings.display_dir),
                ));
            }
        }
    } else {
        std::fs::create_dir_all(&settings.dir).map_err(io_error("create"))?;
    }
    let first = RevisionId::parse("0")
        .expect("`0` is digits")
        .successor(new::FIRST_WIDTH);
    let path = new::write_revision(
        &settings.dir,
        &settings.display_dir,
        &first,
        &args.message,
        &[],
    )?;
    // A new directory gets the head file unless the configuration turns it off.
    let head_file = HeadFile::load(settings)?;
    if settings.head_file != Some(false) {
        head_file.write(&settings.dir, &first, new::file_name(&path))?;
    }
    progress.hint(
        "write the first upgrade SQL below `-- migrate:up` (`check` refuses an empty up section)",
    );
    Ok(Report::new("init", Body::Created { path }))
}
