//! Running the real `meshward` binary, for the command-line tests that include this module
//! (`#[path = "support/cli.rs"] mod cli;`).

#![allow(
    dead_code,
    reason = "each including test uses its own part of this module"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where the commands of the README run.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `meshward` with `args` in the repository root.
pub fn meshward(args: &[&str]) -> Output {
    meshward_in(args, &repo())
}

/// Runs `meshward` with `args` in `cwd`, with the default log level whatever the caller's
/// environment says.
pub fn meshward_in(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshward"))
        .args(args)
        .current_dir(cwd)
        .env_remove("MESHWARD_LOG")
        .output()
        .expect("meshward runs")
}

/// The exit code (the binary never dies of a signal in these tests).
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Exit code, standard output and standard error, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    )
}

/// Writes `text` to `path`, creating its directory.
pub fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a file path")).expect("creates the directory");
    fs::write(path, text).expect("writes the file");
}
