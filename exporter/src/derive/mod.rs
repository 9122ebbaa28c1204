//! From one proxy's exposition to meshward's security signals.
//!
//! Two steps, so that what a proxy says and what meshward remembers stay apart:
//!
//! 1. [`observe`] reads one scrape in the target's [`Dialect`] (see [`detect_dialect`]) and
//!    returns an [`Observation`]: the proxy's cumulative counters and gauges, each already
//!    labelled in meshward's terms (direction, TLS mode, status class, failure reason), each
//!    still tied to the proxy series it came from. How each dialect is read is documented in
//!    its module: [`envoy`](self::envoy) (including how mutual TLS is decided per HTTP
//!    connection manager), [`istio`](self::istio), [`linkerd`](self::linkerd), and
//!    [`certificates`](self::certificates) for certificate naming.
//! 2. A target's [`TargetState`] [`record`](TargetState::record)s observations over time and
//!    [`derived`](TargetState::derived) turns them into the served signals: reset-corrected
//!    totals, ratios and latency quantiles over the window, spike states, certificate expiry.
//!    Resets and windows are documented in [`state`](self::state), spikes in
//!    [`spike`](self::spike).
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use meshward_exporter::derive::{observe, DeriveSettings, TargetSettings, TargetState};
//! use meshward_exposition::{parse, Format};
//! use meshward_signals::exported::{Direction, Tls};
//! use meshward_signals::Dialect;
//!
//! let mut state = TargetState::new(DeriveSettings::default());
//! let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! for (seconds, count) in [(0, 10), (15, 25)] {
//!     let body = format!(
//!         "response_total{{direction=\"inbound\",tls=\"true\",status_code=\"200\"}} {count}\n"
//!     );
//!     let observation =
//!         observe(Dialect::Linkerd, &parse(&body, Format::Text), &TargetSettings::default());
//!     state.record(start + Duration::from_secs(seconds), observation);
//! }
//! let derived = state.derived();
//! assert_eq!(derived.requests_total[&(Direction::Inbound, Tls::Mutual, "2xx".into())], 25.0);
//! assert_eq!(derived.mtls_ratio[&Direction::Inbound], 1.0);
//! assert_eq!(derived.error_ratio, Some(0.0));
//! ```

pub mod certificates;
pub mod envoy;
pub mod istio;
pub mod linkerd;
pub mod spike;
pub mod state;

mod detect;
mod histogram;
mod observation;
mod series;
#[cfg(test)]
mod tests;

use meshward_exposition::Exposition;
use meshward_signals::Dialect;

pub use detect::detect_dialect;
pub use observation::Observation;
pub use spike::SpikeState;
pub use state::{DeriveSettings, Derived, TargetState};

/// The inbound stat prefix assumed when a target configures none.
pub const DEFAULT_INBOUND_PREFIX: &str = "inbound";

/// How one target's expositions are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSettings {
    /// The target's dialect; `None` to detect it from each scrape.
    pub dialect: Option<Dialect>,
    /// Plain Envoy: stat prefixes of the HTTP connection managers that carry inbound traffic
    /// (a manager whose prefix starts with one of them is inbound). Default `["inbound"]`.
    pub inbound_prefixes: Vec<String>,
}

impl Default for TargetSettings {
    fn default() -> Self {
        TargetSettings {
            dialect: None,
            inbound_prefixes: vec![DEFAULT_INBOUND_PREFIX.to_owned()],
        }
    }
}

/// Reads one scrape of a proxy that speaks `dialect`.
///
/// Never fails: series a dialect does not know are ignored, and a malformed value (NaN, a
/// negative count) is skipped. The parse errors of the exposition are the caller's to count.
pub fn observe(
    dialect: Dialect,
    exposition: &Exposition<'_>,
    settings: &TargetSettings,
) -> Observation {
    let observation = match dialect {
        Dialect::Envoy => envoy::observe(exposition, settings),
        Dialect::Istio => istio::observe(exposition),
        Dialect::Linkerd => linkerd::observe(exposition),
    };
    tracing::debug!(
        %dialect,
        samples = exposition.samples.len(),
        understood = observation.len(),
        "observed a scrape"
    );
    observation
}
