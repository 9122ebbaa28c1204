//! The exporter's configuration file (`--config.file`): what to scrape, how often, and how
//! far back the windowed gauges look.
//!
//! The file is YAML shaped after Prometheus' own scrape configs. Every mistake is reported
//! with its file, line and column, and unknown keys are refused with the closest known key.

pub mod error;
pub(crate) mod raw;
pub mod units;
pub(crate) mod validate;

use std::path::Path;
use std::time::Duration;

use meshward_signals::Dialect;

pub use error::{FileError, Problem};
pub use units::ByteSize;

use crate::target::Target;

/// A checked configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// How targets are scraped.
    pub scrape: ScrapeSettings,
    /// How far back ratio, quantile and spike gauges look.
    pub window: Duration,
    /// Targets listed in `static_configs`, in file order.
    pub static_targets: Vec<Target>,
    /// Sources of targets in `file_sd_configs`, in file order.
    pub file_sd: Vec<FileSdConfig>,
    /// How spikes are told from noise.
    pub spike: SpikeSettings,
}

/// The `spike` block: when a window's error ratio or p99 latency counts as a spike.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpikeSettings {
    /// A spike is active when the window is at least this many times the baseline.
    pub factor: f64,
    /// Past windows the baseline (their median) remembers.
    pub baseline_windows: u32,
    /// Past windows needed before any spike can be active.
    pub warm_up_windows: u32,
    /// Inbound requests a window needs to be judged or learned.
    pub min_requests: f64,
    /// The error-ratio baseline is never taken below this share.
    pub error_ratio_floor: f64,
    /// The latency baseline is never taken below this.
    pub latency_floor: Duration,
}

impl Default for SpikeSettings {
    fn default() -> Self {
        let derive = crate::derive::DeriveSettings::default();
        SpikeSettings {
            factor: derive.spike_factor,
            baseline_windows: derive.baseline_windows as u32,
            warm_up_windows: derive.warm_up_windows as u32,
            min_requests: derive.min_requests,
            error_ratio_floor: derive.error_ratio_floor,
            latency_floor: Duration::from_secs_f64(derive.latency_floor_seconds),
        }
    }
}

impl Config {
    /// The derivation settings of every target under this configuration.
    pub fn derive_settings(&self) -> crate::derive::DeriveSettings {
        crate::derive::DeriveSettings {
            window: self.window,
            baseline_windows: self.spike.baseline_windows as usize,
            warm_up_windows: self.spike.warm_up_windows as usize,
            spike_factor: self.spike.factor,
            min_requests: self.spike.min_requests,
            error_ratio_floor: self.spike.error_ratio_floor,
            latency_floor_seconds: self.spike.latency_floor.as_secs_f64(),
        }
    }
}

/// How every target is scraped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrapeSettings {
    /// Time between two scrapes of one target.
    pub interval: Duration,
    /// Limit on connecting to a target and reading its answer; at most `interval`.
    pub timeout: Duration,
    /// Largest body read from a target; a larger one fails the scrape.
    pub body_size_limit: ByteSize,
}

/// Settings that a static config or a file_sd config gives all its targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetDefaults {
    /// The mesh the targets speak; `None` detects it per target.
    pub dialect: Option<Dialect>,
    /// Path (and query) scraped; `None` picks the mesh's usual path.
    pub metrics_path: Option<String>,
    /// Stat prefixes of plain Envoy's inbound HTTP connection managers.
    pub inbound_prefixes: Vec<String>,
}

/// A `file_sd_configs` entry: files whose target groups are read and re-read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSdConfig {
    /// Glob patterns, made absolute against the config file's directory.
    pub patterns: Vec<String>,
    /// Settings of the targets found, unless a group's meta labels override them.
    pub defaults: TargetDefaults,
}

impl Config {
    /// Reads and checks the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| FileError::unreadable(path, &e))?;
        Config::parse(path, &text)
    }

    /// Checks `text` as the content of the config file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, FileError> {
        let raw: raw::RawConfig = if text.trim().is_empty() {
            raw::RawConfig::default()
        } else {
            raw::from_yaml(text).map_err(|p| FileError::new(path, text, vec![p]))?
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        validate::check_config(raw, &base).map_err(|problems| FileError::new(path, text, problems))
    }
}

impl TargetDefaults {
    /// The target at `address` with `labels`, under these settings.
    pub fn target(
        &self,
        address: String,
        labels: std::collections::BTreeMap<String, String>,
    ) -> Target {
        let metrics_path = self
            .metrics_path
            .clone()
            .unwrap_or_else(|| Target::default_metrics_path(self.dialect).to_owned());
        Target {
            address,
            metrics_path,
            labels,
            dialect: self.dialect,
            inbound_prefixes: self.inbound_prefixes.clone(),
        }
    }
}
