//! Settings for unit tests of the layers that read them.

use super::Settings;

impl Settings {
    /// The settings of `migrate --dir migrations check` with no run or lint settings, for unit
    /// tests of the layers that read them.
    pub(crate) fn for_tests() -> Settings {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(["migrate", "--dir", "migrations", "check"])
            .expect("the test's command line parses");
        let mut settings = Settings::resolve(&cli.global).expect("the test's settings resolve");
        settings.run = super::RunConfig::default();
        settings.lint = super::LintSettings::default();
        settings
    }
}
