//! A server process started for a test: its output goes to a log file, it is ready when an HTTP
//! endpoint answers 200, and it is killed when dropped.
//!
//! Prometheus, Alertmanager and the exporter are all started this way; their launchers add the
//! command line and the API each one speaks.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{http, ChildGuard};

/// Lines of the log quoted in a failure message.
const LOG_TAIL_LINES: usize = 40;

/// What to start and how to tell it is ready.
#[derive(Clone, Debug)]
pub struct Launch {
    /// Name for messages and the log file (`<dir>/<name>.log`).
    pub name: String,
    /// The executable.
    pub binary: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Where it listens for HTTP.
    pub listen: SocketAddr,
    /// The path that answers 200 once it is ready.
    pub ready_path: String,
    /// How long it may take.
    pub ready_timeout: Duration,
}

/// A running server.
#[derive(Debug)]
pub struct Daemon {
    name: String,
    listen: SocketAddr,
    log: PathBuf,
    process: ChildGuard,
}

impl Daemon {
    /// Starts `launch.binary` with its log in `dir`, and waits until it is ready.
    ///
    /// Fails with the log's tail when the process exits first or is not ready in time.
    pub fn start(launch: Launch, dir: &Path) -> io::Result<Daemon> {
        let log = dir.join(format!("{}.log", launch.name));
        let file = std::fs::File::create(&log)?;
        let child = Command::new(&launch.binary)
            .args(&launch.args)
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot start {}: {e}", launch.binary.display()),
                )
            })?;
        let mut daemon = Daemon {
            name: launch.name.clone(),
            listen: launch.listen,
            log,
            process: ChildGuard::new(launch.name, child),
        };
        daemon.wait_ready(&launch.ready_path, launch.ready_timeout)?;
        Ok(daemon)
    }

    /// Where it listens.
    pub fn listen(&self) -> SocketAddr {
        self.listen
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    /// Everything it has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(no log: {e})"))
    }

    /// The last lines of its log, headed by its name, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
        format!(
            "--- last {} lines of {} ({}) ---\n{}",
            tail.len(),
            self.name,
            self.log.display(),
            tail.join("\n")
        )
    }

    fn wait_ready(&mut self, path: &str, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if !self.process.is_running() {
                return Err(io::Error::other(format!(
                    "{} exited before it was ready\n{}",
                    self.name,
                    self.log_tail()
                )));
            }
            if http::get(self.listen, path, &[]).is_ok_and(|r| r.status == 200) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::other(format!(
                    "{} was not ready on http://{}{path} within {timeout:?}\n{}",
                    self.name,
                    self.listen,
                    self.log_tail()
                )));
            }
            crate::pause(Duration::from_millis(50));
        }
    }
}
