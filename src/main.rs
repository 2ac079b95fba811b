//! The `migrate` binary: parse the command line, run it, and turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;
use migrate::{Error, Outcome, cli::Cli};

// The loader's threads keep thousands of small values each (file texts, parsed revisions).
// glibc grows a thread's arena a few pages at a time, with an `mprotect` and fresh page faults at
// every step: over a thousand system calls for 5,000 Alembic files. mimalloc takes memory in
// segments and frees without locks. Its version 2 is used: version 3 touched 57 MB where
// version 2 touches 33 and glibc 20, and on this project's virtual machine every fresh page is
// slow to fault in. It is built without transparent huge pages (`no_thp`): they made a
// 1,000-revision upgrade touch six 2 MB pages for 3 MB of heap (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if migrate::report_usage(&error) => return ExitCode::from(2),
        Err(_) => return ExitCode::SUCCESS,
    };
    match migrate::run(&cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        Ok(Outcome::Interrupted(signal)) => ExitCode::from(signal.exit_status()),
        // A reader that stops early (`migrate history | head`) is not a failure.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            migrate::report_error(&cli, &error);
            match error {
                Error::Interrupted(signal) => ExitCode::from(signal.exit_status()),
                _ => ExitCode::from(2),
            }
        }
    }
}
