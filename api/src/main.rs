//! Entry point of the `api` command: parses the command line and hands over.

use std::process::ExitCode;

use api::cli::Cli;
use clap::Parser;

/// mimalloc rather than glibc's malloc: measured with `wrk`, the agenda under 16
/// connections is answered about 1.5 times as often, at a similar peak of memory
/// (glibc confined to one arena peaks lower, but answers about a third as often).
/// Version 2 without transparent huge pages (`v2`, `no_thp`): version 3 keeps freed
/// memory for a second and backs its arena with 2 MiB pages, which held about 30
/// MiB more resident at the same throughput.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    api::memory::purge_freed_pages_sooner();
    let cli = Cli::parse();
    api::telemetry::init(cli.log_json());
    // The runtime's threads hand freed memory back when they go idle (see
    // `api::memory`): the audit's writer and the live updates run on them in bursts.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(api::memory::release_freed_when_idle)
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: the runtime could not start: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli.run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
