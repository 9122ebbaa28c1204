//! Prometheus' template functions `humanize`, `humanizePercentage` and `humanizeDuration`,
//! reproduced exactly, so a test can state the annotation promtool will render.
//!
//! All three print through Go's `%.4g`. A value whose four significant digits would change
//! under a rounding error of the last bit is *unstable*: the test generator avoids those, since
//! Prometheus may sum series in another order than we do.

/// Go's `fmt.Sprintf("%.4g", v)`.
pub fn go_g4(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    // Rust rounds the exact binary value correctly, as Go's strconv does.
    let scientific = format!("{:.3e}", v.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nd = digits.len() as i32;
    let dp = exponent + 1;

    let mut eprec = 4;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    let exp = dp - 1;
    if exp < -4 || exp >= eprec {
        let prec = 4.min(nd);
        let mut out = format!("{sign}{}", &digits[..1]);
        if prec > 1 {
            out.push('.');
            out.push_str(&digits[1..prec as usize]);
        }
        let exp_sign = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("e{exp_sign}{:02}", exp.abs()));
        return out;
    }
    let prec = if 4 > dp { nd } else { 4 };
    let decimals = (prec - dp).max(0);
    format!("{sign}{}", fixed(digits, dp, decimals))
}

/// Digits `0.d1d2…` × 10^dp printed with `decimals` fraction digits.
fn fixed(digits: &str, dp: i32, decimals: i32) -> String {
    let digit = |i: i32| -> char {
        if i >= 0 && (i as usize) < digits.len() {
            digits.as_bytes()[i as usize] as char
        } else {
            '0'
        }
    };
    let mut out = String::new();
    if dp <= 0 {
        out.push('0');
    } else {
        (0..dp).for_each(|i| out.push(digit(i)));
    }
    if decimals > 0 {
        out.push('.');
        (0..decimals).for_each(|i| out.push(digit(dp + i)));
    }
    out
}

/// `{{ $value | humanize }}`: SI prefixes, four significant digits.
pub fn humanize(v: f64) -> String {
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return go_g4(v);
    }
    let mut v = v;
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", go_g4(v))
}

/// `{{ $value | humanizePercentage }}`: the ratio times 100, four significant digits, `%`.
pub fn humanize_percentage(v: f64) -> String {
    format!("{}%", go_g4(v * 100.0))
}

/// `{{ $value | humanizeDuration }}`: seconds as `1d 2h 3m 4s`, or `350ms` below a second.
pub fn humanize_duration(v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return go_g4(v);
    }
    if v == 0.0 {
        return format!("{}s", go_g4(v));
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        let whole = v.abs() as i64;
        let (seconds, minutes) = (whole % 60, (whole / 60) % 60);
        let (hours, days) = ((whole / 3600) % 24, whole / 86_400);
        if days != 0 {
            return format!("{sign}{days}d {hours}h {minutes}m {seconds}s");
        }
        if hours != 0 {
            return format!("{sign}{hours}h {minutes}m {seconds}s");
        }
        if minutes != 0 {
            return format!("{sign}{minutes}m {seconds}s");
        }
        return format!("{sign}{}s", go_g4(v.abs()));
    }
    let mut v = v;
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", go_g4(v))
}

/// Whether `render` prints the same text for `v` and for `v` off by a few parts in 10^12,
/// so that float rounding in Prometheus cannot change the rendered annotation.
pub fn is_stable(render: fn(f64) -> String, v: f64) -> bool {
    let text = render(v);
    [1.0 - 1e-12, 1.0 + 1e-12]
        .iter()
        .all(|factor| render(v * factor) == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g4_matches_go() {
        // Expected strings are what Go 1.19's fmt prints.
        for (v, go) in [
            (98.0, "98"),
            (98.99, "98.99"),
            (0.5, "0.5"),
            (350.0, "350"),
            (1000.0, "1000"),
            (12345.0, "1.234e+04"),
            (100000.0, "1e+05"),
            (0.0001234, "0.0001234"),
            (0.00001234, "1.234e-05"),
            (99.9989, "100"),
            (16.666666666666668, "16.67"),
            (1.0, "1"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(go_g4(v), go, "{v}");
        }
    }

    #[test]
    fn humanizers_match_prometheus() {
        assert_eq!(humanize_percentage(0.98), "98%");
        assert_eq!(humanize_percentage(0.9899), "98.99%");
        assert_eq!(humanize(0.98), "980m");
        assert_eq!(humanize(1.0 / 60.0), "16.67m");
        assert_eq!(humanize(1234.0), "1.234k");
        assert_eq!(humanize(1_234_567.0), "1.235M");
        assert_eq!(humanize(999.96), "1000");
        assert_eq!(humanize(1500.0), "1.5k");
        assert_eq!(humanize(-0.5), "-500m");
        assert_eq!(humanize(0.0), "0");
        assert_eq!(humanize_percentage(0.123_456_7), "12.35%");
        assert_eq!(humanize_percentage(16.0 / 20.0), "80%");
        assert_eq!(humanize_percentage(1e-7), "1e-05%");
        assert_eq!(humanize_duration(0.98), "980ms");
        assert_eq!(humanize_duration(0.35), "350ms");
        assert_eq!(humanize_duration(1_209_540.0), "13d 23h 59m 0s");
        assert_eq!(humanize_duration(5400.0), "1h 30m 0s");
        assert_eq!(humanize_duration(2.5), "2.5s");
        assert_eq!(humanize_duration(-90.0), "-1m 30s");
    }

    #[test]
    fn ties_are_unstable() {
        assert!(is_stable(humanize_percentage, 0.9899));
        assert!(!is_stable(humanize_percentage, 0.12345));
    }
}
