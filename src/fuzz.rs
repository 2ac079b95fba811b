//! Fuzzing every parser on stable Rust, as a `cargo test` harness: seed inputs of each kind,
//! mutated at random (bytes flipped, inserted, deleted, runs repeated, the text cut short), and
//! fed to the parser. No input may panic or hang, and every parser must both accept some
//! mutations and refuse others (else the mutations never reached it). The seeds are fixed, so
//! a failure names an input that fails again, printed as escaped bytes to copy back.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

/// Mutated cases per target; `MIGRATE_FUZZ_CASES` runs more.
const CASES: usize = 2_000;
/// A case slower than this counts as a hang: generous, for a debug build on a loaded machine;
/// speed belongs to the benchmarks.
const HANG: Duration = Duration::from_secs(20);

/// Bytes that matter to one parser or another.
const SPECIAL: &[u8] = b"'\"$;:\\-*/()[]{}#\n\r\t =@%,E\x00\xff";

fn cases() -> usize {
    std::env::var("MIGRATE_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES)
}

fn mutate(rng: &mut fastrand::Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..rng.usize(1..6) {
        let at = rng.usize(..=bytes.len());
        match rng.u8(..6) {
            0 if !bytes.is_empty() => {
                bytes.remove(at.min(bytes.len() - 1));
            }
            1 => bytes.insert(at, *rng.choice(SPECIAL).unwrap_or(&b'x')),
            2 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << rng.u8(..8);
            }
            3 => {
                // A run repeated many times: long lines, deep nesting.
                let end = (at + rng.usize(1..8)).min(bytes.len());
                let run = bytes[at..end].to_vec();
                for _ in 0..rng.usize(1..200) {
                    bytes.splice(at..at, run.iter().copied());
                }
            }
            4 => bytes.truncate(at),
            _ => bytes.insert(at, rng.u8(..)),
        }
    }
    bytes
}

/// Runs `target` on every seed and on `cases()` mutations; `target` says whether it accepted
/// the input. Each parser must accept some inputs and refuse others.
fn fuzz(name: &str, seeds: &[&str], target: impl Fn(&[u8]) -> bool) {
    let mut rng = fastrand::Rng::with_seed(0x6d69_6772);
    let mut inputs: Vec<Vec<u8>> = seeds.iter().map(|s| s.as_bytes().to_vec()).collect();
    for _ in 0..cases() {
        let seed = seeds[rng.usize(..seeds.len())].as_bytes();
        inputs.push(mutate(&mut rng, seed));
    }
    let mut accepted = 0;
    for input in &inputs {
        let started = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| target(input)));
        let took = started.elapsed();
        let Ok(ok) = result else {
            panic!("{name} panicked on b\"{}\"", input.escape_ascii());
        };
        accepted += usize::from(ok);
        assert!(
            took < HANG,
            "{name} took {took:?} on b\"{}\"",
            input.escape_ascii()
        );
    }
    assert!(
        accepted > 0 && accepted < inputs.len(),
        "{name} accepted {accepted} of {} inputs: the mutations never reach one of its outcomes",
        inputs.len()
    );
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const SQL_FILE: &str = "-- Add a role\n-- migrate:revises 040 041\n\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\nSELECT $$a;b$$, E'\\'', \"q;\";\n\n-- migrate:down\nDROP INDEX i;\n";
const SQL: &str = "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN begin > 0 THEN 1 END; END; /* a /* nested */ ; */ SELECT $tag$ ; $tag$, :'V', :\"I\", E'\\\\'; select (1; 2)";
const PYTHON: &str = "\"\"\"Add a role\n\nRevision ID: 041\nRevises: 040\n\"\"\"\nfrom alembic import op\n\nrevision: str = '041'\ndown_revision: Union[str, None] = ('039', '040')\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    op.execute(\"\"\"\n    select ';'\n    \"\"\")\n";
const CONNINFO: &str = "postgresql://deploy:secret@db.example:5432,db2:6543/app?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.crt&application_name=x";
const KEY_VALUES: &str =
    "host=db port=5432 user=deploy password='se cret\\'' dbname=app sslmode=prefer";
const HEAD: &str = "<<<<<<< HEAD\n041 041_add_role.sql\n||||||| base\n040 040_x.sql\n=======\n041 041_create_team.sql\n>>>>>>> main\n";
const TOML: &str = "dir = \"db/migrations\"\nhistory_table = \"app.\\\"Schema History\\\"\"\nhead_file = true\nexclude = [\"vendor\"]\n[rules]\n";

#[test]
fn every_parser_survives_mutated_inputs() {
    fuzz("the .sql file parser", &[SQL_FILE, ""], |bytes| {
        crate::source::sql_file::decode(bytes)
            .ok()
            .is_some_and(|text| crate::source::sql_file::parse(&text).1.is_empty())
    });
    fuzz("the statement lexer", &[SQL, SQL_FILE], |bytes| {
        let sql = text(bytes);
        let lexed = crate::sql::lex(&sql);
        for statement in &lexed.statements {
            let _ = statement.text(&sql);
        }
        for variable in &lexed.variables {
            let _ = &sql[variable.start..variable.end];
        }
        // Accepted: the variables both survived the mutation.
        lexed.variables.len() >= 2
    });
    fuzz("variable substitution", &[SQL], |bytes| {
        let sql = text(bytes);
        let lexed = crate::sql::lex(&sql);
        let pairs = vec!["V=it's".to_owned(), "I=a\"b".to_owned()];
        let Ok(variables) = crate::sql::Variables::from_pairs(&pairs) else {
            return false;
        };
        let _ = variables.missing(&lexed);
        let _ = variables.redact(&lexed, "it's a\"b and more");
        variables
            .bind(&sql, &lexed)
            .map(|bound| bound.original_offset(bound.text.len() / 2))
            .is_some()
            && !lexed.variables.is_empty()
    });
    fuzz("the Alembic reader", &[PYTHON], |bytes| {
        let source = text(bytes);
        let _ = crate::source::alembic::file::rewrite(&source, "042", &["041".to_owned()]);
        crate::source::alembic::file::parse(&source).1.is_empty()
    });
    fuzz("conninfo", &[CONNINFO, KEY_VALUES], |bytes| {
        crate::database::ConnInfo::parse(&text(bytes), &|_| None).is_ok()
    });
    fuzz(
        "the head file",
        &[HEAD, "041 041_add_role.sql\n"],
        |bytes| {
            !matches!(
                crate::collision::head_file::parse(&text(bytes)),
                crate::collision::head_file::Content::Malformed(_)
            )
        },
    );
    fuzz("settings", &[TOML, "app.history"], |bytes| {
        let source = text(bytes);
        let _ = crate::settings::HistoryTable::parse(&source);
        toml::from_str::<crate::settings::ConfigFile>(&source).is_ok()
    });
    fuzz("lint", &[SQL_FILE, PYTHON, SQL], |bytes| {
        crate::lint::tests::lint_any_text(&text(bytes)) > 0
    });
}
