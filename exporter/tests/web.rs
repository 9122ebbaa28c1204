//! The HTTP server under clients that misbehave: stalled and oversized request heads, other
//! methods, many idle connections. Other clients keep being served.

mod harness;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use harness::Exporter;

fn start() -> (tempfile::TempDir, Exporter) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, "scrape_interval: 1s\n").unwrap();
    let exporter = Exporter::start(&path);
    (dir, exporter)
}

/// Sends `request` raw and reads the answer until the server closes or 5 s pass.
fn raw(exporter: &Exporter, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(exporter.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn stalled_clients_do_not_hold_up_others() {
    let (_dir, exporter) = start();
    let stalled: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = TcpStream::connect(exporter.addr).unwrap();
            stream
                .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            stream
        })
        .collect();

    let started = Instant::now();
    let response = exporter.get("/metrics");
    assert_eq!(response.status, 200);
    assert!(
        response.body.contains("meshward_build_info{version="),
        "{}",
        response.body
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    drop(stalled);
}

#[test]
fn oversized_heads_and_other_methods_are_refused() {
    let (_dir, exporter) = start();
    let huge = format!(
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let answer = raw(&exporter, huge.as_bytes());
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "an oversized head is refused: {answer:?}"
    );

    let answer = raw(
        &exporter,
        b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    );
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("allow: get, head"),
        "{answer}"
    );

    let answer = raw(
        &exporter,
        b"HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.ends_with("\r\n\r\n"),
        "a HEAD answer has no body: {answer:?}"
    );

    assert_eq!(exporter.get("/-/ready").status, 200);
    assert_eq!(exporter.get("/metrics/extra").status, 404);
}
