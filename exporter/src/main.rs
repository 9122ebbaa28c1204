//! `meshward-exporter`: the binary. Reads flags, sets up logging, runs [`app::run`].

use std::process::ExitCode;

use clap::Parser;
use meshward_exporter::cli::Flags;
use meshward_exporter::{app, logging};

fn main() -> ExitCode {
    let flags = Flags::parse();
    logging::init(flags.log_level, flags.log_format);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("meshward-exporter: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(app::run(flags)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("meshward-exporter: {error}");
            ExitCode::FAILURE
        }
    }
}
