//! Each tool's own file-name pattern: what version a name gives, which half of a pair it is,
//! and whether the tool would read the file at all.
//!
//! Each verdict follows what the tool's own loader does with the name: goose refuses a `.sql`
//! name without a number, golang-migrate and sqlx skip a name they cannot read without a word,
//! Flyway ignores a name that does not start with `V`, `U` or `R` and `__`.
// The tools compare extensions as written: `.SQL` is not a migration to any of them.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use std::sync::LazyLock;

use regex::Regex;

use crate::layout::Layout;
use crate::revision::RevisionId;

/// Which part of a revision a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The whole revision: up and down sections in one file (goose, dbmate), or up only.
    Whole,
    /// The up half of a pair.
    Up,
    /// The down half of a pair (Flyway's undo `U` file too).
    Down,
    /// A Flyway repeatable (`R__`): applied whenever it changes, outside the version line.
    Repeatable,
}

/// What a tool makes of one file name in its migrations directory.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A migration: its version, its name's words, and which part it is.
    Migration {
        version: RevisionId,
        slug: String,
        role: Role,
    },
    /// A name the tool reads as a migration and refuses: the run fails until it is renamed.
    Refused(String),
    /// A name of the tool's kind (a `.sql` file) that the tool passes over without a word.
    Skipped(String),
    /// Not a migration file for this tool (a README, a `.go` helper): nothing to say.
    Other,
}

static GOLANG_MIGRATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([0-9]+)_(.*)\.(down|up)\.(.*)$").ok());
static FLYWAY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([VU])([0-9]+(?:[._][0-9]+)*)__(.+)\.sql$").ok());
static REFINERY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([UV])(\d+(?:\.\d+)?)__(\w+)\.sql$").ok());

/// The verdict of `layout`'s tool on a file named `name`.
#[must_use]
pub(crate) fn judge(layout: Layout, name: &str) -> Verdict {
    // Only diesel's names carry their directory; the others are read by the file's own name.
    let name = if layout == Layout::Diesel {
        name
    } else {
        name.rsplit('/').next().unwrap_or(name)
    };
    match layout {
        Layout::Goose => goose(name),
        Layout::GolangMigrate => golang_migrate(name),
        Layout::Sqlx => sqlx(name),
        Layout::Dbmate => dbmate(name),
        Layout::Flyway => flyway(name),
        Layout::Refinery => refinery(name),
        Layout::Diesel => diesel(name),
    }
}

fn sql(name: &str) -> bool {
    name.ends_with(".sql")
}

fn number(digits: &str) -> Option<RevisionId> {
    RevisionId::parse(digits)
}

/// goose reads every numbered `.sql` and `.go` file (but tests); a name without a version is
/// passed over (a `main.go` beside Go migrations is the program), and version 0 is refused.
fn goose(name: &str) -> Verdict {
    let go = name.ends_with(".go") && !name.ends_with("_test.go");
    if !sql(name) && !go {
        return Verdict::Other;
    }
    let version = name
        .split_once('_')
        .and_then(|(digits, rest)| Some((number(digits)?, rest)));
    let Some((version, rest)) = version else {
        return if go {
            Verdict::Other
        } else {
            Verdict::Skipped(
                "goose reads only `<version>_<name>.sql`: it passes over this file (older releases refuse to run)".to_owned(),
            )
        };
    };
    match Some(version) {
        Some(version) if version.significant() != "0" => Verdict::Migration {
            version,
            slug: stem(rest).to_owned(),
            role: Role::Whole,
        },
        _ => Verdict::Refused("goose refuses version 0".to_owned()),
    }
}

/// golang-migrate reads `<version>_<title>.up.<ext>` and `.down.<ext>`, and passes over every
/// other name in silence.
fn golang_migrate(name: &str) -> Verdict {
    let Some(captures) = GOLANG_MIGRATE.as_ref().and_then(|re| re.captures(name)) else {
        return if sql(name) {
            Verdict::Skipped(
                "golang-migrate reads only `<version>_<title>.up.sql` and `.down.sql`, and skips this file in silence".to_owned(),
            )
        } else {
            Verdict::Other
        };
    };
    let role = if &captures[3] == "up" {
        Role::Up
    } else {
        Role::Down
    };
    match number(&captures[1]).filter(|v| v.significant().len() <= 19) {
        Some(version) => Verdict::Migration {
            version,
            slug: captures[2].to_owned(),
            role,
        },
        None => Verdict::Skipped(
            "golang-migrate cannot read the version as a 64-bit number, and skips this file"
                .to_owned(),
        ),
    }
}

/// sqlx reads `<version>_<description>.sql` (`.up.sql`, `.down.sql`), passes over a name with no
/// `_` or not ending in `.sql`, and fails on a version that is not a 64-bit integer.
fn sqlx(name: &str) -> Verdict {
    let Some((digits, rest)) = name.split_once('_').filter(|(_, rest)| sql(rest)) else {
        return if sql(name) {
            Verdict::Skipped(
                "sqlx reads only `<version>_<description>.sql`, and skips this file in silence"
                    .to_owned(),
            )
        } else {
            Verdict::Other
        };
    };
    let (slug, role) = if let Some(slug) = rest.strip_suffix(".up.sql") {
        (slug, Role::Up)
    } else if let Some(slug) = rest.strip_suffix(".down.sql") {
        (slug, Role::Down)
    } else {
        (rest.trim_end_matches(".sql"), Role::Whole)
    };
    match number(digits).filter(|v| v.significant().len() <= 18) {
        Some(version) => Verdict::Migration {
            version,
            slug: slug.to_owned(),
            role,
        },
        None => Verdict::Refused(format!(
            "sqlx fails on `{}`: the version before the first `_` must be a 64-bit integer",
            crate::escape::one_line(digits)
        )),
    }
}

/// dbmate reads every `.sql` name that starts with digits, the version being those digits as
/// written (`010` and `10` are two versions to it), and passes over every other name.
fn dbmate(name: &str) -> Verdict {
    if !sql(name) {
        return Verdict::Other;
    }
    let digits_len = name.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = name.split_at(digits_len);
    match number(digits) {
        Some(_) => Verdict::Migration {
            version: RevisionId::name(digits),
            slug: stem(rest.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())).to_owned(),
            role: Role::Whole,
        },
        None => Verdict::Skipped(
            "dbmate reads only files whose name starts with the version, and skips this file in silence".to_owned(),
        ),
    }
}

/// Flyway reads `V<version>__<description>.sql`, `U<version>__` (undo) and `R__` (repeatable);
/// by default it ignores every other `.sql` name (`validateMigrationNaming` is off).
fn flyway(name: &str) -> Verdict {
    if !sql(name) {
        return Verdict::Other;
    }
    // Flyway Teams' baseline migrations (`B1__`) replace the ones below them for a new
    // database; outside the line that `check` follows.
    if name.starts_with('B') && name.contains("__") {
        return Verdict::Other;
    }
    if let Some(rest) = name.strip_prefix("R__") {
        return Verdict::Migration {
            version: RevisionId::name(""),
            slug: stem(rest).to_owned(),
            role: Role::Repeatable,
        };
    }
    let captures = FLYWAY.as_ref().and_then(|re| re.captures(name));
    match captures.and_then(|c| Some((RevisionId::dotted(&c[2])?, c))) {
        Some((version, captures)) => Verdict::Migration {
            version,
            slug: captures[3].to_owned(),
            role: if &captures[1] == "V" {
                Role::Whole
            } else {
                Role::Down
            },
        },
        None => Verdict::Skipped(
            "Flyway reads only `V<version>__<description>.sql` (`U`, `R__`), and ignores this file unless `validateMigrationNaming` is on".to_owned(),
        ),
    }
}

/// refinery reads `V<n>__<name>.sql` and `U<n>__<name>.sql`, `<name>` made of word characters,
/// warns and skips every other name, and fails on a version that is not a 32-bit integer.
fn refinery(name: &str) -> Verdict {
    if !sql(name) {
        return Verdict::Other;
    }
    let Some(captures) = REFINERY.as_ref().and_then(|re| re.captures(name)) else {
        return Verdict::Skipped(
            "refinery reads only `V<n>__<name>.sql` (`U`), `<name>` of letters, digits and `_`, and skips this file with a log line".to_owned(),
        );
    };
    match captures[2].parse::<i32>() {
        Ok(_) => Verdict::Migration {
            version: RevisionId::dotted(&captures[2]).unwrap_or_else(|| RevisionId::name("")),
            slug: captures[3].to_owned(),
            role: Role::Whole,
        },
        Err(_) => Verdict::Refused(format!(
            "refinery fails on version `{}`: it must be a 32-bit integer, unless the crate's `int8-versions` feature is on",
            &captures[2]
        )),
    }
}

/// diesel reads `up.sql` and `down.sql` in each directory; a `.sql` file directly in the
/// migrations directory is not read.
fn diesel(name: &str) -> Verdict {
    match name.rsplit_once('/') {
        Some((dir, file @ ("up.sql" | "down.sql"))) if !dir.contains('/') => {
            Verdict::Migration {
                version: diesel_version(dir),
                slug: dir.split_once('_').map_or("", |(_, s)| s).to_owned(),
                role: if file == "up.sql" {
                    Role::Up
                } else {
                    Role::Down
                },
            }
        }
        _ if sql(name) => Verdict::Skipped(
            "diesel reads only `<version>_<name>/up.sql` and `down.sql`, and skips this file in silence".to_owned(),
        ),
        _ => Verdict::Other,
    }
}

/// diesel's version: the directory name up to the first `_`, without its dashes, compared as
/// a string (`2020-12-7-190800` sorts after `2020-12-10-...`, as diesel sorts it).
fn diesel_version(dir: &str) -> RevisionId {
    RevisionId::name(&dir.split('_').next().unwrap_or_default().replace('-', ""))
}

/// A name without its `.sql` or `.go`.
fn stem(name: &str) -> &str {
    name.strip_suffix(".sql")
        .or_else(|| name.strip_suffix(".go"))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(layout: Layout, name: &str) -> Option<String> {
        match judge(layout, name) {
            Verdict::Migration { version, .. } => Some(version.to_string()),
            _ => None,
        }
    }

    #[test]
    fn each_tool_reads_its_names() {
        assert_eq!(
            version(Layout::Goose, "00001_init.sql").as_deref(),
            Some("00001")
        );
        assert_eq!(
            version(Layout::Goose, "20230101120000_x.go").as_deref(),
            Some("20230101120000")
        );
        assert!(matches!(
            judge(Layout::Goose, "init.sql"),
            Verdict::Skipped(_)
        ));
        assert_eq!(judge(Layout::Goose, "main.go"), Verdict::Other);
        assert!(matches!(
            judge(Layout::Goose, "0_init.sql"),
            Verdict::Refused(_)
        ));
        assert_eq!(judge(Layout::Goose, "main_test.go"), Verdict::Other);
        assert_eq!(
            version(Layout::GolangMigrate, "1_a.up.sql").as_deref(),
            Some("1")
        );
        assert!(matches!(
            judge(Layout::GolangMigrate, "1_a.sql"),
            Verdict::Skipped(_)
        ));
        assert!(matches!(
            judge(Layout::Sqlx, "init.sql"),
            Verdict::Skipped(_)
        ));
        assert!(matches!(
            judge(Layout::Sqlx, "x_init.sql"),
            Verdict::Refused(_)
        ));
        assert_eq!(
            version(Layout::Dbmate, "20200101_x.sql").as_deref(),
            Some("20200101")
        );
        assert!(matches!(
            judge(Layout::Dbmate, "x.sql"),
            Verdict::Skipped(_)
        ));
        assert_eq!(
            version(Layout::Flyway, "V1_2__x.sql").as_deref(),
            Some("1_2")
        );
        assert!(matches!(
            judge(Layout::Flyway, "V1_x.sql"),
            Verdict::Skipped(_)
        ));
        assert!(matches!(
            judge(Layout::Flyway, "R__views.sql"),
            Verdict::Migration {
                role: Role::Repeatable,
                ..
            }
        ));
        assert!(matches!(
            judge(Layout::Refinery, "V1__add-x.sql"),
            Verdict::Skipped(_)
        ));
        assert!(matches!(
            judge(Layout::Refinery, "V1.1__x.sql"),
            Verdict::Refused(_)
        ));
        assert_eq!(
            version(Layout::Diesel, "2017-12-31-000000_users/up.sql").as_deref(),
            Some("20171231000000")
        );
        assert!(matches!(
            judge(Layout::Diesel, "x.sql"),
            Verdict::Skipped(_)
        ));
        assert_eq!(
            version(Layout::Diesel, "2023-05-23-1715-update-x/up.sql").as_deref(),
            Some("202305231715updatex")
        );
    }
}
