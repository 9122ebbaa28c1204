//! Ratios and durations as users write them in specs and as PromQL needs them printed.
//!
//! Both are fixed-point so that `99.9%` prints as `0.999` and its error budget as `0.001`,
//! never as `0.0009999999999999432`.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A share between 0 and 1, held exactly in billionths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ratio {
    billionths: u64,
}

const BILLION: u64 = 1_000_000_000;

impl Ratio {
    /// The ratio 0.
    pub const ZERO: Ratio = Ratio { billionths: 0 };
    /// The ratio 1.
    pub const ONE: Ratio = Ratio {
        billionths: BILLION,
    };

    /// The ratio as a float, for arithmetic that does not need to print exactly.
    pub fn as_f64(self) -> f64 {
        self.billionths as f64 / BILLION as f64
    }

    /// One minus this ratio: the error budget of an objective.
    pub fn complement(self) -> Ratio {
        Ratio {
            billionths: BILLION - self.billionths,
        }
    }

    /// The ratio in billionths.
    pub fn billionths(self) -> u64 {
        self.billionths
    }

    /// Builds a ratio from billionths; `None` above one.
    pub fn from_billionths(billionths: u64) -> Option<Ratio> {
        (billionths <= BILLION).then_some(Ratio { billionths })
    }
}

/// Why a ratio could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RatioError {
    /// Not a decimal number, with or without `%`.
    #[error("expected a ratio such as 0.99 or 99%, found {0:?}")]
    Syntax(String),
    /// Below 0 or above 1 (above 100%).
    #[error("a ratio must lie between 0 and 1 (0% and 100%), found {0:?}")]
    Range(String),
    /// More digits than a billionth can hold.
    #[error("{0:?} is more precise than a billionth")]
    Precision(String),
}

impl FromStr for Ratio {
    type Err = RatioError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let (number, scale_digits) = match trimmed.strip_suffix('%') {
            Some(number) => (number.trim_end(), 2),
            None => (trimmed, 0),
        };
        let syntax = || RatioError::Syntax(text.to_owned());
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits_ok(whole) || !digits_ok(fraction) {
            return Err(syntax());
        }
        // A percentage is the same digits with the decimal point two places further left.
        let fraction_digits = fraction.len() + scale_digits;
        if fraction_digits > 9 {
            let significant = fraction.trim_end_matches('0').len() + scale_digits;
            if significant > 9 {
                return Err(RatioError::Precision(text.to_owned()));
            }
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| syntax())?
        };
        let mut billionths = whole
            .checked_mul(10u64.pow(9 - scale_digits as u32))
            .ok_or_else(|| RatioError::Range(text.to_owned()))?;
        let mut unit = 10u64.pow(9 - scale_digits as u32);
        for digit in fraction.bytes() {
            unit /= 10;
            billionths += u64::from(digit - b'0') * unit;
        }
        Ratio::from_billionths(billionths).ok_or_else(|| RatioError::Range(text.to_owned()))
    }
}

impl fmt::Display for Ratio {
    /// Prints the shortest exact decimal: `0.999`, `0.05`, `1`, `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.billionths / BILLION;
        let fraction = self.billionths % BILLION;
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:09}");
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// A Prometheus duration (`30s`, `1h30m`, `300ms`), held in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PromDuration {
    millis: u64,
}

/// Prometheus' duration units, largest first, in milliseconds.
const UNITS: [(&str, u64); 7] = [
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

impl PromDuration {
    /// Builds a duration from milliseconds.
    pub const fn from_millis(millis: u64) -> PromDuration {
        PromDuration { millis }
    }

    /// Builds a duration from whole seconds.
    pub const fn from_secs(secs: u64) -> PromDuration {
        PromDuration {
            millis: secs * 1_000,
        }
    }

    /// The duration in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// The duration in seconds, as PromQL arithmetic wants it.
    pub fn as_secs_f64(self) -> f64 {
        self.millis as f64 / 1_000.0
    }

    /// Whether the duration is zero.
    pub const fn is_zero(self) -> bool {
        self.millis == 0
    }
}

/// Why a duration could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("expected a Prometheus duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y), found {0:?}")]
pub struct DurationError(pub String);

impl FromStr for PromDuration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || DurationError(text.to_owned());
        if text.is_empty() {
            return Err(error());
        }
        if text == "0" {
            return Ok(PromDuration { millis: 0 });
        }
        let mut rest = text;
        let mut millis: u64 = 0;
        // Units must appear from largest to smallest, each at most once, as Prometheus demands.
        let mut next_unit = 0;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(error());
            }
            let value: u64 = rest[..digits].parse().map_err(|_| error())?;
            rest = &rest[digits..];
            let position = UNITS[next_unit..]
                .iter()
                .position(|(unit, _)| {
                    rest.starts_with(unit) && !(*unit == "m" && rest.starts_with("ms"))
                })
                .ok_or_else(error)?;
            let (unit, scale) = UNITS[next_unit + position];
            rest = &rest[unit.len()..];
            next_unit += position + 1;
            millis = value
                .checked_mul(scale)
                .and_then(|v| millis.checked_add(v))
                .ok_or_else(error)?;
        }
        Ok(PromDuration { millis })
    }
}

impl fmt::Display for PromDuration {
    /// Prints the canonical form Prometheus itself prints: `1h30m`, `1d`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.millis == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.millis;
        for (unit, scale) in UNITS {
            if rest >= scale {
                write!(f, "{}{unit}", rest / scale)?;
                rest %= scale;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_read_decimals_and_percentages() {
        assert_eq!("0.99".parse::<Ratio>().unwrap().to_string(), "0.99");
        assert_eq!("99%".parse::<Ratio>().unwrap().to_string(), "0.99");
        assert_eq!("99.9%".parse::<Ratio>().unwrap().to_string(), "0.999");
        assert_eq!(
            "99.9%".parse::<Ratio>().unwrap().complement().to_string(),
            "0.001"
        );
        assert_eq!("100%".parse::<Ratio>().unwrap(), Ratio::ONE);
        assert_eq!("1".parse::<Ratio>().unwrap(), Ratio::ONE);
        assert_eq!(".5".parse::<Ratio>().unwrap().to_string(), "0.5");
        assert_eq!("0.000000001".parse::<Ratio>().unwrap().billionths(), 1);
    }

    #[test]
    fn ratios_reject_nonsense() {
        for bad in [
            "",
            "%",
            "abc",
            "1.5",
            "101%",
            "-0.5",
            "0.1.2",
            "1e-3",
            "0.0000000001",
        ] {
            assert!(bad.parse::<Ratio>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn durations_round_trip_in_canonical_form() {
        for (text, millis, canonical) in [
            ("30s", 30_000, "30s"),
            ("90m", 5_400_000, "1h30m"),
            ("1h30m", 5_400_000, "1h30m"),
            ("300ms", 300, "300ms"),
            ("1d", 86_400_000, "1d"),
            ("30d", 2_592_000_000, "4w2d"),
            ("0", 0, "0s"),
            ("1m30s500ms", 90_500, "1m30s500ms"),
        ] {
            let parsed: PromDuration = text.parse().unwrap();
            assert_eq!(parsed.as_millis(), millis, "{text}");
            assert_eq!(parsed.to_string(), canonical, "{text}");
            assert_eq!(canonical.parse::<PromDuration>().unwrap(), parsed);
        }
    }

    #[test]
    fn durations_reject_what_prometheus_rejects() {
        for bad in [
            "",
            "5",
            "m",
            "5x",
            "1.5h",
            "30m1h",
            "5m5m",
            "-5m",
            "5 m",
            "18446744073709551615y",
        ] {
            assert!(
                bad.parse::<PromDuration>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
