//! The duration and size notations of Prometheus configs: `1m30s`, `500ms`, `50MB`, `1GiB`.

use std::fmt;
use std::time::Duration;

/// Why a duration or a size could not be read; the message says what is accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// Not a Prometheus duration.
    #[error("invalid duration {0:?}: expected a number with a unit, e.g. 15s, 1m30s, 500ms (units: ms, s, m, h, d, w, y)")]
    Duration(String),
    /// Not a size.
    #[error("invalid size {0:?}: expected a number with a unit, e.g. 50MB, 512KiB (units: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)")]
    Size(String),
}

/// Duration units of a Prometheus duration, longest first so `ms` wins over `m`.
const DURATION_UNITS: [(&str, u64); 7] = [
    ("ms", 1),
    ("y", 365 * 24 * 3600 * 1000),
    ("w", 7 * 24 * 3600 * 1000),
    ("d", 24 * 3600 * 1000),
    ("h", 3600 * 1000),
    ("m", 60 * 1000),
    ("s", 1000),
];

/// Reads a Prometheus duration: one or more `<integer><unit>` parts, largest unit first,
/// each unit at most once (`1h30m`, `15s`, `500ms`), or a bare `0`.
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    let invalid = || UnitError::Duration(text.to_owned());
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    if text.is_empty() {
        return Err(invalid());
    }

    let mut rest = text;
    let mut total_ms: u64 = 0;
    let mut previous_unit_ms = u64::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];

        let (unit, unit_ms) = DURATION_UNITS
            .into_iter()
            .find(|(unit, _)| rest.starts_with(unit))
            .ok_or_else(invalid)?;
        if unit_ms >= previous_unit_ms {
            return Err(invalid());
        }
        previous_unit_ms = unit_ms;
        rest = &rest[unit.len()..];

        let part = number.checked_mul(unit_ms).ok_or_else(invalid)?;
        total_ms = total_ms.checked_add(part).ok_or_else(invalid)?;
    }
    Ok(Duration::from_millis(total_ms))
}

/// Writes a duration the way Prometheus does: `1h30m`, `15s`, `500ms`, `0s`.
pub fn format_duration(duration: Duration) -> String {
    let mut ms = duration.as_millis() as u64;
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    let mut units = DURATION_UNITS;
    units.sort_by_key(|(_, unit_ms)| std::cmp::Reverse(*unit_ms));
    for (unit, unit_ms) in units {
        if ms >= unit_ms {
            out.push_str(&format!("{}{unit}", ms / unit_ms));
            ms %= unit_ms;
        }
    }
    out
}

/// A number of bytes, written in configs as Prometheus writes `body_size_limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

impl ByteSize {
    /// Reads `50MB`, `1GiB`, `512KB`, `1024B` or `1024`.
    ///
    /// As in Prometheus, `KB`, `MB`, ... are powers of 1024, exactly like `KiB`, `MiB`, ...:
    /// a limit copied from a Prometheus config means the same here.
    pub fn parse(text: &str) -> Result<ByteSize, UnitError> {
        let invalid = || UnitError::Size(text.to_owned());
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let number: u64 = text[..digits].parse().map_err(|_| invalid())?;
        let shift = match &text[digits..] {
            "" | "B" => 0,
            "KB" | "KiB" => 10,
            "MB" | "MiB" => 20,
            "GB" | "GiB" => 30,
            "TB" | "TiB" => 40,
            _ => return Err(invalid()),
        };
        number
            .checked_mul(1 << shift)
            .map(ByteSize)
            .ok_or_else(invalid)
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] {
            if self.0 >= 1 << shift && self.0.is_multiple_of(1 << shift) {
                return write!(f, "{}{unit}", self.0 >> shift);
            }
        }
        write!(f, "{}B", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_prometheus_does() {
        let ms = |text| parse_duration(text).map(|d| d.as_millis());
        assert_eq!(ms("15s"), Ok(15_000));
        assert_eq!(ms("1m30s"), Ok(90_000));
        assert_eq!(ms("500ms"), Ok(500));
        assert_eq!(ms("1h"), Ok(3_600_000));
        assert_eq!(ms("1d2h"), Ok(93_600_000));
        assert_eq!(ms("2w"), Ok(1_209_600_000));
        assert_eq!(ms("0"), Ok(0));
        assert_eq!(ms("0s"), Ok(0));
    }

    #[test]
    fn malformed_durations_are_rejected() {
        for text in [
            "", "15", "s", "1.5s", "-1s", "15 s", "1s1m", "1m1m", "5sec", "1x",
        ] {
            assert_eq!(
                parse_duration(text),
                Err(UnitError::Duration(text.to_owned())),
                "{text:?}"
            );
        }
        assert!(parse_duration("99999999999999999999y").is_err());
    }

    #[test]
    fn durations_format_back() {
        for text in ["15s", "1m30s", "500ms", "1h", "5m", "1d2h"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn sizes_are_powers_of_1024() {
        assert_eq!(ByteSize::parse("50MB"), Ok(ByteSize(50 << 20)));
        assert_eq!(ByteSize::parse("1GiB"), Ok(ByteSize(1 << 30)));
        assert_eq!(ByteSize::parse("512KB"), Ok(ByteSize(512 << 10)));
        assert_eq!(ByteSize::parse("1024B"), Ok(ByteSize(1024)));
        assert_eq!(ByteSize::parse("1024"), Ok(ByteSize(1024)));
        assert_eq!(ByteSize(50 << 20).to_string(), "50MiB");
        assert_eq!(ByteSize(1000).to_string(), "1000B");
    }

    #[test]
    fn malformed_sizes_are_rejected() {
        for text in [
            "",
            "MB",
            "5 MB",
            "5mb",
            "1.5GB",
            "-1MB",
            "5XB",
            "99999999999TB",
        ] {
            assert_eq!(
                ByteSize::parse(text),
                Err(UnitError::Size(text.to_owned())),
                "{text:?}"
            );
        }
    }
}
