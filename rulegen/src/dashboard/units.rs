//! The Grafana unit ids meshward puts in `fieldConfig.defaults.unit`.
//!
//! Grafana renders an unknown unit id as a literal suffix (`0.95 bogus`) instead of failing,
//! so every id used is checked against this list. Each entry was verified against the unit
//! registry of `@grafana/data` 13.2.3.

/// Unit ids meshward uses, each with what it displays.
pub const ALLOWED_UNITS: [(&str, &str); 8] = [
    (
        "percentunit",
        "a 0–1 ratio shown as a percentage: 0.9512 → 95.1%",
    ),
    ("percent", "a 0–100 value shown as a percentage"),
    ("reqps", "requests per second"),
    ("ops", "operations per second"),
    ("s", "seconds, scaled up to minutes, hours, days and weeks"),
    ("ms", "milliseconds"),
    ("short", "a plain number with SI-style suffixes (k, M)"),
    ("none", "a plain number"),
];

/// Whether `unit` is one of [`ALLOWED_UNITS`].
pub fn is_allowed(unit: &str) -> bool {
    ALLOWED_UNITS.iter().any(|(id, _)| *id == unit)
}
