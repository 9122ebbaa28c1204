//! The `meshward` command line; everything but argument dispatch lives in the library.

fn main() -> std::process::ExitCode {
    meshward_rulegen::cli::run()
}
