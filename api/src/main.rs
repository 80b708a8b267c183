//! Entry point of the `api` command: parses the command line and hands over.

use std::process::ExitCode;

use api::cli::Cli;
use clap::Parser;

/// mimalloc: its per-thread heaps return freed pages, where glibc's per-thread
/// arenas keep the peak of each worker resident.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    api::telemetry::init(cli.log_json());
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
