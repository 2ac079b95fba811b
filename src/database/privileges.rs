//! Privileges in words: two ACLs (`{a=r/b,...}`, or `default`) compared grantee by grantee, so
//! that a grant a downgrade left behind reads as `role x still has SELECT on table t`.

/// A privilege difference in words, when `before` and `after` describe the same object with
/// other privileges: `role r still has SELECT on table public.t` for each privilege the later
/// one grants and the earlier one does not, and `... no longer has ...` the other way.
#[must_use]
pub(crate) fn privilege_changes(kind: &str, name: &str, before: &str, after: &str) -> Vec<String> {
    let (Some(mut was), Some(mut is)) = (privileges(before), privileges(after)) else {
        return Vec::new();
    };
    // `default` leaves the owner's own privileges unwritten, which the other side may write out.
    let owner = |d: &str| {
        d.strip_prefix("owner ")
            .and_then(|r| r.split([',', ' ']).next())
            .map(str::to_owned)
    };
    if (was.is_empty() || is.is_empty())
        && let Some(owner) = owner(before).or_else(|| owner(after))
    {
        was.retain(|(g, _)| *g != owner);
        is.retain(|(g, _)| *g != owner);
    }
    let mut said = Vec::new();
    for (grantee, letters) in &is {
        let had = was
            .iter()
            .find(|(g, _)| g == grantee)
            .map_or("", |(_, l)| l.as_str());
        let gained: Vec<&str> = letters
            .chars()
            .filter(|c| !had.contains(*c))
            .filter_map(privilege_name)
            .collect();
        if !gained.is_empty() {
            said.push(format!(
                "role {grantee} still has {} on {kind} {name}",
                gained.join(", ")
            ));
        }
    }
    for (grantee, letters) in &was {
        let has = is
            .iter()
            .find(|(g, _)| g == grantee)
            .map_or("", |(_, l)| l.as_str());
        let lost: Vec<&str> = letters
            .chars()
            .filter(|c| !has.contains(*c))
            .filter_map(privilege_name)
            .collect();
        if !lost.is_empty() {
            said.push(format!(
                "role {grantee} no longer has {} on {kind} {name}",
                lost.join(", ")
            ));
        }
    }
    said
}

/// The grantees and their privilege letters of the `privileges {...}` part of a description (or
/// the `{...}` after a schema's owner);
/// `default` is none granted beyond the owner's. `None` without such a part.
fn privileges(description: &str) -> Option<Vec<(String, String)>> {
    // Schemas and the database are described as `owner {acl}`, without the word.
    let at = description
        .find("privileges ")
        .map(|at| at + "privileges ".len())
        .or_else(|| description.find(" {").map(|at| at + 1))
        .or_else(|| {
            description
                .strip_suffix(" default")
                .map(|owner| owner.len() + 1)
        })?;
    let rest = &description[at..];
    if rest.starts_with("default") {
        return Some(Vec::new());
    }
    let list = rest.strip_prefix('{')?.split('}').next()?;
    Some(
        list.split(',')
            .filter_map(|item| {
                let (grantee, rest) = item.split_once('=')?;
                let letters = rest.split('/').next()?.replace('*', "");
                let grantee = if grantee.is_empty() {
                    "PUBLIC"
                } else {
                    grantee.trim_matches('"')
                };
                Some((grantee.to_owned(), letters))
            })
            .collect(),
    )
}

fn privilege_name(letter: char) -> Option<&'static str> {
    Some(match letter {
        'r' => "SELECT",
        'w' => "UPDATE",
        'a' => "INSERT",
        'd' => "DELETE",
        'D' => "TRUNCATE",
        'x' => "REFERENCES",
        't' => "TRIGGER",
        'X' => "EXECUTE",
        'U' => "USAGE",
        'C' => "CREATE",
        'c' => "CONNECT",
        'T' => "TEMPORARY",
        'm' => "MAINTAIN",
        's' => "SET",
        'A' => "ALTER SYSTEM",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::privilege_changes;

    #[test]
    fn a_leftover_grant_is_said_in_words() {
        let said = privilege_changes(
            "table",
            "public.user",
            "owner postgres, privileges default, row security false",
            "owner postgres, privileges {postgres=arwdDxt/postgres,cape_readonly=r/postgres,=a/postgres}, row security false",
        );
        assert_eq!(
            said,
            [
                "role cape_readonly still has SELECT on table public.user",
                "role PUBLIC still has INSERT on table public.user",
            ]
        );
    }
}
