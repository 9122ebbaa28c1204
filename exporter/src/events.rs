//! Notable events: each is logged and counted in exactly one place, here.

use std::time::{Duration, SystemTime};

use meshward_signals::exported::{ReloadResult, ScrapeErrorReason};
use tracing::{debug, info, warn};

use crate::config::FileError;
use crate::scrape::process::Processed;
use crate::scrape::ScrapeError;
use crate::store::Store;
use crate::target::Target;

/// A scrape that got no usable body: `up` drops to 0 and the reason is counted.
pub fn scrape_failed(
    store: &Store,
    target: &Target,
    generation: u64,
    error: &ScrapeError,
    took: Duration,
) {
    let reason = error.reason();
    warn!(target = %target.url(), %reason, error = %error, "Scrape failed");
    store.update(&target.address, generation, |report| {
        report.up = Some(false);
        report.duration_seconds = Some(took.as_secs_f64());
        *report.errors.entry(reason).or_insert(0) += 1;
    });
}

/// A scrape that got a body; rejected lines and an unknown dialect are logged and counted.
pub fn scrape_done(
    store: &Store,
    target: &Target,
    generation: u64,
    processed: &Processed,
    derived: Option<crate::derive::Derived>,
    at: SystemTime,
    took: Duration,
) {
    let url = target.url();
    if let Some(first) = processed.rejected.first() {
        warn!(
            target = %url,
            rejected = processed.rejected.len(),
            first_line = first.line,
            first_column = first.column,
            first_error = %first.message,
            "Exposition lines rejected"
        );
    }
    let unknown = !processed.unreadable() && processed.dialect.is_none();
    if unknown {
        warn!(
            target = %url,
            samples = processed.samples,
            "Mesh not recognised in the exposition; set `mesh` for this target"
        );
    }
    let up = !processed.unreadable() && !unknown;
    debug!(target = %url, up, samples = processed.samples, took_ms = took.as_millis() as u64, "Scraped");

    store.update(&target.address, generation, |report| {
        report.up = Some(up);
        report.duration_seconds = Some(took.as_secs_f64());
        report.samples = Some(processed.samples as u64);
        let rejected = processed.rejected.len() as u64;
        *report.errors.entry(ScrapeErrorReason::Parse).or_insert(0) += rejected;
        if unknown {
            *report
                .errors
                .entry(ScrapeErrorReason::DialectUnknown)
                .or_insert(0) += 1;
        }
        if processed.dialect.is_some() {
            report.dialect = processed.dialect;
        }
        if let Some(derived) = derived {
            report.derived = Some(derived);
        }
        if up {
            report.last_success = Some(at);
        }
    });
}

/// A configuration was applied (at start-up or on reload).
pub fn config_applied(store: &Store, path: &str, targets: usize, reload: bool) {
    info!(config = %path, targets, reload, "Configuration loaded");
    if reload {
        store.status.reloads(ReloadResult::Success).inc();
    }
    store.status.last_reload_successful.set(1);
}

/// A reloaded configuration was rejected: the previous one keeps running.
pub fn config_rejected(store: &Store, error: &FileError) {
    warn!(error = %error.summary(), "Configuration rejected; the previous one keeps running");
    store.status.reloads(ReloadResult::Failure).inc();
    store.status.last_reload_successful.set(0);
}

/// A file_sd file could not be read or checked; its previous targets are kept.
pub fn sd_file_rejected(store: &Store, error: &FileError) {
    warn!(
        file = %error.path.display(),
        error = %error.summary(),
        "Target file rejected; its previous targets are kept"
    );
    store.status.sd_file_read_errors.inc();
}

/// A target listed twice: the first listing is kept.
pub fn duplicate_target(kept: &Target, dropped: &Target) {
    warn!(
        target = %dropped.address,
        kept = %kept.url(),
        dropped = %dropped.url(),
        "Target listed twice; the first listing is kept"
    );
}
