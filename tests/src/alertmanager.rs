//! A real Alertmanager (`prometheus-alertmanager` 0.2x) on a free loopback port, clustering
//! off, routing every alert to one webhook.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::daemon::{Daemon, Launch};
use crate::prometheus::string_map;
use crate::{free_addr, http};

/// How long Alertmanager may take to become ready.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// How alerts are grouped and how soon a group is notified.
#[derive(Clone, Debug)]
pub struct Routing {
    /// Labels that group alerts into one notification.
    pub group_by: Vec<String>,
    /// How long a new group waits for more alerts before its first notification.
    pub group_wait: Duration,
    /// How long a group waits before notifying about alerts added to it.
    pub group_interval: Duration,
    /// The webhook every group is posted to.
    pub webhook: String,
}

impl Routing {
    /// The `alertmanager.yml` text.
    pub fn to_yaml(&self) -> String {
        let group_by: Vec<String> = self
            .group_by
            .iter()
            .map(|l| Value::String(l.clone()).to_string())
            .collect();
        format!(
            "route:\n  receiver: webhook\n  group_by: [{}]\n  group_wait: {}ms\n  \
             group_interval: {}ms\n  repeat_interval: 1h\nreceivers:\n  - name: webhook\n    \
             webhook_configs:\n      - url: {}\n        send_resolved: true\n",
            group_by.join(", "),
            self.group_wait.as_millis(),
            self.group_interval.as_millis(),
            Value::String(self.webhook.clone()),
        )
    }
}

/// An alert as Alertmanager's `/api/v2/alerts` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Its annotations.
    pub annotations: BTreeMap<String, String>,
    /// `active`, `suppressed` or `unprocessed`.
    pub state: String,
}

/// A running Alertmanager, stopped when dropped.
#[derive(Debug)]
pub struct Alertmanager {
    daemon: Daemon,
}

impl Alertmanager {
    /// Writes `routing` to `dir/alertmanager.yml`, starts `binary` with its storage in
    /// `dir/alertmanager-data`, clustering disabled, and waits until `/-/ready` answers 200.
    pub fn start(binary: &Path, dir: &Path, routing: &Routing) -> io::Result<Alertmanager> {
        let file = dir.join("alertmanager.yml");
        std::fs::write(&file, routing.to_yaml())?;
        let storage = dir.join("alertmanager-data");
        std::fs::create_dir_all(&storage)?;
        let listen = free_addr();
        let launch = Launch {
            name: "alertmanager".to_owned(),
            binary: binary.to_owned(),
            args: vec![
                format!("--config.file={}", file.display()),
                format!("--storage.path={}", storage.display()),
                format!("--web.listen-address={listen}"),
                "--cluster.listen-address=".to_owned(),
                "--log.level=debug".to_owned(),
            ],
            listen,
            ready_path: "/-/ready".to_owned(),
            ready_timeout: READY_TIMEOUT,
        };
        Ok(Alertmanager {
            daemon: Daemon::start(launch, dir)?,
        })
    }

    /// Where it listens.
    pub fn listen(&self) -> SocketAddr {
        self.daemon.listen()
    }

    /// The last lines of its log, for failure messages.
    pub fn log_tail(&self) -> String {
        self.daemon.log_tail()
    }

    /// Every alert it holds.
    pub fn alerts(&self) -> io::Result<Vec<Alert>> {
        let response = http::get(
            self.listen(),
            "/api/v2/alerts",
            &[("Accept", "application/json")],
        )?;
        let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
        if response.status != 200 {
            return Err(invalid(format!(
                "/api/v2/alerts answered {}: {}",
                response.status, response.body
            )));
        }
        let body: Value = serde_json::from_str(&response.body)
            .map_err(|e| invalid(format!("/api/v2/alerts: {e}: {}", response.body)))?;
        let alerts = body
            .as_array()
            .ok_or_else(|| invalid(format!("/api/v2/alerts: not a list: {body}")))?;
        alerts
            .iter()
            .map(|alert| {
                Ok(Alert {
                    labels: string_map(&alert["labels"])?,
                    annotations: string_map(&alert["annotations"])?,
                    state: alert["status"]["state"].as_str().unwrap_or("").to_owned(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_sends_every_group_to_the_webhook() {
        let routing = Routing {
            group_by: vec!["alertname".into(), "service".into()],
            group_wait: Duration::from_millis(500),
            group_interval: Duration::from_secs(1),
            webhook: "http://127.0.0.1:1234/alerts".into(),
        };
        assert_eq!(
            routing.to_yaml(),
            concat!(
                "route:\n  receiver: webhook\n  group_by: [\"alertname\", \"service\"]\n",
                "  group_wait: 500ms\n  group_interval: 1000ms\n  repeat_interval: 1h\n",
                "receivers:\n  - name: webhook\n    webhook_configs:\n",
                "      - url: \"http://127.0.0.1:1234/alerts\"\n        send_resolved: true\n",
            )
        );
    }
}
