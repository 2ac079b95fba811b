//! A new Alembic revision file, as `alembic merge` and `alembic revision` write it: from the
//! project's own `script.py.mako` when it uses only the plain substitutions of Alembic's
//! templates, else from Alembic's generic template.

use std::path::Path;

use crate::source::bounded;

/// Alembic's generic `script.py.mako`, as 1.x ships it.
const GENERIC: &str = r#""""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
"#;

/// What the new file says.
pub(crate) struct NewFile<'a> {
    pub id: &'a str,
    pub parents: &'a [String],
    pub message: &'a str,
    /// As Alembic writes it: `2026-12-01 17:40:12.123456`.
    pub create_date: &'a str,
}

/// The file's text, from `script_directory/script.py.mako` when migrate can render it.
#[must_use]
pub(crate) fn render(script_directory: &Path, file: &NewFile<'_>) -> String {
    let own = bounded::read_to_string(
        &script_directory.join("script.py.mako"),
        bounded::CONFIG_LIMIT,
    )
    .ok()
    .and_then(|template| substitute(&template, file));
    own.or_else(|| substitute(GENERIC, file))
        .unwrap_or_default()
}

/// The template with each `${...}` replaced, or `None` when it holds Mako that only Python can
/// run (`<% %>` blocks, `%` control lines, other expressions).
fn substitute(template: &str, file: &NewFile<'_>) -> Option<String> {
    if template.contains("<%") || template.lines().any(|l| l.trim_start().starts_with('%')) {
        return None;
    }
    let repr = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
    let down = match file.parents {
        [] => "None".to_owned(),
        [one] => repr(one),
        many => format!(
            "({})",
            many.iter().map(|p| repr(p)).collect::<Vec<_>>().join(", ")
        ),
    };
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let expression = rest[start + 2..end].trim();
        let value = match expression {
            "message" => file.message.to_owned(),
            "up_revision" => file.id.to_owned(),
            "down_revision | comma,n" | "down_revision|comma,n" => file.parents.join(", "),
            "create_date" => file.create_date.to_owned(),
            "repr(up_revision)" => repr(file.id),
            "repr(down_revision)" => down.clone(),
            "repr(branch_labels)" | "repr(depends_on)" => "None".to_owned(),
            "imports if imports else \"\"" => String::new(),
            "upgrades if upgrades else \"pass\"" | "downgrades if downgrades else \"pass\"" => {
                "pass".to_owned()
            }
            _ => return None,
        };
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generic_template_is_rendered_as_alembic_renders_it() {
        let parents = ["ae1027a6acf".to_owned(), "27c6a30d7c24".to_owned()];
        let text = render(
            Path::new("/nonexistent"),
            &NewFile {
                id: "3b1f2d9c0e4a",
                parents: &parents,
                message: "merge heads",
                create_date: "2026-12-01 17:40:12.123456",
            },
        );
        assert!(text.starts_with("\"\"\"merge heads\n\nRevision ID: 3b1f2d9c0e4a\nRevises: ae1027a6acf, 27c6a30d7c24\nCreate Date: 2026-12-01 17:40:12.123456\n\n\"\"\"\n"));
        assert!(text.contains(
            "down_revision: Union[str, Sequence[str], None] = ('ae1027a6acf', '27c6a30d7c24')\n"
        ));
        assert!(text.contains("    \"\"\"Upgrade schema.\"\"\"\n    pass\n"));
        assert!(
            substitute(
                "<%! import re %>${message}",
                &NewFile {
                    id: "a",
                    parents: &[],
                    message: "m",
                    create_date: "d"
                }
            )
            .is_none()
        );
    }
}
