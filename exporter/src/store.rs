//! What the exporter knows about each target, shared by the scrape tasks (writers) and
//! `/metrics` (reader).
//!
//! Each target's entry carries a generation. A scrape task writes only to the entry of its own
//! generation, so a task that is being stopped can never bring back a removed target's series.

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, SystemTime};

use meshward_signals::exported::{ReloadResult, ScrapeErrorReason};
use meshward_signals::Dialect;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;

use crate::derive::Derived;
use crate::target::Target;

/// The outcome of the latest scrape of one target, and its running counts.
#[derive(Clone, Debug)]
pub struct Report {
    /// Whether the latest scrape gave a usable exposition; `None` before the first scrape.
    pub up: Option<bool>,
    /// Duration of the latest scrape, in seconds.
    pub duration_seconds: Option<f64>,
    /// Samples read in the latest scrape that got a body.
    pub samples: Option<u64>,
    /// Failures and rejected lines since the target appeared, by reason (every reason present).
    pub errors: BTreeMap<ScrapeErrorReason, u64>,
    /// The mesh in use: configured, or detected from the exposition.
    pub dialect: Option<Dialect>,
    /// The signals derived from the scrapes so far.
    pub derived: Option<Derived>,
    /// When the latest usable exposition was read.
    pub last_success: Option<SystemTime>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            up: None,
            duration_seconds: None,
            samples: None,
            errors: ScrapeErrorReason::ALL
                .iter()
                .map(|reason| (*reason, 0))
                .collect(),
            dialect: None,
            derived: None,
            last_success: None,
        }
    }
}

/// One scheduled target and what is known about it.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The target as configured.
    pub target: Target,
    /// Which scrape task owns this entry.
    pub generation: u64,
    /// What the window gauges of this target look back over.
    pub window: Duration,
    /// What its scrapes found.
    pub report: Report,
}

/// Counters about the exporter itself rather than a target.
#[derive(Debug, Default)]
pub struct Status {
    /// Configuration reloads, by result.
    pub reloads: [Counter; 2],
    /// 1 when the last reload (or the start-up load) succeeded.
    pub last_reload_successful: Gauge,
    /// file_sd files that failed to read or check.
    pub sd_file_read_errors: Counter,
}

impl Status {
    /// The reload counter of `result`.
    pub fn reloads(&self, result: ReloadResult) -> &Counter {
        match result {
            ReloadResult::Success => &self.reloads[0],
            ReloadResult::Failure => &self.reloads[1],
        }
    }
}

/// Every target's entry, by address, and the exporter's own status.
#[derive(Debug, Default)]
pub struct Store {
    entries: RwLock<BTreeMap<String, Entry>>,
    /// The exporter's own counters.
    pub status: Status,
}

impl Store {
    /// Read access to all entries, in address order.
    pub fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, Entry>> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Entry>> {
        self.entries.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a fresh entry for `target` under `generation`, replacing any older one.
    pub fn insert(&self, target: Target, generation: u64, window: Duration) {
        let report = Report::default();
        let entry = Entry {
            target: target.clone(),
            generation,
            window,
            report,
        };
        self.write().insert(target.address, entry);
    }

    /// Removes the entry of `address`: its series disappear from `/metrics`.
    pub fn remove(&self, address: &str) {
        self.write().remove(address);
    }

    /// Updates the report of `address` if the entry still belongs to `generation`.
    pub fn update(&self, address: &str, generation: u64, change: impl FnOnce(&mut Report)) {
        let mut entries = self.write();
        if let Some(entry) = entries.get_mut(address) {
            if entry.generation == generation {
                change(&mut entry.report);
            }
        }
    }

    /// The targets currently scheduled, in address order.
    pub fn targets(&self) -> Vec<Target> {
        self.read()
            .values()
            .map(|entry| entry.target.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(address: &str) -> Target {
        Target {
            address: address.into(),
            metrics_path: "/stats/prometheus".into(),
            labels: BTreeMap::new(),
            dialect: None,
            inbound_prefixes: vec!["inbound".into()],
        }
    }

    #[test]
    fn a_stopped_generation_cannot_write() {
        let store = Store::default();
        store.insert(target("a:1"), 1, Duration::from_secs(300));
        store.insert(target("a:1"), 2, Duration::from_secs(300));
        store.update("a:1", 1, |report| report.up = Some(true));
        assert_eq!(store.read()["a:1"].report.up, None);
        store.update("a:1", 2, |report| report.up = Some(true));
        assert_eq!(store.read()["a:1"].report.up, Some(true));
    }

    #[test]
    fn a_removed_target_stays_removed() {
        let store = Store::default();
        store.insert(target("a:1"), 1, Duration::from_secs(300));
        store.remove("a:1");
        store.update("a:1", 1, |report| report.up = Some(true));
        assert!(store.read().is_empty());
    }

    #[test]
    fn every_error_reason_starts_at_zero() {
        let report = Report::default();
        assert_eq!(report.errors.len(), ScrapeErrorReason::ALL.len());
        assert!(report.errors.values().all(|count| *count == 0));
    }
}
