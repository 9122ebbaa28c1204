//! A webhook receiver: an HTTP server on loopback that records the JSON body of every `POST`,
//! as Alertmanager's webhook notifier sends them.
//!
//! Requests are read with a timeout and a size cap; a body that is not JSON is recorded as a
//! failure (and answered 400) rather than dropped, so a test can tell "nothing sent" from
//! "sent garbage".

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// How long a connection may stay silent.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head or body accepted.
const MAX_BYTES: usize = 4 * 1024 * 1024;

/// What the receiver got.
#[derive(Clone, Debug, Default)]
struct Received {
    posts: Vec<Value>,
    failures: Vec<String>,
}

/// A running receiver, stopped when dropped.
pub struct Webhook {
    addr: SocketAddr,
    received: Arc<Mutex<Received>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Webhook {
    /// Binds 127.0.0.1 on an ephemeral port and records until dropped.
    pub fn start() -> io::Result<Webhook> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let received = Arc::new(Mutex::new(Received::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, sink) = (Arc::clone(&stop), Arc::clone(&received));
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let sink = Arc::clone(&sink);
                        std::thread::spawn(move || serve(stream, &sink));
                    }
                    Err(_) => crate::pause(Duration::from_millis(5)),
                }
            }
        });
        Ok(Webhook {
            addr,
            received,
            stop,
            thread: Some(thread),
        })
    }

    /// The URL to configure: `http://127.0.0.1:<port>/alerts`.
    pub fn url(&self) -> String {
        format!("http://{}/alerts", self.addr)
    }

    /// Every JSON body posted so far, in arrival order.
    pub fn posts(&self) -> Vec<Value> {
        self.lock().posts.clone()
    }

    /// Requests that could not be read or were not JSON, each described.
    pub fn failures(&self) -> Vec<String> {
        self.lock().failures.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Received> {
        self.received
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers every request on one connection (the notifier keeps connections alive).
fn serve(stream: TcpStream, sink: &Mutex<Received>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(e) => {
                record(sink, |r| {
                    r.failures.push(format!("unreadable request: {e}"))
                });
                return;
            }
        };
        let status = match (
            request.method.as_str(),
            serde_json::from_slice(&request.body),
        ) {
            ("POST", Ok(json)) => {
                record(sink, |r| r.posts.push(json));
                "200 OK"
            }
            (method, parsed) => {
                let why = parsed.err().map_or(String::new(), |e| format!(": {e}"));
                let body = String::from_utf8_lossy(&request.body).into_owned();
                record(sink, |r| r.failures.push(format!("{method}{why}: {body}")));
                "400 Bad Request"
            }
        };
        let response = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn record(sink: &Mutex<Received>, update: impl FnOnce(&mut Received)) {
    update(&mut sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
}

struct Request {
    method: String,
    body: Vec<u8>,
}

/// Reads one request; `None` when the peer closed the connection between requests.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let method = line.split_whitespace().next().unwrap_or("").to_owned();
    let (mut length, mut chunked, mut head) = (0_usize, false, line.len());
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head += header.len();
        if head > MAX_BYTES {
            return Err(io::Error::other("request head too large"));
        }
        if header == "\r\n" || header == "\n" {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value
                .trim()
                .parse()
                .map_err(|_| io::Error::other(format!("bad content-length {value:?}")))?;
        } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let body = if chunked {
        read_chunked(reader)?
    } else {
        if length > MAX_BYTES {
            return Err(io::Error::other(format!(
                "body of {length} bytes too large"
            )));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    Ok(Some(Request { method, body }))
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = size.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| io::Error::other(format!("bad chunk size {size:?}")))?;
        if body.len() + size > MAX_BYTES {
            return Err(io::Error::other("chunked body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut end = String::new();
        reader.read_line(&mut end)?;
        if size == 0 {
            return Ok(body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_json_posts_and_reports_garbage() {
        let webhook = Webhook::start().unwrap();
        let addr = webhook.url()["http://".len()..]
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let mut stream = TcpStream::connect(&addr).unwrap();
        let json = r#"{"alerts":[{"labels":{"alertname":"A"}}]}"#;
        let chunked = "POST /alerts HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n\
                       3\r\n[1]\r\n0\r\n\r\n";
        let requests = format!(
            "POST /alerts HTTP/1.1\r\ncontent-length: {}\r\n\r\n{json}{chunked}\
             POST /alerts HTTP/1.1\r\ncontent-length: 3\r\n\r\nnot",
            json.len()
        );
        stream.write_all(requests.as_bytes()).unwrap();
        let mut answers = String::new();
        let mut reader = BufReader::new(stream);
        while answers.matches("HTTP/1.1").count() < 3 {
            reader.read_line(&mut answers).unwrap();
        }
        assert_eq!(answers.matches("200 OK").count(), 2, "{answers}");
        assert_eq!(answers.matches("400 Bad Request").count(), 1, "{answers}");
        assert_eq!(
            webhook.posts(),
            [
                serde_json::from_str::<Value>(json).unwrap(),
                Value::from(vec![1])
            ]
        );
        assert_eq!(webhook.failures().len(), 1);
        assert!(
            webhook.failures()[0].contains("POST"),
            "{:?}",
            webhook.failures()
        );
    }
}
