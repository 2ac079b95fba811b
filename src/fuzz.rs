//! Fuzzing every parser on stable Rust, as a `cargo test` harness: seed inputs of each kind,
//! mutated at random (bytes flipped, inserted, deleted, runs repeated, the text cut short), and
//! fed to the parser. No input may panic, and none may take over a second. The seeds are
//! fixed, so a failure names an input that fails again.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

/// Mutated cases per target; `MIGRATE_FUZZ_CASES` runs more.
const CASES: usize = 2_000;
/// A case slower than this counts as a hang.
const HANG: Duration = Duration::from_secs(1);

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

/// Runs `target` on every seed and on `cases()` mutations; returns how many inputs ran.
fn fuzz(name: &str, seeds: &[&str], target: impl Fn(&[u8])) -> usize {
    let mut rng = fastrand::Rng::with_seed(0x6d69_6772);
    let mut inputs: Vec<Vec<u8>> = seeds.iter().map(|s| s.as_bytes().to_vec()).collect();
    for _ in 0..cases() {
        let seed = seeds[rng.usize(..seeds.len())].as_bytes();
        inputs.push(mutate(&mut rng, seed));
    }
    for input in &inputs {
        let started = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| target(input)));
        let took = started.elapsed();
        assert!(
            result.is_ok(),
            "{name} panicked on {:?}",
            String::from_utf8_lossy(input)
        );
        assert!(took < HANG, "{name} took {took:?} on {} bytes", input.len());
    }
    inputs.len()
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
    let mut total = 0;
    total += fuzz("the .sql file parser", &[SQL_FILE, ""], |bytes| {
        if let Ok(text) = crate::source::sql_file::decode(bytes) {
            let _ = crate::source::sql_file::parse(&text);
        }
    });
    total += fuzz("the statement lexer", &[SQL, SQL_FILE], |bytes| {
        let sql = text(bytes);
        let lexed = crate::sql::lex(&sql);
        for statement in &lexed.statements {
            let _ = statement.text(&sql);
        }
        for variable in &lexed.variables {
            let _ = &sql[variable.start..variable.end];
        }
    });
    total += fuzz("variable substitution", &[SQL], |bytes| {
        let sql = text(bytes);
        let lexed = crate::sql::lex(&sql);
        let pairs = vec!["V=it's".to_owned(), "I=a\"b".to_owned()];
        if let Ok(variables) = crate::sql::Variables::from_pairs(&pairs) {
            let _ = variables.missing(&lexed);
            if let Some(bound) = variables.bind(&sql, &lexed) {
                let _ = bound.original_offset(bound.text.len() / 2);
            }
            let _ = variables.redact(&lexed, "it's a\"b and more");
        }
    });
    total += fuzz("the Alembic reader", &[PYTHON], |bytes| {
        let source = text(bytes);
        let _ = crate::source::alembic::file::parse(&source);
        let _ = crate::source::alembic::file::rewrite(&source, "042", &["041".to_owned()]);
    });
    total += fuzz("conninfo", &[CONNINFO, KEY_VALUES], |bytes| {
        let _ = crate::database::ConnInfo::parse(&text(bytes), &|_| None);
    });
    total += fuzz(
        "the head file",
        &[HEAD, "041 041_add_role.sql\n"],
        |bytes| {
            let _ = crate::collision::head_file::parse(&text(bytes));
        },
    );
    total += fuzz("settings", &[TOML, "app.history"], |bytes| {
        let source = text(bytes);
        let _ = toml::from_str::<crate::settings::ConfigFile>(&source);
        let _ = crate::settings::HistoryTable::parse(&source);
    });
    total += fuzz("lint", &[SQL_FILE, PYTHON, SQL], |bytes| {
        let _ = crate::lint::tests::lint_any_text(&text(bytes));
    });
    assert!(total >= 8 * cases(), "{total}");
}
