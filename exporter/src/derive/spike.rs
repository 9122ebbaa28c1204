//! Spike detection: how far the current window stands from a baseline learned from past windows.
//!
//! For each [`SpikeSignal`] (the inbound 5xx ratio, the inbound p99 latency):
//!
//! - **Baseline.** Once per elapsed `window` (never more often), the current window's value is
//!   appended to that signal's history if the window carried at least `min_requests` inbound
//!   requests; idle windows add nothing. The history keeps the last `baseline_windows` values and
//!   the baseline is their **median**, so a few abnormal windows cannot move it.
//! - **Score.** `current / max(baseline, floor)`, where the floor (`error_ratio_floor`,
//!   `latency_floor_seconds`) stops a near-zero baseline from turning noise into huge scores.
//!   The score is computed before the current window enters the history, so a window is never
//!   compared with itself.
//! - **Guards.** The score is 0 while the baseline holds fewer than `warm_up_windows` values
//!   (a fresh start or a restarted exporter) or while the current window has fewer than
//!   `min_requests` inbound requests (an idle service): neither can spike.
//! - **Active** when the score is at least `spike_factor`.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime};

use meshward_signals::exported::SpikeSignal;

use super::DeriveSettings;

/// How far a signal's current window stands from its baseline.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpikeState {
    /// Current value over the baseline (floored); 0 while a guard holds.
    pub score: f64,
    /// Whether `score` is at least the configured factor.
    pub active: bool,
}

/// The current window's figures a spike is judged on.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WindowFigures {
    /// Inbound requests in the window.
    pub(crate) inbound_requests: f64,
    /// Inbound 5xx share in the window.
    pub(crate) error_ratio: Option<f64>,
    /// Inbound p99 latency in the window, in seconds.
    pub(crate) latency_p99: Option<f64>,
}

impl WindowFigures {
    fn value(&self, signal: SpikeSignal) -> Option<f64> {
        match signal {
            SpikeSignal::Errors => self.error_ratio,
            SpikeSignal::Latency => self.latency_p99,
        }
    }
}

/// Baselines and current spike states of one target.
#[derive(Clone, Debug, Default)]
pub(crate) struct SpikeDetector {
    history: BTreeMap<SpikeSignal, VecDeque<f64>>,
    first_at: Option<SystemTime>,
    last_sample_at: Option<SystemTime>,
    states: BTreeMap<SpikeSignal, SpikeState>,
}

impl SpikeDetector {
    /// Judges the window ending at `at`, then learns from it when a window has elapsed.
    pub(crate) fn update(&mut self, at: SystemTime, figures: WindowFigures, s: &DeriveSettings) {
        let first_at = *self.first_at.get_or_insert(at);
        let enough_traffic = figures.inbound_requests >= s.min_requests.max(1.0);

        for &signal in SpikeSignal::ALL {
            let history = self.history.entry(signal).or_default();
            let warmed_up = history.len() >= s.warm_up_windows.max(1);
            let score = match (figures.value(signal), enough_traffic && warmed_up) {
                (Some(current), true) => {
                    let floor = match signal {
                        SpikeSignal::Errors => s.error_ratio_floor,
                        SpikeSignal::Latency => s.latency_floor_seconds,
                    };
                    let baseline = median(history).unwrap_or(0.0).max(floor);
                    if baseline > 0.0 {
                        current / baseline
                    } else {
                        0.0
                    }
                }
                _ => 0.0,
            };
            let active = score >= s.spike_factor;
            self.states.insert(signal, SpikeState { score, active });
        }

        let anchor = self.last_sample_at.unwrap_or(first_at);
        if elapsed(anchor, at) >= s.window {
            self.last_sample_at = Some(at);
            if enough_traffic {
                for &signal in SpikeSignal::ALL {
                    let Some(value) = figures.value(signal) else {
                        continue;
                    };
                    let history = self.history.entry(signal).or_default();
                    history.push_back(value);
                    while history.len() > s.baseline_windows.max(1) {
                        history.pop_front();
                    }
                }
            }
        }
    }

    /// The state of every signal after the last update.
    pub(crate) fn states(&self) -> BTreeMap<SpikeSignal, SpikeState> {
        self.states.clone()
    }
}

fn elapsed(from: SystemTime, to: SystemTime) -> Duration {
    to.duration_since(from).unwrap_or_default()
}

fn median(values: &VecDeque<f64>) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> DeriveSettings {
        DeriveSettings {
            window: Duration::from_secs(60),
            baseline_windows: 5,
            warm_up_windows: 3,
            spike_factor: 3.0,
            min_requests: 10.0,
            error_ratio_floor: 0.01,
            latency_floor_seconds: 0.005,
        }
    }

    fn figures(requests: f64, errors: f64, p99: f64) -> WindowFigures {
        WindowFigures {
            inbound_requests: requests,
            error_ratio: Some(errors),
            latency_p99: Some(p99),
        }
    }

    fn minute(n: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + 60 * n)
    }

    #[test]
    fn no_spike_during_warm_up() {
        let s = settings();
        let mut detector = SpikeDetector::default();
        detector.update(minute(0), figures(100.0, 0.0, 0.01), &s);
        detector.update(minute(1), figures(100.0, 0.9, 5.0), &s);
        let states = detector.states();
        assert_eq!(
            states[&SpikeSignal::Errors],
            SpikeState {
                score: 0.0,
                active: false
            }
        );
        assert_eq!(
            states[&SpikeSignal::Latency],
            SpikeState {
                score: 0.0,
                active: false
            }
        );
    }

    #[test]
    fn spike_after_warm_up_against_the_median() {
        let s = settings();
        let mut detector = SpikeDetector::default();
        // Minutes 1..=3 each add one baseline value: errors 2 %, p99 20 ms.
        for n in 0..=3 {
            detector.update(minute(n), figures(100.0, 0.02, 0.02), &s);
        }
        assert_eq!(detector.history[&SpikeSignal::Errors].len(), 3);

        detector.update(minute(4), figures(100.0, 0.10, 0.02), &s);
        let states = detector.states();
        assert_eq!(states[&SpikeSignal::Errors].score, 0.10 / 0.02);
        assert!(states[&SpikeSignal::Errors].active);
        assert_eq!(states[&SpikeSignal::Latency].score, 1.0);
        assert!(!states[&SpikeSignal::Latency].active);
    }

    #[test]
    fn floor_keeps_a_clean_baseline_from_amplifying_noise() {
        let s = settings();
        let mut detector = SpikeDetector::default();
        for n in 0..=3 {
            detector.update(minute(n), figures(100.0, 0.0, 0.001), &s);
        }
        detector.update(minute(4), figures(100.0, 0.02, 0.002), &s);
        let states = detector.states();
        assert_eq!(
            states[&SpikeSignal::Errors].score,
            2.0,
            "0.02 over the 0.01 floor"
        );
        assert!(!states[&SpikeSignal::Errors].active);
        assert_eq!(states[&SpikeSignal::Latency].score, 0.002 / 0.005);
    }

    #[test]
    fn idle_service_never_spikes_nor_learns() {
        let s = settings();
        let mut detector = SpikeDetector::default();
        for n in 0..=3 {
            detector.update(minute(n), figures(100.0, 0.0, 0.01), &s);
        }
        detector.update(minute(4), figures(3.0, 1.0, 9.0), &s);
        assert_eq!(detector.states()[&SpikeSignal::Errors].score, 0.0);
        assert_eq!(
            detector.history[&SpikeSignal::Errors].len(),
            3,
            "idle window not learned"
        );
    }

    #[test]
    fn baseline_learns_once_per_window() {
        let s = settings();
        let mut detector = SpikeDetector::default();
        let start = minute(0);
        for seconds in (0..=300).step_by(15) {
            let at = start + Duration::from_secs(seconds);
            detector.update(at, figures(100.0, 0.01, 0.01), &s);
        }
        assert_eq!(detector.history[&SpikeSignal::Errors].len(), 5);
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&VecDeque::from([3.0, 1.0, 2.0])), Some(2.0));
        assert_eq!(median(&VecDeque::from([4.0, 1.0, 2.0, 3.0])), Some(2.5));
        assert_eq!(median(&VecDeque::new()), None);
    }
}
