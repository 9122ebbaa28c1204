//! Harness for end-to-end tests: real components (Envoy, Prometheus, Alertmanager, promtool)
//! started on loopback, on free ports, and stopped when the test ends.
//!
//! A test that needs a component asks [`require`] for it. Outside CI a missing component
//! skips the test with a message; under `CI=true` it fails the test, so CI can never pass by
//! silently skipping the real thing.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::Child;
use std::time::Duration;

pub mod alertmanager;
pub mod authz;
pub mod cargo;
pub mod certs;
pub mod daemon;
pub mod envoy;
pub mod exporter;
pub mod http;
pub mod humanize;
pub mod mesh;
pub mod prometheus;
pub mod tls_client;
pub mod webhook;

pub use cargo::cargo_bin;

/// Finds `program` on `PATH`.
///
/// Returns `None` (after printing why) when it is missing outside CI, so the caller can
/// return early; panics when it is missing under `CI=true`.
pub fn require(program: &str) -> Option<PathBuf> {
    if let Some(path) = which(program) {
        return Some(path);
    }
    let hint = "run scripts/install-test-deps";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{program} is not installed, and CI=true forbids skipping: {hint}");
    }
    eprintln!("skipping: {program} is not installed ({hint})");
    None
}

/// The first `program` on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A free TCP port on 127.0.0.1.
///
/// The port is free when this returns; a process that binds it later may still race another.
/// Tests that start servers retry on a bind failure.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral loopback port");
    listener.local_addr().expect("local address").port()
}

/// A loopback address with a free port.
pub fn free_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], free_port()))
}

/// A child process killed and reaped when dropped, so a failing test leaves nothing behind.
#[derive(Debug)]
pub struct ChildGuard {
    child: Child,
    name: String,
}

impl ChildGuard {
    /// Takes ownership of `child`, named for error messages.
    pub fn new(name: impl Into<String>, child: Child) -> ChildGuard {
        ChildGuard {
            child,
            name: name.into(),
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The name given at creation.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Mutable access to the process, to signal or wait on it.
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Blocks the calling thread for `duration`.
///
/// The harness drives processes from plain test threads, outside any async runtime, so a
/// blocking sleep stalls nothing else; async code must use `tokio::time::sleep` instead.
#[allow(clippy::disallowed_methods)]
pub fn pause(duration: Duration) {
    std::thread::sleep(duration);
}
