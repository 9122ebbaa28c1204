//! The workspace's own binaries, built on demand for tests in any package.
//!
//! Cargo only tells a package's tests where that package's binaries are
//! (`CARGO_BIN_EXE_<name>`); end-to-end tests drive binaries of other packages (`meshward`,
//! `meshward-exporter`). [`cargo_bin`] asks Cargo to build the binary, with the profile the
//! running test was built with, and takes the path from Cargo's own build report rather than
//! guessing the target directory. When the binary is fresh the build is a no-op.
//!
//! The build also selects the workspace's examples. That is not for the examples: asking for
//! them makes Cargo resolve features with dev-dependencies, as `cargo test --workspace` does,
//! so the binaries that test run already built are reused. Without it Cargo would resolve
//! fewer features (dev-dependencies turn on more of serde, serde_json and others) and build a
//! second copy of both binaries and of every crate in between.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// Builds the workspace binary `name` and returns the path of the executable.
///
/// Binary names are unique in the workspace, so the package need not be named. Each binary is
/// built at most once per test process.
///
/// ```no_run
/// let exporter = meshward_e2e::cargo_bin("meshward-exporter").expect("build the exporter");
/// assert!(exporter.is_file());
/// ```
pub fn cargo_bin(name: &str) -> io::Result<PathBuf> {
    static BUILT: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(path) = built.get(name) {
        return Ok(path.clone());
    }
    let path = build(name)?;
    built.insert(name.to_owned(), path.clone());
    Ok(path)
}

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir.parent().unwrap_or(crate_dir).to_owned()
}

fn build(name: &str) -> io::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = workspace_root().join("Cargo.toml");
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .args([
            "--bin",
            name,
            "--examples",
            "--message-format=json-render-diagnostics",
        ]);
    if built_in_release() {
        command.arg("--release");
    }
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "cargo build --bin {name} failed ({}); its diagnostics are above",
            output.status
        )));
    }
    executable(&String::from_utf8_lossy(&output.stdout), name).ok_or_else(|| {
        io::Error::other(format!(
            "cargo build --bin {name} reported no executable named {name}"
        ))
    })
}

/// Whether the running test executable was built in release mode: it lives in
/// `<target>/release/deps/`.
fn built_in_release() -> bool {
    std::env::current_exe().is_ok_and(|exe| {
        let profile_dir = exe.parent().and_then(Path::parent);
        profile_dir
            .and_then(Path::file_name)
            .is_some_and(|name| name == "release")
    })
}

/// The `executable` of the `compiler-artifact` message for binary `name` in Cargo's JSON
/// messages (one JSON object per line).
fn executable(messages: &str, name: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["target"]["name"] == name)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_executable_among_cargo_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"meshward"},"executable":null}"#,
            "\n",
            "not json\n",
            r#"{"reason":"compiler-artifact","target":{"name":"meshward-exporter"},"#,
            r#""executable":"/t/debug/meshward-exporter"}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"meshward"},"#,
            r#""executable":"/t/debug/meshward"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executable(messages, "meshward"),
            Some(PathBuf::from("/t/debug/meshward"))
        );
        assert_eq!(executable(messages, "meshward-e2e"), None);
    }
}
