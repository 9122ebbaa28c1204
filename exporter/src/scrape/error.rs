//! Why a scrape failed, and the `reason` label each failure is counted under.

use meshward_signals::exported::ScrapeErrorReason;

/// A scrape that produced no usable body.
#[derive(Debug, thiserror::Error)]
pub enum ScrapeError {
    /// The TCP connection failed (refused, unreachable, name not resolved).
    #[error("cannot connect: {0}")]
    Connect(#[source] std::io::Error),
    /// Connecting or reading took longer than the scrape timeout.
    #[error("no complete answer within the scrape timeout of {0:?}")]
    Timeout(std::time::Duration),
    /// The answer was not valid HTTP, or the connection broke mid-answer.
    #[error("invalid HTTP answer: {0}")]
    Http(#[source] hyper::Error),
    /// The target answered with a status other than 200.
    #[error("HTTP status {0}")]
    Status(http::StatusCode),
    /// The body exceeded the configured limit; reading stopped there.
    #[error("body larger than body_size_limit ({limit} bytes)")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
}

impl ScrapeError {
    /// The `reason` label this failure is counted under.
    pub fn reason(&self) -> ScrapeErrorReason {
        match self {
            ScrapeError::Connect(_) => ScrapeErrorReason::Connect,
            ScrapeError::Timeout(_) => ScrapeErrorReason::Timeout,
            ScrapeError::Http(_) => ScrapeErrorReason::Http,
            ScrapeError::Status(_) => ScrapeErrorReason::HttpStatus,
            ScrapeError::BodyTooLarge { .. } => ScrapeErrorReason::BodyTooLarge,
        }
    }
}
