//! Command-line flags, named as Prometheus exporters name theirs.

use std::net::{Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Parser, ValueEnum};

/// The default port. Prometheus' registry of exporter ports (9100-9999) is full, so no
/// default can be guaranteed free; 9842 sits in that range's spirit and is overridable.
pub const DEFAULT_PORT: u16 = 9842;

/// meshward-exporter: derives service-mesh security signals from Envoy, Istio and Linkerd
/// proxies and serves them to Prometheus.
#[derive(Clone, Debug, Parser)]
#[command(name = "meshward-exporter", version, about, long_about = None)]
pub struct Flags {
    /// Configuration file (YAML): targets, scrape interval and timeout, window, body limit.
    #[arg(
        long = "config.file",
        value_name = "FILE",
        default_value = "meshward-exporter.yml"
    )]
    pub config_file: PathBuf,

    /// Address to serve /metrics on: `host:port`, `:port` (all interfaces) or `[v6]:port`.
    #[arg(
        long = "web.listen-address",
        value_name = "ADDRESS",
        default_value = ":9842"
    )]
    pub listen_address: ListenAddress,

    /// Path under which the metrics are served.
    #[arg(
        long = "web.telemetry-path",
        value_name = "PATH",
        default_value = "/metrics",
        value_parser = telemetry_path
    )]
    pub telemetry_path: String,

    /// Only log messages at this level or more severe.
    #[arg(long = "log.level", value_name = "LEVEL", value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,

    /// Format of log lines on standard error.
    #[arg(long = "log.format", value_name = "FORMAT", value_enum, default_value_t = LogFormat::Logfmt)]
    pub log_format: LogFormat,
}

/// How severe a log message must be to be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    /// Only what stops the exporter from working.
    Error,
    /// Also failed targets and rejected inputs.
    Warn,
    /// Also start-up, configuration and listen address.
    Info,
    /// Also every scrape's decisions.
    Debug,
    /// Also per-sample detail.
    Trace,
}

/// The shape of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// `ts=... level=info msg="..." key=value`.
    Logfmt,
    /// One JSON object per line.
    Json,
}

/// A listen address; `:9842` means every interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListenAddress(pub SocketAddr);

impl FromStr for ListenAddress {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(port) = text.strip_prefix(':') {
            let port: u16 = port
                .parse()
                .map_err(|_| format!("invalid port in {text:?}"))?;
            return Ok(ListenAddress(SocketAddr::from((
                Ipv6Addr::UNSPECIFIED,
                port,
            ))));
        }
        text.parse::<SocketAddr>()
            .map(ListenAddress)
            .map_err(|_| format!("{text:?} is not host:port (e.g. 127.0.0.1:9842 or :9842)"))
    }
}

fn telemetry_path(text: &str) -> Result<String, String> {
    let reserved = ["/", "/-/healthy", "/-/ready"];
    if !text.starts_with('/') || text.contains(['?', '#', ' ']) {
        return Err(format!("{text:?} is not an absolute path such as /metrics"));
    }
    if reserved.contains(&text) {
        return Err(format!(
            "{text:?} is taken by the landing page or the health checks"
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_read_like_prometheus_flags() {
        let any = "[::]:9842".parse::<SocketAddr>().unwrap();
        assert_eq!(":9842".parse(), Ok(ListenAddress(any)));
        let local = "127.0.0.1:1234".parse::<SocketAddr>().unwrap();
        assert_eq!("127.0.0.1:1234".parse(), Ok(ListenAddress(local)));
        assert!("localhost".parse::<ListenAddress>().is_err());
        assert!(":http".parse::<ListenAddress>().is_err());
    }

    #[test]
    fn defaults_follow_exporter_conventions() {
        let flags = Flags::try_parse_from(["meshward-exporter"]).unwrap();
        assert_eq!(flags.listen_address.0.port(), DEFAULT_PORT);
        assert_eq!(flags.telemetry_path, "/metrics");
        assert_eq!(flags.log_level, LogLevel::Info);
        assert_eq!(flags.log_format, LogFormat::Logfmt);
    }

    #[test]
    fn telemetry_path_must_not_shadow_other_pages() {
        assert!(telemetry_path("/-/ready").is_err());
        assert!(telemetry_path("metrics").is_err());
        assert_eq!(telemetry_path("/stats"), Ok("/stats".to_owned()));
    }

    #[test]
    fn flags_use_dotted_names() {
        let flags = Flags::try_parse_from([
            "meshward-exporter",
            "--config.file=c.yaml",
            "--web.listen-address=127.0.0.1:1",
            "--log.level=debug",
            "--log.format=json",
        ])
        .unwrap();
        assert_eq!(flags.config_file, PathBuf::from("c.yaml"));
        assert_eq!(flags.log_level, LogLevel::Debug);
        assert_eq!(flags.log_format, LogFormat::Json);
    }
}
