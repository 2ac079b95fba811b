//! Unit tests of `conninfo`.

use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

fn parse(text: &str, env: Env<'_>) -> ConnInfo {
    ConnInfo::parse(text, env).unwrap()
}

#[test]
fn urls_and_key_values_parse_alike() {
    let url = parse(
        "postgresql://alice:s3cret@db.example:6543/app?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.crt&application_name=deploy",
        &no_env,
    );
    let kv = parse(
        "host=db.example port=6543 user=alice password='s3cret' dbname=app sslmode=verify-full sslrootcert=/tmp/ca.crt application_name=deploy",
        &no_env,
    );
    for info in [&url, &kv] {
        assert_eq!(info.tls, TlsMode::VerifyFull);
        assert_eq!(
            info.root_cert.as_deref(),
            Some(std::path::Path::new("/tmp/ca.crt"))
        );
        assert_eq!(info.config.get_password(), Some(&b"s3cret"[..]));
        assert_eq!(info.config.get_application_name(), Some("deploy"));
        assert_eq!(info.to_string(), "alice@db.example:6543/app");
    }
}

#[test]
fn pg_variables_fill_only_what_is_missing() {
    let env = |name: &str| -> Option<String> {
        Some(
            match name {
                "PGHOST" => "envhost",
                "PGPORT" => "5499",
                "PGUSER" => "envuser",
                "PGPASSWORD" => "envpw",
                "PGDATABASE" => "envdb",
                "PGSSLMODE" => "require",
                "PGAPPNAME" => "envapp",
                _ => return None,
            }
            .to_owned(),
        )
    };
    let info = parse("postgresql://urluser@/urldb", &env);
    assert_eq!(info.to_string(), "urluser@envhost:5499/urldb");
    assert_eq!(info.config.get_password(), Some(&b"envpw"[..]));
    assert_eq!(info.config.get_application_name(), Some("envapp"));
    assert_eq!(info.tls, TlsMode::Require);
    let info = parse("", &env);
    assert_eq!(info.to_string(), "envuser@envhost:5499/envdb");
}

#[test]
fn unix_socket_hosts_never_use_tls() {
    let info = parse(
        "host=/var/run/postgresql dbname=app sslmode=require",
        &no_env,
    );
    assert!(matches!(info.config.get_hosts(), [Host::Unix(_)]));
    assert_eq!(info.tls, TlsMode::Disable);
    let info = parse("postgresql://%2Ftmp%2Fsock/app", &no_env);
    assert!(matches!(info.config.get_hosts(), [Host::Unix(_)]));
}

#[test]
fn the_application_name_defaults_to_migrate() {
    let info = parse("host=localhost", &no_env);
    assert_eq!(info.config.get_application_name(), Some("migrate"));
}

#[test]
fn bad_values_are_errors_that_do_not_echo_the_password() {
    let error = ConnInfo::parse("postgresql://u:hunter2@h/d?sslmode=sometimes", &no_env)
        .unwrap_err()
        .to_string();
    assert!(error.contains("sometimes"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
    let error = ConnInfo::parse("host=h password='hunter2", &no_env)
        .unwrap_err()
        .to_string();
    assert!(!error.contains("hunter2"), "{error}");
}

/// The error of a string that does not parse, with its causes, or the connection as shown.
fn shown(text: &str) -> String {
    match ConnInfo::parse(text, &no_env) {
        Ok(info) => info.to_string(),
        Err(error) => {
            let mut message = error.to_string();
            let mut cause = std::error::Error::source(&error);
            while let Some(inner) = cause {
                message.push_str(&inner.to_string());
                cause = inner.source();
            }
            message
        }
    }
}

#[test]
fn no_malformed_string_shows_its_password() {
    const SECRET: &str = "Hunter2Pw";
    let seeds = [
        format!("postgresql://deploy:{SECRET}@db:5432/app"),
        format!("postgres://deploy:{SECRET}@db/app?sslmode=require"),
        format!("postgresql://deploy@db/app?password={SECRET}&sslmode=disable"),
        format!("host=db user=deploy password={SECRET} dbname=app"),
        format!("host=db user=deploy password='{SECRET}' port=5432"),
    ];
    let mut rng = fastrand::Rng::with_seed(12);
    let mut cases = 0;
    for seed in &seeds {
        let mut variants = vec![
            seed.clone(),
            seed.replacen("postgresql", "postgress", 1),
            seed.replacen("postgres", "postgre", 1),
            seed.replacen("://", ":/", 1),
            seed.replacen('@', "@@", 1),
            seed.replacen(':', "", 1),
            seed.replacen('=', " ", 1),
            seed.replacen("5432", "99999", 1),
            seed.replacen('\'', "", 1),
            format!("{seed} trailing"),
            format!("{seed}'"),
            format!("{seed}%"),
        ];
        // Random deletions, insertions and swaps of single characters, away from the secret.
        for _ in 0..400 {
            let mut chars: Vec<char> = seed.chars().collect();
            let at = rng.usize(..chars.len());
            match rng.u8(..3) {
                0 => {
                    chars.remove(at);
                }
                1 => chars.insert(
                    at,
                    *rng.choice(&['=', ':', '/', '@', '\'', ' ', '?', '&', '%', '['])
                        .unwrap(),
                ),
                _ => {
                    let other = rng.usize(..chars.len());
                    chars.swap(at, other);
                }
            }
            variants.push(chars.into_iter().collect());
        }
        for variant in variants {
            // A mutation that broke the secret itself cannot leak it whole.
            if !variant.contains(SECRET) {
                continue;
            }
            // A mutation that made the secret part of the user or host name is no leak.
            if let Ok(info) = ConnInfo::parse(&variant, &no_env)
                && info.config.get_password() != Some(SECRET.as_bytes())
            {
                continue;
            }
            cases += 1;
            let text = shown(&variant);
            assert!(
                !text.contains(SECRET),
                "`{variant}` shows its password: {text}"
            );
        }
    }
    assert!(cases > 1000, "{cases}");
}

/// A password holding `@`, `;`, `:` or `/` unencoded, or a `;` or a space typed for the `:`:
/// no part of it is shown, whether the string parses or not.
#[test]
fn no_part_of_a_password_with_a_separator_in_it_is_shown() {
    const HEAD: &str = "Zq9x";
    const TAIL: &str = "SecretPW";
    let mut cases = 0;
    for sep in ['@', ';', ':', '/', ' ', ','] {
        let password = format!("{HEAD}{sep}{TAIL}");
        let mut variants = vec![
            format!("postgresql://postgres:{password}@127.0.0.1:5441/x"),
            format!("postgres://postgres:{password}@db/app?sslmode=disable"),
            format!("postgresql://postgres:{password}@db"),
            // The separator typed for the `:` of the user part.
            format!("postgresql://postgres{sep}{HEAD}{TAIL}@127.0.0.1:5441/x"),
        ];
        let mut rng = fastrand::Rng::with_seed(u64::from(sep));
        for _ in 0..50 {
            // The same with a random port, database and query.
            variants.push(format!(
                "postgresql://deploy:{password}@h{}:{}/d{}?application_name=a",
                rng.u8(..),
                rng.u16(1..),
                rng.u8(..)
            ));
        }
        for variant in variants {
            cases += 1;
            let text = shown(&variant);
            if let Ok(info) = ConnInfo::parse(&variant, &no_env) {
                let redacted = info.redact(&format!(
                    "role \"{}\" does not exist",
                    info.config.get_user().unwrap_or_default()
                ));
                assert!(
                    !redacted.contains(HEAD) && !redacted.contains(TAIL),
                    "`{variant}`: the server's words show it: {redacted}"
                );
            }
            assert!(
                !text.contains(HEAD) && !text.contains(TAIL),
                "`{variant}` shows part of its password: {text}"
            );
        }
    }
    assert!(cases > 300, "{cases}");
}

#[test]
fn a_plain_url_still_shows_its_user() {
    let info = ConnInfo::parse("postgresql://deploy.bot:pw@db:5432/app", &no_env).unwrap();
    assert_eq!(info.to_string(), "deploy.bot@db:5432/app");
}
