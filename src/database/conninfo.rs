//! Connection strings as libpq reads them: URLs and `key=value` lists, completed from `PG*` variables.
//!
//! The `postgres` crate parses both forms but knows neither the `PG*` environment variables nor
//! `sslmode=verify-ca|verify-full` and `sslrootcert`. Those are taken out here, and everything
//! else is left to the crate.

use std::fmt;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;
use postgres::config::{Host, SslMode};

use crate::Error;

/// libpq's `sslmode`, all five values that `migrate` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    fn parse(value: &str, origin: &str) -> Result<TlsMode, Error> {
        Ok(match value {
            "disable" => TlsMode::Disable,
            // Without GSSAPI and client certificates, `allow` behaves as `prefer` in practice.
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            other => {
                return Err(Error::Database(format!(
                    "invalid sslmode `{other}` in {origin}: expected disable, prefer, require, verify-ca or verify-full"
                )));
            }
        })
    }
}

/// A parsed connection string, ready to connect.
#[derive(Debug, Clone)]
pub(crate) struct ConnInfo {
    pub config: postgres::Config,
    pub tls: TlsMode,
    /// The CA certificates to trust; `None` means the system's.
    pub root_cert: Option<PathBuf>,
    /// The user name is never shown: the URL's user part reads two ways, and it may be a
    /// password typed with the wrong separator (`postgres;secret@host`).
    pub user_hidden: bool,
}

/// The `PG*` variables read, as a lookup, so tests can supply their own.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads the process environment, treating an empty variable as unset, as libpq does.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl ConnInfo {
    /// Parses `text` (either libpq form) and fills what it leaves out from `env`.
    pub(crate) fn parse(text: &str, env: Env<'_>) -> Result<ConnInfo, Error> {
        let user_hidden = ambiguous_user(text.trim())?;
        let (rest, ssl) = split_tls_options(text)?;
        let mut config: postgres::Config = rest.parse().map_err(|source: postgres::Error| {
            Error::Database(format!("invalid database URL: {source}"))
        })?;
        fill_from_env(&mut config, env)?;

        let origin = if ssl.mode.is_some() {
            "the database URL"
        } else {
            "PGSSLMODE"
        };
        let mode_text = ssl.mode.or_else(|| env("PGSSLMODE"));
        let mut tls = match mode_text {
            Some(mode) => TlsMode::parse(&mode, origin)?,
            None => TlsMode::Prefer,
        };
        let root_cert = match ssl.root_cert.or_else(|| env("PGSSLROOTCERT")) {
            Some(path) if path == "system" => None,
            Some(path) => Some(PathBuf::from(path)),
            None => env("HOME").map(|home| PathBuf::from(home).join(".postgresql/root.crt")),
        };
        // libpq: `require` with a root certificate present verifies the chain, as `verify-ca`.
        if tls == TlsMode::Require && root_cert.as_ref().is_some_and(|p| p.is_file()) {
            tls = TlsMode::VerifyCa;
        }
        // libpq never uses TLS on a Unix socket, whatever sslmode says.
        if config
            .get_hosts()
            .iter()
            .all(|host| matches!(host, Host::Unix(_)))
        {
            tls = TlsMode::Disable;
        }
        config.ssl_mode(match tls {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
        });
        Ok(ConnInfo {
            config,
            tls,
            root_cert,
            user_hidden,
        })
    }

    /// `text` (a message that may quote the user name) with the user name hidden when it must be.
    pub(crate) fn redact(&self, text: &str) -> String {
        match self.config.get_user() {
            Some(user) if self.user_hidden && !user.is_empty() => {
                text.replace(user, "(user not shown)")
            }
            _ => text.to_owned(),
        }
    }
}

/// Whether a URL's user name must not be shown; an error, showing none of the URL, when its
/// user part cannot be told from its host. libpq and the `postgres` crate both end the user
/// part at the first `@` and the authority at the first `/`, so a password holding `@` or `/`
/// unencoded puts its tail in the host, and a `;` typed for the `:` puts the password in the
/// user name.
fn ambiguous_user(text: &str) -> Result<bool, Error> {
    let Some(after) = text
        .strip_prefix("postgresql://")
        .or_else(|| text.strip_prefix("postgres://"))
    else {
        return Ok(false);
    };
    let before_query = after.split('?').next().unwrap_or_default();
    let refuse = |what: &str| {
        Err(Error::Database(format!(
            "invalid database URL: {what}; write `@` as `%40`, `/` as `%2F` and `:` as `%3A` in a user name or password (none of the URL is shown: part of it may be a password)"
        )))
    };
    let ats = before_query.matches('@').count();
    if ats > 1 {
        return refuse("it holds more than one `@` before its host");
    }
    let Some((userinfo, _)) = before_query.split_once('@') else {
        return Ok(false);
    };
    if userinfo.contains('/') {
        return refuse("a `/` comes before its `@`");
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '~' | '%');
    Ok(!userinfo.contains(':') && !userinfo.chars().all(plain))
}

impl ConnInfo {
    /// Each host with its port, `host:port`, as the URL gives them.
    pub(crate) fn hosts(&self) -> Vec<String> {
        self.config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let port = self
                    .config
                    .get_ports()
                    .get(i)
                    .or(self.config.get_ports().first())
                    .copied()
                    .unwrap_or(5432);
                match host {
                    Host::Tcp(name) => format!("{name}:{port}"),
                    Host::Unix(path) => format!("{}:{port}", path.display()),
                }
            })
            .collect()
    }
}

/// The connection as messages show it: `user@host:port/dbname`, never with the password.
impl fmt::Display for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hosts = self.hosts();
        let user = match self.config.get_user() {
            Some(_) if self.user_hidden => "(user not shown)",
            Some(user) => user,
            None => "(current user)",
        };
        let dbname = self.config.get_dbname().unwrap_or(user);
        write!(f, "{user}@{}/{dbname}", hosts.join(","))
    }
}

/// libpq's connection keywords, the words an error may show.
const KEYWORDS: [&str; 24] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "options",
    "application_name",
    "fallback_application_name",
    "connect_timeout",
    "client_encoding",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "channel_binding",
    "target_session_attrs",
    "load_balance_hosts",
];

fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

#[derive(Default)]
struct TlsOptions {
    mode: Option<String>,
    root_cert: Option<String>,
}

/// Takes `sslmode` and `sslrootcert` out of either form, returning the rest for the crate.
fn split_tls_options(text: &str) -> Result<(String, TlsOptions), Error> {
    let mut ssl = TlsOptions::default();
    let mut take = |key: &str, value: String| match key {
        "sslmode" => {
            ssl.mode = Some(value);
            true
        }
        "sslrootcert" => {
            ssl.root_cert = Some(value);
            true
        }
        _ => false,
    };
    let text = text.trim();
    let rest = if is_url(text) {
        match text.split_once('?') {
            Some((base, query)) => {
                let mut kept = Vec::new();
                for pair in query.split('&').filter(|p| !p.is_empty()) {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    let value = percent_decode_str(value).decode_utf8().map_err(|_| {
                        Error::Database(format!(
                            "invalid database URL: the value of `{key}` is not UTF-8 once decoded"
                        ))
                    })?;
                    if !take(key, value.into_owned()) {
                        kept.push(pair);
                    }
                }
                if kept.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
            None => text.to_owned(),
        }
    } else {
        let mut kept = Vec::new();
        for (key, value) in key_values(text)? {
            if !take(&key, value.clone()) {
                kept.push(format!("{key}={}", quote_value(&value)));
            }
        }
        kept.join(" ")
    };
    Ok((rest, ssl))
}

/// Splits a libpq `key=value` list; values may be single-quoted, with `\` escaping.
fn key_values(text: &str) -> Result<Vec<(String, String)>, Error> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(pairs);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            // The word is echoed only when it is one of libpq's keywords: anything else may
            // hold a password, as a misspelled URL (`postgress://user:secret@host`) or a
            // missing `=` (`passwordsecret`) does.
            let word = if KEYWORDS.contains(&key.as_str()) {
                format!("`{key}`")
            } else {
                "a word that is not a keyword (not shown: it may hold a password)".to_owned()
            };
            let hint = if key.contains("://") {
                "; a URL starts with `postgresql://` or `postgres://`"
            } else {
                ""
            };
            return Err(Error::Database(format!(
                "invalid connection string: expected `=` after {word}{hint}"
            )));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => {
                        return Err(Error::Database(format!(
                            "invalid connection string: the value of `{key}` has no closing quote"
                        )));
                    }
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        pairs.push((key, value));
    }
}

fn quote_value(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Completes the parts the string leaves out from `PG*` variables, as libpq does.
fn fill_from_env(config: &mut postgres::Config, env: Env<'_>) -> Result<(), Error> {
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        match env("PGHOST") {
            Some(hosts) => {
                for host in hosts.split(',') {
                    config.host(host);
                }
            }
            // libpq's default on Debian: the server's socket directory.
            None if std::path::Path::new("/var/run/postgresql").is_dir() => {
                config.host("/var/run/postgresql");
            }
            None => {
                config.host("localhost");
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(ports) = env("PGPORT")
    {
        for port in ports.split(',') {
            let port = port.trim().parse().map_err(|_| {
                Error::Database(format!("invalid PGPORT `{port}`: expected a port number"))
            })?;
            config.port(port);
        }
    }
    if config.get_user().is_none()
        && let Some(user) = env("PGUSER")
    {
        config.user(&user);
    }
    if config.get_password().is_none()
        && let Some(password) = env("PGPASSWORD")
    {
        config.password(password);
    }
    if config.get_dbname().is_none()
        && let Some(dbname) = env("PGDATABASE")
    {
        config.dbname(&dbname);
    }
    if config.get_application_name().is_none() {
        config.application_name(&env("PGAPPNAME").unwrap_or_else(|| "migrate".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
