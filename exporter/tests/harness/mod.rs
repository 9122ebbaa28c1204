//! Shared pieces of the exporter's runtime tests: the real binary as a child process, proxies
//! served by in-test HTTP servers, and reading `/metrics` back with our own parser.

#![allow(dead_code)]

pub mod proxies;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use meshward_e2e::{free_addr, http, pause, ChildGuard};
use meshward_exposition::{parse, Format};

/// How long a test waits for something the exporter should do within a few scrapes.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The exporter binary running on a free loopback port.
pub struct Exporter {
    /// Where it serves.
    pub addr: SocketAddr,
    /// The config file it was started with.
    pub config: PathBuf,
    child: ChildGuard,
    stderr: PathBuf,
}

impl Exporter {
    /// Starts the binary on `config` and waits until `/-/ready` answers 200.
    pub fn start(config: &Path) -> Exporter {
        let addr = free_addr();
        let stderr = config.with_extension("log");
        let child = Command::new(env!("CARGO_BIN_EXE_meshward-exporter"))
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--log.level=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).expect("create the log file"))
            .spawn()
            .expect("start meshward-exporter");
        let mut exporter = Exporter {
            addr,
            config: config.to_owned(),
            child: ChildGuard::new("meshward-exporter", child),
            stderr,
        };
        let ready = exporter.wait_for("/-/ready to answer 200", |e| {
            http::get(e.addr, "/-/ready", &[]).is_ok_and(|r| r.status == 200)
        });
        assert!(
            ready,
            "the exporter never became ready; log:\n{}",
            exporter.log()
        );
        exporter
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> http::Response {
        http::get(self.addr, path, &[]).expect("the exporter answers")
    }

    /// The text of `/metrics`.
    pub fn metrics(&self) -> String {
        let response = self.get("/metrics");
        assert_eq!(response.status, 200);
        response.body
    }

    /// The value of the series `name` whose labels include all of `labels`, if exactly one.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        value(&self.metrics(), name, labels)
    }

    /// Sends SIGHUP.
    pub fn hangup(&self) {
        signal(self.child.id(), "HUP");
    }

    /// Polls `done` every 100 ms until it holds or [`PATIENCE`] runs out.
    pub fn wait_for(&mut self, what: &str, mut done: impl FnMut(&Exporter) -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if done(self) {
                return true;
            }
            assert!(
                self.child.is_running(),
                "the exporter exited while waiting for {what}:\n{}",
                self.log()
            );
            pause(Duration::from_millis(100));
        }
        eprintln!("gave up waiting for {what}");
        false
    }

    /// Sends SIGTERM and returns the exit status once the process is gone.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        signal(self.child.id(), "TERM");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self
                .child
                .child_mut()
                .try_wait()
                .expect("wait for the exporter")
            {
                return status;
            }
            assert!(Instant::now() < deadline, "the exporter ignored SIGTERM");
            pause(Duration::from_millis(50));
        }
    }

    /// Everything the exporter logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid} failed");
}

/// The value of the series `name` whose labels include all of `labels`, if exactly one.
pub fn value(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let exposition = parse(metrics, Format::Text);
    assert!(
        exposition.errors.is_empty(),
        "/metrics does not parse: {:?}",
        exposition.errors
    );
    let matching: Vec<f64> = exposition
        .samples
        .iter()
        .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.label(k) == Some(*v)))
        .map(|s| s.value)
        .collect();
    match matching.as_slice() {
        [value] => Some(*value),
        [] => None,
        many => panic!("{} series of {name} match {labels:?}: {many:?}", many.len()),
    }
}

/// Whether any series in `metrics` has the label `target` = `address`.
pub fn mentions_target(metrics: &str, address: &str) -> bool {
    metrics.contains(&format!("target=\"{address}\""))
}

/// Writes `text` to `path` in one step (write to a temporary file, then rename), as a
/// careful tool would, so the exporter never reads half a file.
pub fn write_atomically(path: &Path, text: &str) {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).expect("write the temporary file");
    std::fs::rename(&temporary, path).expect("rename into place");
}

/// Runs `promtool check metrics` on `metrics`; `None` when promtool is absent outside CI.
pub fn promtool_check(metrics: &str) -> Option<(bool, String)> {
    let promtool = meshward_e2e::require("promtool")?;
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start promtool");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(metrics.as_bytes())
        .expect("feed promtool");
    let output = child.wait_with_output().expect("promtool finishes");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some((output.status.success() && report.trim().is_empty(), report))
}
