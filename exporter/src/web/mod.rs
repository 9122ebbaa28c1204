//! The HTTP server: `/metrics` (or `--web.telemetry-path`), `/-/healthy`, `/-/ready` and a
//! landing page at `/`.
//!
//! No client can hold the server: request heads must arrive within
//! [`HEADER_READ_TIMEOUT`] and fit in [`MAX_HEAD_BYTES`], a connection lives at most
//! [`CONNECTION_LIFETIME`], request bodies are never read, and at most [`MAX_CONNECTIONS`]
//! connections are served at once (further ones are closed on accept).

pub mod landing;
pub mod routes;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tracing::{debug, info, warn};

use crate::store::Store;

/// Time a client has to send a request's head.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a connection is served, however busy; Prometheus simply reconnects.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// Largest request head accepted.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 128;
/// How long shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the pages show.
#[derive(Debug)]
pub struct Site {
    /// The targets and their reports.
    pub store: Arc<Store>,
    /// Set once the first configuration is loaded and its targets scheduled.
    pub ready: AtomicBool,
    /// Path of the metrics page.
    pub telemetry_path: String,
}

/// Serves `listener` until `shutdown` turns true, then lets requests in flight finish for up
/// to [`SHUTDOWN_GRACE`].
pub async fn serve(listener: TcpListener, site: Arc<Site>, mut shutdown: watch::Receiver<bool>) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: pause rather than spin.
                warn!(error = %error, "Accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            debug!(%peer, "Too many connections; closing this one");
            continue;
        };

        let site = site.clone();
        let service = service_fn(move |request| {
            let site = site.clone();
            async move { Ok::<_, std::convert::Infallible>(routes::route(&site, &request)) }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            match tokio::time::timeout(CONNECTION_LIFETIME, connection).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => debug!(%peer, error = %error, "Connection ended with an error"),
                Err(_) => debug!(%peer, "Connection closed at the end of its lifetime"),
            }
            drop(slot);
        });
    }

    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        info!("Requests still in flight at shutdown were cut off");
    }
}
