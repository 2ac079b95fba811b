//! Which roles `verify` may blame on a revision and drop afterwards. Roles belong to the whole
//! cluster, and other sessions create and drop them while `verify` runs on a shared server: a
//! role is the revision's only when the SQL `verify` itself sent names it.

use crate::database::snapshot::Difference;
use crate::output::Progress;

/// Whether `sql` names `role` as a word: in any case when the name is one an unquoted
/// identifier folds to, exactly as written when it needs quotes. A name inside a string (a `DO`
/// block's `EXECUTE 'CREATE ROLE ...'`) counts too: the revision's text still names it.
pub(super) fn named(sql: &str, role: &str) -> bool {
    if role.is_empty() {
        return false;
    }
    let folds = !role.bytes().any(|b| b.is_ascii_uppercase());
    let lowered;
    let haystack = if folds {
        lowered = sql.to_ascii_lowercase();
        lowered.as_str()
    } else {
        sql
    };
    haystack.match_indices(role).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + role.len()..].chars().next();
        !before.is_some_and(identifier_char) && !after.is_some_and(identifier_char)
    })
}

fn identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Splits the differences of one step: those the step's SQL (`texts`) accounts for, and the
/// names of the roles that changed without being named there, which another session changed.
pub(super) fn attribute(
    differences: Vec<Difference>,
    texts: &[&str],
) -> (Vec<Difference>, Vec<String>) {
    let mut ours = Vec::new();
    let mut elsewhere = Vec::new();
    for difference in differences {
        let (kind, name) = match &difference {
            Difference::Added { kind, name }
            | Difference::Removed { kind, name }
            | Difference::Changed { kind, name, .. } => (kind, name),
        };
        if kind == "role" && !texts.iter().any(|sql| named(sql, name)) {
            elsewhere.push(name.clone());
        } else {
            ours.push(difference);
        }
    }
    (ours, elsewhere)
}

/// The differences of one step its SQL accounts for; each role changed by another session is
/// said in a note, not blamed.
pub(super) fn ours(
    differences: Vec<Difference>,
    texts: &[&str],
    file: &str,
    progress: &mut Progress,
) -> Vec<Difference> {
    let (ours, elsewhere) = attribute(differences, texts);
    for role in elsewhere {
        progress.note(&format!(
            "role {role} changed while {file} ran, and neither of its sections names it: another session changed it, and verify leaves it alone"
        ));
    }
    ours
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_named_as_a_word_folded_unless_it_needs_quotes() {
        assert!(named("CREATE ROLE App_Reader;", "app_reader"));
        assert!(named("EXECUTE 'create role app_reader'", "app_reader"));
        assert!(named("GRANT x TO \"App\";", "App"));
        assert!(!named("GRANT x TO app;", "App"));
        assert!(!named("CREATE ROLE app_reader2;", "app_reader"));
        assert!(!named("CREATE ROLE my_app_reader;", "app_reader"));
        assert!(!named("CREATE ROLE app;", "prod_role"));
        assert!(!named("anything", ""));
    }

    #[test]
    fn only_a_role_the_sql_does_not_name_is_set_aside() {
        let role = |name: &str| Difference::Added {
            kind: "role".into(),
            name: name.into(),
        };
        let table = Difference::Removed {
            kind: "table".into(),
            name: "public.prod_role".into(),
        };
        let (ours, elsewhere) = attribute(
            vec![role("app"), role("prod_role"), table.clone()],
            &["CREATE ROLE app;"],
        );
        assert_eq!(ours, vec![role("app"), table]);
        assert_eq!(elsewhere, ["prod_role"]);
    }
}
