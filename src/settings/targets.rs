//! `[targets]` in migrate.toml: the target list a fleet run takes when no flag or environment
//! variable names one.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// `[targets]` as written: one of a file of connection strings (relative to migrate.toml), a
/// query returning connection strings or database names, or a query returning schemas.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TargetsConfig {
    pub file: Option<PathBuf>,
    pub query: Option<String>,
    pub schemas_query: Option<String>,
}

/// The configured target list, its file made relative to the working directory.
#[derive(Debug, Clone, Default)]
pub(crate) struct TargetSettings {
    pub file: Option<PathBuf>,
    pub query: Option<String>,
    pub schemas_query: Option<String>,
}

impl TargetSettings {
    /// `[targets]` of the configuration file in `base`.
    pub(super) fn from_config(config: Option<&TargetsConfig>, base: &Path) -> TargetSettings {
        let Some(config) = config else {
            return TargetSettings::default();
        };
        TargetSettings {
            file: config.file.as_ref().map(|f| base.join(f)),
            query: config.query.clone(),
            schemas_query: config.schemas_query.clone(),
        }
    }
}
