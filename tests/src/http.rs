//! A minimal HTTP/1.1 client over a plain TCP stream, with timeouts and a size cap, for tests
//! that talk to proxies' listeners and admin endpoints.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a test waits to connect, and then for each read or write.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest response a test reads (an Envoy `/stats/prometheus` is a few hundred KiB).
pub const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;
/// The longest status line [`get_status`] reads.
const MAX_STATUS_LINE_BYTES: u64 = 1024;

/// A response: its status code and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body, lossily decoded as UTF-8.
    pub body: String,
}

/// Sends `GET path` to `addr` with the extra `headers` and reads the whole response.
///
/// The request asks the server to close the connection, so the body ends at end of stream.
pub fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;

    let mut request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;

    let mut raw = Vec::new();
    stream.take(MAX_RESPONSE_BYTES).read_to_end(&mut raw)?;
    parse(&raw)
}

/// Sends `GET path` to `addr` on a kept-alive connection and returns the status code as soon
/// as the status line arrives, then drops the connection.
///
/// For traffic where only the answer's class matters: a server that closes a connection may
/// hold it open for a while first (Envoy's delayed close waits up to a second for the client
/// to close), which [`get`] would wait out.
pub fn get_status(addr: SocketAddr, path: &str) -> io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes())?;

    let mut line = String::new();
    BufReader::new(stream.take(MAX_STATUS_LINE_BYTES)).read_line(&mut line)?;
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("no status line in {line:?}"),
            )
        })
}

fn parse(raw: &[u8]) -> io::Result<Response> {
    let text = String::from_utf8_lossy(raw);
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| invalid("no end of headers"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("no status code"))?;

    let chunked = head.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Ok(Response { status, body })
}

/// Joins the chunks of a chunked body (extensions and trailers ignored).
fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = size.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size, 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_chunked_bodies() {
        let plain = parse(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nfail");
        assert_eq!(
            plain.unwrap(),
            Response {
                status: 503,
                body: "fail".into()
            }
        );
        let chunked = parse(
            concat!(
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
                "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
            )
            .as_bytes(),
        );
        assert_eq!(
            chunked.unwrap(),
            Response {
                status: 200,
                body: "abcde".into()
            }
        );
        assert!(parse(b"garbage").is_err());
    }
}
