//! `multiple-roots`: more than one revision declares `-- migrate:revises none`.

use super::Context;
use crate::diagnostic::{Diagnostic, Rule};

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let roots = cx.graph.roots();
    let Some((&newest, others)) = roots.split_last() else {
        return;
    };
    if others.is_empty() {
        return;
    }
    out.push(
        Diagnostic::new(
            Rule::MultipleRoots,
            cx.revises_location(newest),
            format!("{} roots: {}", roots.len(), cx.list(&roots)),
            format!(
                "only the first revision may declare `-- migrate:revises none`; point `{}` at its real parent",
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
