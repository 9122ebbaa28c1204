//! The real `meshward-exporter` binary, started on loopback with a config file.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use meshward_e2e::{free_addr, http, ChildGuard};
use meshward_exposition::{parse, Format};

/// How long the exporter may take to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// A running exporter, stopped when dropped.
pub struct Exporter {
    listen: SocketAddr,
    _process: ChildGuard,
}

/// One served series: its labels (sorted) and value.
pub type Series = (BTreeMap<String, String>, f64);

impl Exporter {
    /// Writes `config` to `dir/exporter.yaml` and starts the binary on a free port.
    pub fn start(dir: &Path, config: &str) -> Exporter {
        let path = dir.join("exporter.yaml");
        std::fs::write(&path, config).expect("write the exporter config");
        let listen = free_addr();
        let log = std::fs::File::create(dir.join("exporter.log")).expect("exporter log file");
        let child = Command::new(env!("CARGO_BIN_EXE_meshward-exporter"))
            .arg("--config.file")
            .arg(&path)
            .arg("--web.listen-address")
            .arg(listen.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .expect("start meshward-exporter");
        let mut process = ChildGuard::new("meshward-exporter", child);

        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            assert!(
                process.is_running(),
                "meshward-exporter exited; see {}",
                dir.display()
            );
            if http::get(listen, "/-/ready", &[]).is_ok_and(|r| r.status == 200) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "meshward-exporter was not ready in time"
            );
            meshward_e2e::pause(Duration::from_millis(50));
        }
        Exporter {
            listen,
            _process: process,
        }
    }

    /// Every sample of `family` served on `/metrics` whose `workload` label is `workload`.
    pub fn series(&self, family: &str, workload: &str) -> Vec<Series> {
        let response =
            http::get(self.listen, "/metrics", &[("Accept", "text/plain")]).expect("GET /metrics");
        assert_eq!(
            response.status, 200,
            "/metrics answered {}",
            response.status
        );
        let exposition = parse(&response.body, Format::Text);
        assert!(
            exposition.errors.is_empty(),
            "/metrics parses: {:?}",
            exposition.errors
        );
        exposition
            .samples
            .iter()
            .filter(|sample| sample.name == family && sample.label("workload") == Some(workload))
            .map(|sample| {
                let labels = sample
                    .labels
                    .iter()
                    .map(|label| (label.name.to_owned(), label.value.to_string()))
                    .collect();
                (labels, sample.value)
            })
            .collect()
    }
}
