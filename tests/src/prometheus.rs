//! A real Prometheus server (`prometheus` 2.x) on a free loopback port, and the parts of its
//! HTTP API that tests read: instant and range queries, label values, rules, alerts and
//! targets.
//!
//! ```no_run
//! use std::time::Duration;
//! use meshward_e2e::prometheus::{Config, Prometheus};
//!
//! let Some(binary) = meshward_e2e::require("prometheus") else { return };
//! let dir = std::env::temp_dir();
//! let config = Config {
//!     interval: Duration::from_secs(1),
//!     scrape_targets: vec![("exporter".into(), "127.0.0.1:9842".parse().unwrap())],
//!     rule_files: Vec::new(),
//!     alertmanagers: Vec::new(),
//! };
//! let prometheus = Prometheus::start(&binary, &dir, &config).unwrap();
//! let up = prometheus.query("up").unwrap();
//! ```

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::daemon::{Daemon, Launch};
use crate::{free_addr, http};

/// How long Prometheus may take to become ready (it replays its write-ahead log first).
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server is configured with.
#[derive(Clone, Debug)]
pub struct Config {
    /// Scrape and rule-evaluation interval (also the scrape timeout).
    pub interval: Duration,
    /// Scrape jobs: job name and the one target it scrapes (`/metrics` over HTTP).
    pub scrape_targets: Vec<(String, SocketAddr)>,
    /// Rule files to load.
    pub rule_files: Vec<PathBuf>,
    /// Alertmanagers to send alerts to.
    pub alertmanagers: Vec<SocketAddr>,
}

impl Config {
    /// The `prometheus.yml` text.
    pub fn to_yaml(&self) -> String {
        let interval = format!("{}ms", self.interval.as_millis());
        let mut yaml = format!(
            "global:\n  scrape_interval: {interval}\n  scrape_timeout: {interval}\n  \
             evaluation_interval: {interval}\n"
        );
        if !self.rule_files.is_empty() {
            yaml.push_str("rule_files:\n");
            for file in &self.rule_files {
                yaml.push_str(&format!("  - {}\n", quoted(&file.display().to_string())));
            }
        }
        if !self.alertmanagers.is_empty() {
            yaml.push_str("alerting:\n  alertmanagers:\n    - api_version: v2\n");
            yaml.push_str("      static_configs:\n        - targets:\n");
            for addr in &self.alertmanagers {
                yaml.push_str(&format!("            - {}\n", quoted(&addr.to_string())));
            }
        }
        yaml.push_str("scrape_configs:\n");
        for (job, addr) in &self.scrape_targets {
            yaml.push_str(&format!(
                "  - job_name: {}\n    static_configs:\n      - targets: [{}]\n",
                quoted(job),
                quoted(&addr.to_string())
            ));
        }
        yaml
    }
}

/// A YAML double-quoted string.
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// One element of an instant vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Its labels, `__name__` included when the series has a name.
    pub labels: BTreeMap<String, String>,
    /// Evaluation time, Unix seconds.
    pub timestamp: f64,
    /// The value.
    pub value: f64,
}

/// One series of a range query (a matrix).
#[derive(Clone, Debug, PartialEq)]
pub struct RangeSeries {
    /// Its labels, `__name__` included when the series has a name.
    pub labels: BTreeMap<String, String>,
    /// Its points: evaluation time (Unix seconds) and value, oldest first.
    pub points: Vec<(f64, f64)>,
}

/// An alert as `/api/v1/alerts` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Its labels, `alertname` included.
    pub labels: BTreeMap<String, String>,
    /// Its annotations, templates expanded.
    pub annotations: BTreeMap<String, String>,
    /// `pending` or `firing`.
    pub state: String,
    /// When the condition started to hold (RFC 3339).
    pub active_at: String,
    /// The expression's value at the latest evaluation, exactly as Prometheus wrote it.
    pub value_text: String,
    /// The same, parsed.
    pub value: f64,
}

impl Alert {
    /// The `alertname` label.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("", String::as_str)
    }
}

/// A rule's evaluation state from `/api/v1/rules`.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleHealth {
    /// The group's name.
    pub group: String,
    /// The record or alert name.
    pub name: String,
    /// `recording` or `alerting`.
    pub kind: String,
    /// `ok`, `err` or `unknown` (not evaluated yet).
    pub health: String,
    /// The last evaluation error, empty when none.
    pub last_error: String,
}

/// A running Prometheus, stopped when dropped.
#[derive(Debug)]
pub struct Prometheus {
    daemon: Daemon,
}

impl Prometheus {
    /// Writes `config` to `dir/prometheus.yml`, starts `binary` with its storage in
    /// `dir/prometheus-data` on a free loopback port, and waits until `/-/ready` answers 200.
    pub fn start(binary: &Path, dir: &Path, config: &Config) -> io::Result<Prometheus> {
        let file = dir.join("prometheus.yml");
        std::fs::write(&file, config.to_yaml())?;
        let storage = dir.join("prometheus-data");
        let listen = free_addr();
        let launch = Launch {
            name: "prometheus".to_owned(),
            binary: binary.to_owned(),
            args: vec![
                format!("--config.file={}", file.display()),
                format!("--storage.tsdb.path={}", storage.display()),
                format!("--web.listen-address={listen}"),
                "--log.level=debug".to_owned(),
            ],
            listen,
            ready_path: "/-/ready".to_owned(),
            ready_timeout: READY_TIMEOUT,
        };
        Ok(Prometheus {
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

    /// Evaluates `expr` now; an instant vector's samples (a scalar comes back as one sample
    /// without labels).
    pub fn query(&self, expr: &str) -> io::Result<Vec<Sample>> {
        let data = self.api(&format!("/api/v1/query?query={}", percent_encode(expr)))?;
        let result = &data["result"];
        match data["resultType"].as_str() {
            Some("vector") => array(result, "result")?.iter().map(sample).collect(),
            Some("scalar") => Ok(vec![Sample {
                labels: BTreeMap::new(),
                timestamp: number(&result[0])?,
                value: number(&result[1])?,
            }]),
            other => Err(invalid(format!("query {expr:?} gave a {other:?} result"))),
        }
    }

    /// Evaluates `expr` at every `step` from `start` to `end` (Unix seconds), as a graph panel
    /// asks; the series that have points in that range.
    pub fn query_range(
        &self,
        expr: &str,
        start: f64,
        end: f64,
        step: Duration,
    ) -> io::Result<Vec<RangeSeries>> {
        let path = format!(
            "/api/v1/query_range?query={}&start={start:.3}&end={end:.3}&step={}",
            percent_encode(expr),
            step.as_secs_f64()
        );
        let data = self.api(&path)?;
        match data["resultType"].as_str() {
            Some("matrix") => array(&data["result"], "result")?
                .iter()
                .map(range_series)
                .collect(),
            other => Err(invalid(format!(
                "range query {expr:?} gave a {other:?} result"
            ))),
        }
    }

    /// The values of `label` on the series `selector` matches since `start` (Unix seconds),
    /// sorted: what Grafana asks for a `label_values(selector, label)` template variable.
    pub fn label_values(&self, label: &str, selector: &str, start: f64) -> io::Result<Vec<String>> {
        let path = format!(
            "/api/v1/label/{}/values?match[]={}&start={start:.3}",
            percent_encode(label),
            percent_encode(selector)
        );
        let data = self.api(&path)?;
        let mut values = array(&data, "data")?
            .iter()
            .map(text)
            .collect::<io::Result<Vec<String>>>()?;
        values.sort();
        Ok(values)
    }

    /// Every pending and firing alert.
    pub fn alerts(&self) -> io::Result<Vec<Alert>> {
        let data = self.api("/api/v1/alerts")?;
        array(&data["alerts"], "alerts")?
            .iter()
            .map(|alert| {
                let value_text = text(&alert["value"])?;
                Ok(Alert {
                    labels: string_map(&alert["labels"])?,
                    annotations: string_map(&alert["annotations"])?,
                    state: text(&alert["state"])?,
                    active_at: text(&alert["activeAt"])?,
                    value: parse_value(&value_text)?,
                    value_text,
                })
            })
            .collect()
    }

    /// Every loaded rule and how its latest evaluation went.
    pub fn rules(&self) -> io::Result<Vec<RuleHealth>> {
        let data = self.api("/api/v1/rules")?;
        let mut rules = Vec::new();
        for group in array(&data["groups"], "groups")? {
            for rule in array(&group["rules"], "rules")? {
                rules.push(RuleHealth {
                    group: text(&group["name"])?,
                    name: text(&rule["name"])?,
                    kind: text(&rule["type"])?,
                    health: text(&rule["health"])?,
                    last_error: rule["lastError"].as_str().unwrap_or("").to_owned(),
                });
            }
        }
        Ok(rules)
    }

    /// Health (`up`, `down`, `unknown`) and last error of every active scrape target, by
    /// scrape URL.
    pub fn targets(&self) -> io::Result<BTreeMap<String, (String, String)>> {
        let data = self.api("/api/v1/targets?state=active")?;
        array(&data["activeTargets"], "activeTargets")?
            .iter()
            .map(|target| {
                let health = text(&target["health"])?;
                let error = target["lastError"].as_str().unwrap_or("").to_owned();
                Ok((text(&target["scrapeUrl"])?, (health, error)))
            })
            .collect()
    }

    /// GETs an API path and returns the `data` of a `success` answer.
    fn api(&self, path: &str) -> io::Result<Value> {
        let response = http::get(self.listen(), path, &[("Accept", "application/json")])?;
        let mut body: Value = serde_json::from_str(&response.body).map_err(|e| {
            invalid(format!(
                "{path}: answer {} is not JSON ({e}): {}",
                response.status, response.body
            ))
        })?;
        if response.status != 200 || body["status"] != "success" {
            return Err(invalid(format!(
                "{path}: answered {}: {}",
                response.status, response.body
            )));
        }
        Ok(body["data"].take())
    }
}

/// `text` with every byte outside the URL-unreserved set percent-encoded, for a query string.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A sample value as Prometheus writes it (`"0.8"`, `"NaN"`, `"+Inf"`, `"1e-05"`).
pub fn parse_value(text: &str) -> io::Result<f64> {
    text.parse()
        .map_err(|_| invalid(format!("{text:?} is not a sample value")))
}

fn sample(value: &Value) -> io::Result<Sample> {
    Ok(Sample {
        labels: string_map(&value["metric"])?,
        timestamp: number(&value["value"][0])?,
        value: parse_value(&text(&value["value"][1])?)?,
    })
}

fn range_series(value: &Value) -> io::Result<RangeSeries> {
    let points = array(&value["values"], "values")?
        .iter()
        .map(|point| Ok((number(&point[0])?, parse_value(&text(&point[1])?)?)))
        .collect::<io::Result<Vec<(f64, f64)>>>()?;
    Ok(RangeSeries {
        labels: string_map(&value["metric"])?,
        points,
    })
}

fn number(value: &Value) -> io::Result<f64> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| invalid(format!("{n} as f64"))),
        Value::String(s) => parse_value(s),
        other => Err(invalid(format!("expected a number, got {other}"))),
    }
}

fn text(value: &Value) -> io::Result<String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| invalid(format!("expected a string, got {value}")))
}

fn array<'a>(value: &'a Value, what: &str) -> io::Result<&'a Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| invalid(format!("expected `{what}` to be a list, got {value}")))
}

/// A JSON object of strings (labels, annotations); absent counts as empty.
pub fn string_map(value: &Value) -> io::Result<BTreeMap<String, String>> {
    if value.is_null() {
        return Ok(BTreeMap::new());
    }
    value
        .as_object()
        .ok_or_else(|| invalid(format!("expected an object, got {value}")))?
        .iter()
        .map(|(k, v)| Ok((k.clone(), text(v)?)))
        .collect()
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_encoded() {
        assert_eq!(
            percent_encode(r#"sum(up{job="a b"}) > 0"#),
            "sum%28up%7Bjob%3D%22a%20b%22%7D%29%20%3E%200"
        );
    }

    #[test]
    fn config_lists_rules_alertmanagers_and_targets() {
        let config = Config {
            interval: Duration::from_secs(1),
            scrape_targets: vec![("exporter".into(), "127.0.0.1:9842".parse().unwrap())],
            rule_files: vec![PathBuf::from("/tmp/rules/a.yaml")],
            alertmanagers: vec!["127.0.0.1:9093".parse().unwrap()],
        };
        assert_eq!(
            config.to_yaml(),
            concat!(
                "global:\n  scrape_interval: 1000ms\n  scrape_timeout: 1000ms\n",
                "  evaluation_interval: 1000ms\n",
                "rule_files:\n  - \"/tmp/rules/a.yaml\"\n",
                "alerting:\n  alertmanagers:\n    - api_version: v2\n",
                "      static_configs:\n        - targets:\n",
                "            - \"127.0.0.1:9093\"\n",
                "scrape_configs:\n  - job_name: \"exporter\"\n    static_configs:\n",
                "      - targets: [\"127.0.0.1:9842\"]\n",
            )
        );
    }

    #[test]
    fn range_series_parse_as_prometheus_writes_them() {
        let value = serde_json::json!({
            "metric": {"__name__": "up", "job": "mesh"},
            "values": [[1700000000, "1"], [1700000001.5, "NaN"]],
        });
        let series = range_series(&value).unwrap();
        assert_eq!(series.labels["job"], "mesh");
        assert_eq!(series.points.len(), 2);
        assert_eq!(series.points[0], (1_700_000_000.0, 1.0));
        assert_eq!(series.points[1].0, 1_700_000_001.5);
        assert!(series.points[1].1.is_nan());
        assert!(range_series(&serde_json::json!({"metric": {}, "values": "x"})).is_err());
    }

    #[test]
    fn sample_values_parse_as_prometheus_writes_them() {
        assert_eq!(parse_value("0.8").unwrap(), 0.8);
        assert_eq!(parse_value("1.6666666666666666e-02").unwrap(), 1.0 / 60.0);
        assert_eq!(parse_value("+Inf").unwrap(), f64::INFINITY);
        assert!(parse_value("NaN").unwrap().is_nan());
        assert!(parse_value("ok").is_err());
    }
}
