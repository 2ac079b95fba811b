//! Unit tests of `file`.

use super::*;

const GENERATED: &str = r#""""add readonly role

Revision ID: 041
Revises: 040
Create Date: 2026-01-05 10:00:00

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "041"
down_revision: Union[str, Sequence[str], None] = "040"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    revision = "not this one"
    op.execute("SELECT 1")
"#;

fn values(located: &[Located]) -> Vec<&str> {
    located.iter().map(|l| l.value.as_str()).collect()
}

#[test]
fn reads_a_generated_file() {
    let (parsed, problems) = parse(GENERATED);
    assert!(problems.is_empty(), "{problems:?}");
    let revision = parsed.revision.unwrap();
    assert_eq!((revision.value.as_str(), revision.line), ("041", 13));
    let Some(Down::Parents(parents)) = &parsed.down else {
        panic!("{:?}", parsed.down)
    };
    assert_eq!(values(parents), ["040"]);
    assert_eq!(parents[0].column, 50);
    assert_eq!(parsed.down_line, Some(14));
    assert!(parsed.depends_on.is_empty());
    assert!(
        parsed
            .doc
            .unwrap()
            .starts_with("add readonly role\n\nRevision ID: 041")
    );
    let field = parsed.doc_revision.unwrap();
    assert_eq!((field.line, field.column), (3, 14));
    assert_eq!(&GENERATED[field.range.0..field.range.1], "041");
}

#[test]
fn merges_dependencies_and_labels() {
    let text = "revision = 'ae1027a6acf'\ndown_revision = (\n    '1975ea83b712',\n    \"27c6a30d7c24\",\n)\ndepends_on = ['55af2cb1c267']\nbranch_labels = ('shop',)\n";
    let (parsed, problems) = parse(text);
    assert!(problems.is_empty(), "{problems:?}");
    let Some(Down::Parents(parents)) = &parsed.down else {
        panic!()
    };
    assert_eq!(values(parents), ["1975ea83b712", "27c6a30d7c24"]);
    assert_eq!((parents[1].line, parents[1].column), (4, 5));
    assert_eq!(values(&parsed.depends_on), ["55af2cb1c267"]);
    assert_eq!(parsed.branch_labels, ["shop"]);
}

#[test]
fn roots_and_parenthesized_strings() {
    let (parsed, _) = parse("revision = '1'\ndown_revision = None\n");
    assert_eq!(parsed.down, Some(Down::Root));
    let (parsed, _) = parse("revision = '2'\ndown_revision = ('1')\n");
    let Some(Down::Parents(parents)) = parsed.down else {
        panic!()
    };
    assert_eq!(values(&parents), ["1"]);
}

#[test]
fn expressions_are_unreadable_not_guessed() {
    let text = "revision = make_id()\ndown_revision = '0' + '39'\ndepends_on = f'{x}'\nif True:\n    branch_labels = None\n";
    let (parsed, problems) = parse(text);
    assert!(parsed.revision.is_none());
    assert!(parsed.down.is_none());
    let found: Vec<(Rule, usize)> = problems.iter().map(|p| (p.rule, p.line)).collect();
    assert_eq!(
        found,
        [
            (Rule::UnreadableRevision, 1),
            (Rule::UnreadableRevision, 2),
            (Rule::UnreadableRevision, 3),
            (Rule::UnreadableRevision, 5),
        ]
    );
}

#[test]
fn a_file_without_revision_is_malformed() {
    let (_, problems) = parse("import os\n");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].rule, Rule::MalformedFile);
    let (_, problems) = parse("revision = '1'\n");
    assert!(problems[0].message.contains("down_revision"));
}

#[test]
fn a_stale_docstring_is_found_on_its_line() {
    let text = GENERATED
        .replace("Revision ID: 041", "Revision ID: 040")
        .replace("Revises: 040", "Revises: 039");
    let (_, problems) = parse(&text);
    let found: Vec<(Rule, usize, usize, &str)> = problems
        .iter()
        .map(|p| (p.rule, p.line, p.column, p.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                Rule::StaleDocstring,
                3,
                14,
                "the docstring says `Revision ID: 040`, but `revision` is `041`"
            ),
            (
                Rule::StaleDocstring,
                4,
                10,
                "the docstring says `Revises: 039`, but `down_revision` is `040`"
            ),
        ]
    );
}

#[test]
fn rewrite_changes_code_and_docstring() {
    let after = rewrite(GENERATED, "042", &["041".to_owned()]);
    assert!(after.contains("Revision ID: 042\nRevises: 041\n"));
    assert!(after.contains("revision: str = \"042\"\n"));
    assert!(after.contains("down_revision: Union[str, Sequence[str], None] = \"041\"\n"));
    assert!(after.contains("revision = \"not this one\""));
    let (_, problems) = parse(&after);
    assert!(problems.is_empty(), "{problems:?}");
    let merged = rewrite(
        "revision = 'b'\ndown_revision = None\n",
        "b",
        &["x".to_owned(), "y".to_owned()],
    );
    assert_eq!(merged, "revision = 'b'\ndown_revision = ('x', 'y')\n");
}

#[test]
fn every_form_of_revises_that_alembic_wrote_is_read() {
    let merge = GENERATED.replace(
        "down_revision: Union[str, Sequence[str], None] = \"040\"",
        "down_revision = ('1f002cab0a7', '28a7e805fd0')",
    );
    for written in [
        "('1f002cab0a7', '28a7e805fd0')",
        "['28a7e805fd0', '1f002cab0a7']",
        "1f002cab0a7, 28a7e805fd0",
        "28a7e805fd0,1f002cab0a7",
    ] {
        let text = merge.replace("Revises: 040", &format!("Revises: {written}"));
        let (_, problems) = parse(&text);
        assert!(problems.is_empty(), "{written}: {problems:?}");
    }
    let root = GENERATED.replace(
        "down_revision: Union[str, Sequence[str], None] = \"040\"",
        "down_revision = None",
    );
    for written in ["Revises: None", "Revises: ", "Revises:"] {
        let text = root.replace("Revises: 040", written);
        let (_, problems) = parse(&text);
        assert!(problems.is_empty(), "{written}: {problems:?}");
    }
    let stale = merge.replace("Revises: 040", "Revises: ('1f002cab0a7', '999')");
    assert_eq!(parse(&stale).1.len(), 1);
}

#[test]
fn an_empty_revises_gains_its_space_when_it_gains_a_value() {
    let text = GENERATED.replace("Revises: 040\n", "Revises:\n");
    let fixed = fix_docstring(&text).unwrap();
    assert!(fixed.contains("\nRevises: 040\nCreate Date:"), "{fixed}");
    let root = GENERATED.replace("= \"040\"", "= None");
    let fixed = fix_docstring(&root).unwrap();
    assert!(fixed.contains("\nRevises: \nCreate Date:"), "{fixed}");
}
