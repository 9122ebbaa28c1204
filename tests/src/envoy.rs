//! A real Envoy started on loopback from a bootstrap YAML, ready when its admin says so.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::http;
use crate::ChildGuard;

/// How long Envoy may take to become ready.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// A running Envoy, stopped when dropped.
#[derive(Debug)]
pub struct Envoy {
    name: String,
    binary: PathBuf,
    config: PathBuf,
    log: PathBuf,
    admin: SocketAddr,
    process: Option<ChildGuard>,
}

impl Envoy {
    /// Writes `bootstrap` to `dir/<name>.yaml`, starts `binary` on it, and waits until the admin
    /// endpoint at `admin` (which the bootstrap must configure) reports ready.
    pub fn start(
        binary: &Path,
        name: &str,
        dir: &Path,
        bootstrap: &str,
        admin: SocketAddr,
    ) -> io::Result<Envoy> {
        let config = dir.join(format!("{name}.yaml"));
        std::fs::write(&config, bootstrap)?;
        let mut envoy = Envoy {
            name: name.to_owned(),
            binary: binary.to_owned(),
            config,
            log: dir.join(format!("{name}.log")),
            admin,
            process: None,
        };
        envoy.spawn()?;
        Ok(envoy)
    }

    /// The admin endpoint's address.
    pub fn admin(&self) -> SocketAddr {
        self.admin
    }

    /// The Prometheus text exposition of the admin `/stats/prometheus` endpoint.
    pub fn stats(&self) -> io::Result<String> {
        let response = http::get(self.admin, "/stats/prometheus", &[("Accept", "text/plain")])?;
        if response.status != 200 {
            return Err(io::Error::other(format!(
                "{}: /stats/prometheus answered {}",
                self.name, response.status
            )));
        }
        Ok(response.body)
    }

    /// Kills the process and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.child_mut().kill();
            let _ = process.child_mut().wait();
        }
    }

    /// Stops Envoy and starts it again on the same bootstrap (so the same ports): every
    /// counter starts again from zero, as in a proxy restart.
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop();
        self.spawn()
    }

    fn spawn(&mut self) -> io::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(&self.binary)
            .arg("-c")
            .arg(&self.config)
            .args([
                "--disable-hot-restart",
                "--log-level",
                "warning",
                "--concurrency",
                "1",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.process = Some(ChildGuard::new(self.name.clone(), child));
        self.wait_ready()
    }

    /// Polls admin `/ready` until it answers 200, the process dies, or the timeout passes.
    fn wait_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let running = self.process.as_mut().is_some_and(ChildGuard::is_running);
            if !running {
                return Err(self.failure("exited before it was ready"));
            }
            if http::get(self.admin, "/ready", &[]).is_ok_and(|r| r.status == 200) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.failure("was not ready in time"));
            }
            crate::pause(Duration::from_millis(50));
        }
    }

    fn failure(&self, what: &str) -> io::Error {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        io::Error::other(format!(
            "envoy {} {what}; log:\n{}",
            self.name,
            tail.join("\n")
        ))
    }
}
