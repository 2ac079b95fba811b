//! Slugs: the lower-case `a-z0-9_` part of a file name, made from a message or a bad name.

/// The longest slug `new` writes, so file names stay readable in a listing.
pub(crate) const MAX_LEN: usize = 50;

/// Turns free text into a slug: lower-case, runs of anything else folded into one `_`.
#[must_use]
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
    }
    while slug.ends_with('_') {
        slug.pop();
    }
    slug
}

/// Shortens a slug to `max` characters, cutting at a word boundary where there is one.
#[must_use]
pub(crate) fn truncate(slug: &str, max: usize) -> &str {
    if slug.len() <= max {
        return slug;
    }
    let head = &slug[..max];
    match head.rfind('_') {
        Some(cut) if cut > 0 => &head[..cut],
        _ => head,
    }
}

/// Whether `text` is a valid slug: non-empty, only `a-z`, `0-9` and `_`.
#[must_use]
pub(crate) fn is_valid(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugifies() {
        assert_eq!(
            slugify("Add read-only role for Streamlit!"),
            "add_read_only_role_for_streamlit"
        );
        assert_eq!(slugify("  --  "), "");
        assert_eq!(slugify("Créer l'équipe"), "cr_er_l_quipe");
        assert_eq!(slugify("v2 API"), "v2_api");
    }

    #[test]
    fn truncates_at_words() {
        assert_eq!(truncate("add_readonly_role", 12), "add");
        assert_eq!(truncate("add_readonly_role", 100), "add_readonly_role");
        assert_eq!(truncate("abcdefgh", 4), "abcd");
    }

    #[test]
    fn validates() {
        assert!(is_valid("add_user_2"));
        assert!(!is_valid(""));
        assert!(!is_valid("Add"));
        assert!(!is_valid("a-b"));
    }
}
