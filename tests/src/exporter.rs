//! The real `meshward-exporter` binary, started on a free loopback port with a config file.

use std::io;
use std::path::Path;
use std::time::Duration;

use crate::daemon::{Daemon, Launch};
use crate::free_addr;

/// How long the exporter may take to become ready.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Writes `config` to `dir/exporter.yaml` and starts `binary` on it; returns once `/-/ready`
/// answers 200 (the configuration is loaded and its targets are scheduled).
pub fn start(binary: &Path, dir: &Path, config: &str) -> io::Result<Daemon> {
    let path = dir.join("exporter.yaml");
    std::fs::write(&path, config)?;
    let listen = free_addr();
    let launch = Launch {
        name: "meshward-exporter".to_owned(),
        binary: binary.to_owned(),
        args: vec![
            format!("--config.file={}", path.display()),
            format!("--web.listen-address={listen}"),
            "--log.level=debug".to_owned(),
        ],
        listen,
        ready_path: "/-/ready".to_owned(),
        ready_timeout: READY_TIMEOUT,
    };
    Daemon::start(launch, dir)
}
