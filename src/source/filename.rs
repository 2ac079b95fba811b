//! Migration file names: `<digits>_<slug>.sql`, and what to suggest when a name is wrong.

use crate::revision::RevisionId;
use crate::slug;

/// The extension every migration file has.
pub(crate) const EXTENSION: &str = "sql";

/// A file name that follows the pattern.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// The digits before the first `_`.
    pub id: RevisionId,
    /// Everything between the `_` and `.sql`.
    pub slug: String,
}

/// Why a name does not follow the pattern, with a better name where one can be derived.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Invalid {
    /// One line saying what is wrong.
    pub reason: String,
    /// A name that would be valid, when one follows from the bad one.
    pub suggestion: Option<String>,
}

/// Whether a directory entry is a migration candidate: its extension is `sql` in any case.
#[must_use]
pub(crate) fn is_candidate(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && ext.eq_ignore_ascii_case(EXTENSION))
}

/// Parses a candidate file name.
pub(crate) fn parse(name: &str) -> Result<Parsed, Invalid> {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let digits_len = stem.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = stem.split_at(digits_len);
    let suggest = |digits: &str| {
        let slug = slug::slugify(rest);
        (!digits.is_empty() && !slug.is_empty()).then(|| format!("{digits}_{slug}.{EXTENSION}"))
    };
    if ext != EXTENSION {
        return Err(Invalid {
            reason: format!("the extension must be `.{EXTENSION}`"),
            suggestion: suggest(digits),
        });
    }
    let Some(id) = RevisionId::parse(digits) else {
        return Err(Invalid {
            reason: "the name must start with the revision number".to_owned(),
            suggestion: None,
        });
    };
    let Some(slug) = rest.strip_prefix('_') else {
        return Err(Invalid {
            reason: "the revision number must be followed by `_` and a slug".to_owned(),
            suggestion: suggest(digits),
        });
    };
    if !slug::is_valid(slug) {
        let reason = if slug.is_empty() {
            "the slug after `_` is empty".to_owned()
        } else {
            "the slug may hold only lower-case letters, digits and `_`".to_owned()
        };
        return Err(Invalid {
            reason,
            suggestion: suggest(digits),
        });
    }
    Ok(Parsed {
        id,
        slug: slug.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_names() {
        let parsed = parse("041_add_readonly_role.sql").unwrap();
        assert_eq!(parsed.id.as_str(), "041");
        assert_eq!(parsed.slug, "add_readonly_role");
        assert_eq!(parse("7_x2.sql").unwrap().id.as_str(), "7");
    }

    #[test]
    fn explains_invalid_names() {
        let bad = parse("040-Add-Role.sql").unwrap_err();
        assert_eq!(bad.suggestion.as_deref(), Some("040_add_role.sql"));
        assert!(
            parse("add_role.sql")
                .unwrap_err()
                .reason
                .contains("start with")
        );
        assert_eq!(
            parse("040_.sql").unwrap_err().reason,
            "the slug after `_` is empty"
        );
        assert_eq!(
            parse("040_Role.SQL").unwrap_err().suggestion.as_deref(),
            Some("040_role.sql")
        );
        assert!(parse("040.sql").unwrap_err().reason.contains("followed by"));
    }

    #[test]
    fn candidates() {
        assert!(is_candidate("x.sql"));
        assert!(is_candidate("X.SQL"));
        assert!(!is_candidate("README.md"));
        assert!(!is_candidate(".sql"));
    }
}
