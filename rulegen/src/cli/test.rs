//! `meshward test`: compile specs into a temporary directory and run the generated promtool
//! unit tests there.

use std::io;
use std::path::PathBuf;
use std::process::Command;

use super::{specs, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::emit::{self, write};

const EXAMPLES: &str = "\
Examples:
  meshward test examples/shop.yaml
  meshward test shop.yaml --promtool /opt/prometheus/promtool

Runs `promtool check rules` on the generated rule files, then `promtool test rules` on their
tests: every alert fires just past its threshold and stays silent just inside it.
Exit codes: 0 all tests pass, 1 invalid spec or failing tests, 2 usage error or promtool missing.";

#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Spec files (YAML or Jsonnet), together one spec; the built-in spec when none.
    #[arg(value_name = "SPEC")]
    specs: Vec<PathBuf>,
    /// The promtool to run.
    #[arg(long, value_name = "PATH", default_value = "promtool")]
    promtool: PathBuf,
}

/// Runs `meshward test`.
pub fn run(args: Args) -> u8 {
    let Some((_, compiled)) = specs::compile(&args.specs) else {
        return EXIT_INVALID;
    };
    let outputs = match emit::render(&compiled, &emit::Options::default()) {
        Ok(outputs) => outputs,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_INVALID;
        }
    };
    let dir = match tempfile::Builder::new().prefix("meshward-test-").tempdir() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("error: could not create a temporary directory: {error}");
            return EXIT_INVALID;
        }
    };
    let out = dir.path().join("out");
    if let Err(error) = write::write_all(&out, &outputs) {
        eprintln!("error: {error}");
        return EXIT_INVALID;
    }

    let rule_files: Vec<&String> = compiled.rule_files.keys().collect();
    let test_files: Vec<&String> = compiled.rule_tests.keys().collect();
    for (what, files) in [("check", &rule_files), ("test", &test_files)] {
        let status = Command::new(&args.promtool)
            .arg(what)
            .arg("rules")
            .args(files.iter().map(|f| f.as_str()))
            .current_dir(&out)
            .status();
        match status {
            Ok(status) if status.success() => {}
            Ok(_) => return EXIT_INVALID,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                eprintln!(
                    "error: {} was not found: install Prometheus' promtool (Debian: `apt-get \
                     install prometheus`) or name it with --promtool",
                    args.promtool.display()
                );
                return EXIT_USAGE;
            }
            Err(error) => {
                eprintln!("error: could not run {}: {error}", args.promtool.display());
                return EXIT_USAGE;
            }
        }
    }
    EXIT_OK
}
