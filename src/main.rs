//! The `migrate` binary: parse the command line, run it, and turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;
use migrate::{Error, Outcome, cli::Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match migrate::run(&cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        // A reader that stops early (`migrate history | head`) is not a failure.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            migrate::error::report(&error);
            ExitCode::from(2)
        }
    }
}
