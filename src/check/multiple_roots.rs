//! `multiple-roots`: more than one revision declares `-- migrate:revises none`.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};
use crate::revision::DirFormat;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let roots = cx.graph.roots();
    let Some((&newest, others)) = roots.split_last() else {
        return;
    };
    // Alembic's separate bases each start a branch named by `branch_labels`: intended.
    let mut labels: Vec<&String> = roots
        .iter()
        .flat_map(|&n| cx.revisions[n].branch_labels.iter())
        .collect();
    let labeled = roots
        .iter()
        .all(|&n| !cx.revisions[n].branch_labels.is_empty());
    labels.sort();
    let distinct = labels.windows(2).all(|pair| pair[0] != pair[1]);
    if others.is_empty() || (labeled && distinct) {
        return;
    }
    let none = match cx.revisions[newest].format {
        DirFormat::Sql => "`-- migrate:revises none`",
        DirFormat::Alembic => "`down_revision = None` (or give each base its own `branch_labels`)",
    };
    out.push(
        Diagnostic::new(
            Rule::MultipleRoots,
            cx.revises_location(newest),
            format!("{} roots: {}", roots.len(), cx.list(&roots)),
            format!(
                "only the first revision may declare {none}; point `{}` at its real parent",
                cx.revisions[newest].id
            ),
        )
        .with_related(others.iter().map(|&n| cx.revises_location(n)).collect()),
    );
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    #[test]
    fn two_roots() {
        let found = findings(&[("1", &[]), ("2", &["1"]), ("3", &[]), ("4", &["2", "3"])]);
        assert_eq!(
            found,
            vec![(
                Rule::MultipleRoots,
                "2 roots: `1` (`1_r0.sql`), `3` (`3_r2.sql`)".to_owned()
            )]
        );
    }
}
