//! Where a setting's value came from, so that a message about a tree can say how it was chosen.

use std::fmt;

/// The configuration file read when `--config` and `MIGRATE_CONFIG` are not given.
pub(crate) const DEFAULT_CONFIG: &str = "migrate.toml";

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A key in a configuration file.
    Config { key: &'static str, file: String },
    /// Found by looking at the project, as described.
    Detected(String),
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "`{flag}`"),
            Origin::Env(var) => write!(f, "`{var}`"),
            Origin::Config { key, file } => write!(f, "`{key}` in `{file}`"),
            Origin::Detected(what) => write!(f, "{what}; set `--dir` to choose another"),
            Origin::Default => write!(
                f,
                "the default; set `--dir`, `MIGRATE_DIR` or `dir` in `{DEFAULT_CONFIG}`"
            ),
        }
    }
}
