//! The run settings of `migrate.toml`: timeouts, lock retries and the pool mode, read once.

use std::path::Path;

use super::config_file::ConfigFile;
use crate::{Error, relpath};

/// The run settings `migrate.toml` may give; flags beat them, and they beat the defaults.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RunConfig {
    pub(crate) lock_timeout: Option<std::time::Duration>,
    pub(crate) statement_timeout: Option<std::time::Duration>,
    pub(crate) lock_retries: Option<u32>,
    pub(crate) pool_mode: Option<crate::cli::PoolMode>,
}

pub(super) fn run_config(file: &Path, c: &ConfigFile) -> Result<RunConfig, Error> {
    let duration = |key: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| {
                humantime::parse_duration(v).map_err(|_| {
                    Error::Usage(format!(
                        "`{key}` in `{}` must be a duration such as `2s` or `10m`, not `{v}`",
                        relpath::display(file)
                    ))
                })
            })
            .transpose()
    };
    Ok(RunConfig {
        lock_timeout: duration("lock_timeout", &c.lock_timeout)?,
        statement_timeout: duration("statement_timeout", &c.statement_timeout)?,
        lock_retries: c.lock_retries,
        pool_mode: c.pool_mode,
    })
}
