//! One HTTP GET of a target's exposition, bounded in time and size.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HOST, USER_AGENT};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::error::ScrapeError;

/// What we ask proxies for: the Prometheus text format. Envoy 1.38 and later would otherwise
/// be free to negotiate its protobuf format, which we do not read.
pub const ACCEPT_TEXT: &str = "text/plain;version=0.0.4";

/// The `User-Agent` of every scrape.
pub const USER_AGENT_VALUE: &str = concat!("meshward-exporter/", env!("CARGO_PKG_VERSION"));

/// Limits of one scrape.
#[derive(Clone, Copy, Debug)]
pub struct FetchLimits {
    /// Deadline for connecting and reading the whole answer.
    pub timeout: Duration,
    /// Largest body accepted, in bytes.
    pub body_size_limit: u64,
}

/// A body read in full.
#[derive(Debug)]
pub struct Fetched {
    /// The body, at most `body_size_limit` bytes.
    pub body: Bytes,
    /// The `Content-Type` the target declared, if any.
    pub content_type: Option<String>,
}

/// GETs `http://{address}{path}` within `limits`.
///
/// Every scrape opens its own connection and closes it afterwards, so a stalled or broken
/// target never leaves a half-read connection behind for the next scrape.
pub async fn fetch(address: &str, path: &str, limits: FetchLimits) -> Result<Fetched, ScrapeError> {
    let deadline = Instant::now() + limits.timeout;
    let timed_out = |_| ScrapeError::Timeout(limits.timeout);

    let stream = timeout_at(deadline, TcpStream::connect(address))
        .await
        .map_err(timed_out)?
        .map_err(ScrapeError::Connect)?;
    let _ = stream.set_nodelay(true);

    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(ScrapeError::Http)?;
    let driver = tokio::spawn(connection);
    let _abort = AbortOnDrop(driver);

    let request = Request::get(path)
        .header(HOST, address)
        .header(ACCEPT, ACCEPT_TEXT)
        .header(USER_AGENT, USER_AGENT_VALUE)
        .body(Empty::<Bytes>::new())
        .expect("a GET with a checked path and fixed headers is a valid request");
    let response = timeout_at(deadline, sender.send_request(request))
        .await
        .map_err(timed_out)?
        .map_err(ScrapeError::Http)?;

    if response.status() != StatusCode::OK {
        return Err(ScrapeError::Status(response.status()));
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let declared_length = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > limits.body_size_limit) {
        return Err(ScrapeError::BodyTooLarge {
            limit: limits.body_size_limit,
        });
    }

    let body = timeout_at(
        deadline,
        read_capped(response.into_body(), limits.body_size_limit),
    )
    .await
    .map_err(timed_out)??;
    Ok(Fetched { body, content_type })
}

/// Reads frames until the end of the body, or fails as soon as it passes `limit`.
async fn read_capped(mut body: hyper::body::Incoming, limit: u64) -> Result<Bytes, ScrapeError> {
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(ScrapeError::Http)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if buffer.len() as u64 + data.len() as u64 > limit {
            return Err(ScrapeError::BodyTooLarge { limit });
        }
        buffer.extend_from_slice(&data);
    }
    Ok(buffer.freeze())
}

/// Stops the connection task when the scrape ends, whichever way it ends.
struct AbortOnDrop(tokio::task::JoinHandle<Result<(), hyper::Error>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
