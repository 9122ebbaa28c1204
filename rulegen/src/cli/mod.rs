//! The `meshward` command line: `generate`, `check` and `test`.
//!
//! Exit codes: 0 success, 1 invalid input (or output that could not be written, or failing
//! promtool tests), 2 usage error (bad flags, or a required program missing).

mod check;
mod generate;
mod specs;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Everything went well.
pub const EXIT_OK: u8 = 0;
/// An input is invalid (or an output could not be written, or a promtool test failed).
pub const EXIT_INVALID: u8 = 1;
/// The command line is wrong, or a required program is missing.
pub const EXIT_USAGE: u8 = 2;

const ABOUT: &str = "Compile a mesh-security monitoring spec into Prometheus rules, promtool \
                     tests and dashboards";

const EXAMPLES: &str = "\
Examples:
  meshward generate --out rules/                      # the built-in mesh-security spec
  meshward generate examples/shop.yaml --out rules/
  meshward generate shop.yaml --out k8s/ --format prometheus-rule \\
      --rule-labels release=kube-prometheus-stack
  meshward check shop.yaml rules/*.yaml
  meshward test examples/shop.yaml

Exit codes: 0 success, 1 invalid input, 2 usage error.
Logs go to stderr; set MESHWARD_LOG (e.g. debug) to see more.";

#[derive(Debug, Parser)]
#[command(name = "meshward", version, about = ABOUT, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compile specs into rule files, promtool tests and a catalogue of every series and alert.
    Generate(Box<generate::Args>),
    /// Lint specs, rule files, PrometheusRule resources and Grafana dashboards.
    Check(check::Args),
    /// Compile specs and run the generated promtool unit tests.
    Test(test::Args),
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
    };
    init_logging();
    let code = match cli.command {
        Command::Generate(args) => generate::run(*args),
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
    };
    ExitCode::from(code)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MESHWARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
