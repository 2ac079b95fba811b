//! The gate of the writing commands: what refuses a run before anything is sent, from the
//! files alone or from the files next to the database's history.

use super::{Command, Files, identities, version_label};
use crate::Error;
use crate::database::history::{Direction, State};
use crate::diagnostic::foreign;
use crate::diagnostic::refusal::{self, Unfinished};
use crate::diagnostic::{Diagnostic, Severity};
use crate::output::Report;
use crate::project::Project;
use crate::revision::DirFormat;
use crate::settings::Settings;

/// Loads the migrations for a command that may write; `Err` holds the refusal of an Alembic
/// tree, or of a tree that fails `check`, with `check`'s findings.
pub(in crate::commands) fn load_valid(
    settings: &Settings,
    command: &'static str,
) -> Result<Result<Files, Report>, Error> {
    let project = Project::load(settings)?;
    if project.format == DirFormat::Alembic {
        return Ok(Err(Report::refused(
            command,
            refusal::alembic_write(&settings.display_dir),
        )));
    }
    let foreign = match project.format {
        DirFormat::Linear(layout) => Some(Some(layout)),
        DirFormat::Django => Some(None),
        DirFormat::Sql | DirFormat::Alembic => None,
    };
    if let Some(layout) = foreign {
        return Ok(Err(Report::refused(
            command,
            foreign::foreign_write(&settings.display_dir, layout),
        )));
    }
    let diagnostics = project.diagnostics();
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        let mut report = Report::of_findings(command, &project, diagnostics);
        report.push(refusal::check_failed());
        return Ok(Err(report));
    }
    let identities = identities(&project)?;
    Ok(Ok(Files {
        project,
        identities,
    }))
}

/// What the database's history refuses: for `upgrade`, applied files that changed and
/// revisions no file knows (unless `--allow-unknown`), and an unfinished downgrade; for
/// `downgrade`, an unfinished upgrade.
pub(super) fn judge(files: &Files, state: &State, command: Command<'_>) -> Vec<Diagnostic> {
    let mut refusals = Vec::new();
    let label = |version| version_label(&files.project, &files.identities, version);
    match command {
        Command::Upgrade(args) => {
            for row in &state.applied {
                match files
                    .identities
                    .iter()
                    .position(|i| i.version == row.version)
                {
                    Some(node) => {
                        let identity = &files.identities[node];
                        if row.checksum.as_deref() != Some(identity.checksum.as_str()) {
                            refusals.push(refusal::checksum_mismatch(
                                &files.project.revisions[node].path,
                                row.applied_on.as_deref().unwrap_or("an unknown date"),
                                row.checksum.as_deref().unwrap_or("NULL"),
                                &identity.checksum,
                            ));
                        }
                    }
                    None if !args.allow_unknown => {
                        refusals.push(super::unknown_revision(row));
                    }
                    None => {}
                }
            }
            for progress in &state.progress {
                if progress.direction == Direction::Down {
                    refusals.push(refusal::unfinished(
                        &label(progress.version),
                        progress.done,
                        &progress.error,
                        Unfinished::DowngradeBlocksUpgrade,
                    ));
                }
            }
        }
        Command::Downgrade(_) => {
            if let Some(partial) = state.progress.iter().find(|p| p.direction == Direction::Up) {
                refusals.push(refusal::unfinished(
                    &label(partial.version),
                    partial.done,
                    &partial.error,
                    Unfinished::UpgradeBlocksDowngrade,
                ));
            }
        }
        Command::Stamp(_) => {}
    }
    refusals
}
