//! TLS connections made with the `openssl s_client` command line, so that handshakes with and
//! without a client certificate are made by an independent TLS stack.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one `s_client` run may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to `addr` trusting `ca`, presenting `identity` (certificate, key) if given, sends
/// `GET path` and returns the response's status line, or `None` when no response came (the
/// handshake failed).
pub fn get(
    addr: SocketAddr,
    ca: &Path,
    identity: Option<(&Path, &Path)>,
    path: &str,
) -> Option<String> {
    let mut command = Command::new("openssl");
    command
        .args(["s_client", "-quiet", "-servername", "localhost", "-connect"])
        .arg(addr.to_string())
        .arg("-CAfile")
        .arg(ca);
    if let Some((cert, key)) = identity {
        command.arg("-cert").arg(cert).arg("-key").arg(key);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run openssl s_client");

    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(request.as_bytes());
    }

    let deadline = Instant::now() + TIMEOUT;
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            break;
        }
        crate::pause(Duration::from_millis(10));
    }
    let output = child
        .wait_with_output()
        .expect("collect openssl s_client output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find(|line| line.starts_with("HTTP/"))
        .map(str::to_owned)
}
