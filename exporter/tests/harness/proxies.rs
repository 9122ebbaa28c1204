//! Proxies for the exporter to scrape, served by in-test servers on loopback: a healthy one
//! serving a hand-built exposition in a documented proxy format, and ones that misbehave in
//! each way a real target can.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Frame;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// How a served proxy behaves.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Answers 200 with this exposition.
    Healthy(String),
    /// Sends the response head, then nothing for a minute.
    Stall,
    /// Streams this many bytes of valid-looking exposition, without a Content-Length.
    Oversized(usize),
    /// Answers with raw bytes that are not HTTP at all.
    Garbage(Vec<u8>),
    /// Answers 200 with an HTML page.
    Html,
    /// Answers with this status.
    Status(u16),
}

/// Serves proxies until dropped.
pub struct Proxies {
    runtime: tokio::runtime::Runtime,
}

impl Proxies {
    /// A runtime for proxy servers.
    pub fn new() -> Proxies {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the test proxies");
        Proxies { runtime }
    }

    /// Starts a proxy that behaves as `behaviour`; returns its address.
    pub fn start(&self, behaviour: Behaviour) -> SocketAddr {
        let listener = self
            .runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind a proxy port");
        let addr = listener.local_addr().expect("proxy address");
        let behaviour = Arc::new(behaviour);
        self.runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let behaviour = behaviour.clone();
                tokio::spawn(serve(stream, behaviour));
            }
        });
        addr
    }
}

async fn serve(mut stream: tokio::net::TcpStream, behaviour: Arc<Behaviour>) {
    if let Behaviour::Garbage(bytes) = &*behaviour {
        let _ = stream.write_all(bytes).await;
        let _ = stream.shutdown().await;
        return;
    }
    let service = service_fn(move |_request| {
        let behaviour = behaviour.clone();
        async move { Ok::<_, Infallible>(respond(&behaviour).await) }
    });
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

type Body = http_body_util::Either<Full<Bytes>, Chunks>;

async fn respond(behaviour: &Behaviour) -> Response<Body> {
    let full = |status: u16, content_type: &str, body: String| {
        Response::builder()
            .status(StatusCode::from_u16(status).expect("a valid status"))
            .header("content-type", content_type)
            .body(Body::Left(Full::new(Bytes::from(body))))
            .expect("a valid response")
    };
    let streamed = |chunks: Chunks| {
        Response::builder()
            .header("content-type", "text/plain; version=0.0.4")
            .body(Body::Right(chunks))
            .expect("a valid response")
    };
    match behaviour {
        Behaviour::Healthy(exposition) => full(
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            exposition.clone(),
        ),
        Behaviour::Html => full(
            200,
            "text/html",
            "<!DOCTYPE html>\n<html><body><h1>Welcome</h1>\n<p>Not metrics</p></body></html>\n"
                .to_owned(),
        ),
        Behaviour::Status(status) => full(*status, "text/plain", "no metrics here\n".to_owned()),
        Behaviour::Stall => streamed(Chunks::stalled()),
        Behaviour::Oversized(size) => streamed(Chunks::filler(*size)),
        Behaviour::Garbage(_) => unreachable!("garbage is written before HTTP"),
    }
}

/// A streamed body: filler lines up to a size, or one line and then a minute of silence.
pub struct Chunks {
    remaining: usize,
    stall: Option<Pin<Box<tokio::time::Sleep>>>,
    sent_first: bool,
}

impl Chunks {
    fn filler(size: usize) -> Chunks {
        Chunks {
            remaining: size,
            stall: None,
            sent_first: false,
        }
    }

    fn stalled() -> Chunks {
        let sleep = Box::pin(tokio::time::sleep(Duration::from_secs(60)));
        Chunks {
            remaining: 0,
            stall: Some(sleep),
            sent_first: false,
        }
    }
}

/// One line of filler, a valid Envoy sample.
const FILLER: &[u8] = b"envoy_server_uptime{envoy_filler=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"} 1\n";

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        if let Some(stall) = &mut this.stall {
            if !this.sent_first {
                this.sent_first = true;
                let line = Bytes::from_static(b"# TYPE envoy_server_uptime gauge\n");
                return Poll::Ready(Some(Ok(Frame::data(line))));
            }
            return stall.as_mut().poll(cx).map(|_| None);
        }

        let mut chunk = Vec::with_capacity(16 * 1024);
        while chunk.len() + FILLER.len() <= 16 * 1024 && this.remaining >= FILLER.len() {
            chunk.extend_from_slice(FILLER);
            this.remaining -= FILLER.len();
        }
        if chunk.is_empty() {
            return Poll::Ready(None);
        }
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
    }
}
