//! `mixed-width`: revision numbers written with different zero-padding (`40_x.sql` among `039_y.sql`).
//!
//! The padding width is the one most zero-padded numbers use. Unpadded trees (`9`, `10`) have no
//! width to keep, and a number longer than the width (`1000` after `999`) cannot keep it.

use std::collections::BTreeMap;

use super::Context;
use crate::diagnostic::{Diagnostic, Location, Rule, plural};
use crate::revision::DirFormat;

pub(super) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(width) = padding_width(cx.revisions.iter().map(|r| &r.id)) else {
        return;
    };
    for revision in cx.revisions {
        let id = &revision.id;
        // Other tools mix widths on purpose (goose's sequential and timestamp versions).
        if !id.is_number()
            || matches!(revision.format, DirFormat::Linear(_))
            || id.width() == width
            || id.significant().len() > width
        {
            continue;
        }
        let extension = revision
            .file_name()
            .rsplit_once('.')
            .map_or("sql", |(_, ext)| ext);
        let padded = format!("{:0>width$}", id.significant());
        out.push(Diagnostic::new(
            Rule::MixedWidth,
            Location::file(&revision.path),
            format!(
                "`{id}` is written with {}, the other revisions with {width}",
                plural(id.width(), "digit")
            ),
            format!("rename it to `{padded}_{}.{extension}`", revision.slug),
        ));
    }
}

/// The width most zero-padded ids are written with (the wider one on a tie), if any is padded.
pub(crate) fn padding_width<'a>(
    ids: impl Iterator<Item = &'a crate::revision::RevisionId>,
) -> Option<usize> {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for id in ids.filter(|id| id.is_number() && id.is_padded()) {
        *counts.entry(id.width()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(width, count)| (count, width))
        .map(|(width, _)| width)
}

#[cfg(test)]
mod tests {
    use crate::check::tests::findings;
    use crate::diagnostic::Rule;

    #[test]
    fn unpadded_among_padded() {
        let found = findings(&[
            ("038", &[]),
            ("039", &["038"]),
            ("40", &["039"]),
            ("0041", &["40"]),
        ]);
        let warned: Vec<_> = found
            .iter()
            .filter(|(r, _)| *r == Rule::MixedWidth)
            .map(|(_, m)| m.as_str())
            .collect();
        assert_eq!(
            warned,
            [
                "`0041` is written with 4 digits, the other revisions with 3",
                "`40` is written with 2 digits, the other revisions with 3"
            ]
        );
    }

    #[test]
    fn unpadded_trees_and_overflow_pass() {
        assert!(findings(&[("9", &[]), ("10", &["9"])]).is_empty());
        assert!(findings(&[("998", &[]), ("999", &["998"]), ("1000", &["999"])]).is_empty());
    }
}
