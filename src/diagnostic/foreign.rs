//! The wording of refusals about other tools' trees, which `migrate` checks and their own
//! tools run.

use super::{Diagnostic, Rule};
use crate::layout::Layout;

/// A command that runs migrations, on another tool's tree: `migrate` gates it, its tool runs it.
pub(crate) fn foreign_write(dir: &str, layout: Option<Layout>) -> Diagnostic {
    let (tool, command) = layout.map_or(("Django", "python manage.py migrate"), |l| {
        (l.name(), l.upgrade_command())
    });
    Diagnostic::general(
        Rule::ForeignWriteRefused,
        format!(
            "`{dir}` holds {tool} migrations, and migrate only checks them: their own tool runs them"
        ),
        format!("run them with `{command}`; `migrate current --check-heads` checks the result"),
    )
}

/// Another tool's history table that says the database is in no state to go on.
pub(crate) fn dirty_history(why: &str) -> Diagnostic {
    Diagnostic::general(
        Rule::UnfinishedRevision,
        why,
        "repair the database by hand, then clear the flag with the tool (`migrate force <version>` for golang-migrate)",
    )
}

/// The versions no file defines beyond those named one by one.
pub(crate) fn more_unknown(count: usize) -> Diagnostic {
    Diagnostic::general(
        Rule::UnknownRevision,
        format!("and {count} more versions the database has that no file defines"),
        "deploy the release that has them, or check that `--dir` names the right directory",
    )
}
