//! Prometheus' number formatting in alert templates (`humanize`, `humanizePercentage`), written
//! from its template reference, so tests can state the exact text an annotation must render.

/// Go's `%.4g`: four significant digits, trailing zeros dropped, scientific notation when the
/// exponent is below -4 or at least 4 (with a sign and at least two exponent digits).
pub fn go_g4(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    if !value.is_finite() {
        return if value.is_nan() {
            "NaN".to_owned()
        } else if value > 0.0 {
            "+Inf".to_owned()
        } else {
            "-Inf".to_owned()
        };
    }
    let scientific = format!("{value:.3e}");
    let (mantissa, exponent) = scientific.split_once('e').expect("an exponent");
    let exponent: i32 = exponent.parse().expect("a decimal exponent");
    let trim = |digits: &str| {
        if digits.contains('.') {
            digits
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_owned()
        } else {
            digits.to_owned()
        }
    };
    if !(-4..4).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim(mantissa), exponent.abs());
    }
    let decimals = usize::try_from(3 - exponent).unwrap_or(0);
    trim(&format!("{value:.decimals$}"))
}

/// Prometheus' `humanize`: SI prefixes, four significant digits.
pub fn humanize(mut value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return go_g4(value);
    }
    let mut prefix = "";
    if value.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if value.abs() < 1000.0 {
                break;
            }
            prefix = p;
            value /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if value.abs() >= 1.0 {
                break;
            }
            prefix = p;
            value *= 1000.0;
        }
    }
    format!("{}{prefix}", go_g4(value))
}

/// Prometheus' `humanizePercentage`.
pub fn humanize_percentage(value: f64) -> String {
    format!("{}%", go_g4(value * 100.0))
}

/// The value a `humanize`d number stands for (to four significant digits).
pub fn parse_humanized(text: &str) -> Option<f64> {
    let prefixes = [
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("m", 1e-3),
        ("u", 1e-6),
        ("n", 1e-9),
    ];
    for (prefix, scale) in prefixes {
        if let Some(number) = text.strip_suffix(prefix) {
            return number.parse::<f64>().ok().map(|v| v * scale);
        }
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_prometheus_templates_do() {
        // Values from Prometheus' and Grafana's template documentation, and Go's `%.4g`.
        assert_eq!(humanize(1_234_567.0), "1.235M");
        assert_eq!(humanize_percentage(0.123_456_7), "12.35%");
        assert_eq!(humanize_percentage(16.0 / 20.0), "80%");
        assert_eq!(humanize_percentage(0.2), "20%");
        assert_eq!(humanize_percentage(1e-7), "1e-05%");
        assert_eq!(humanize(0.013_333_333), "13.33m");
        assert_eq!(humanize(0.05), "50m");
        assert_eq!(humanize(999.96), "1000");
        assert_eq!(humanize(1500.0), "1.5k");
        assert_eq!(humanize(-0.5), "-500m");
        assert_eq!(humanize(0.0), "0");
        assert_eq!(go_g4(12_345.0), "1.234e+04");
        assert_eq!(go_g4(0.000_123_4), "0.0001234");
        assert_eq!(go_g4(0.000_012_34), "1.234e-05");
        assert_eq!(go_g4(f64::NAN), "NaN");
    }

    #[test]
    fn reads_humanized_numbers_back() {
        let close = |text: &str, expected: f64| {
            parse_humanized(text).is_some_and(|v| (v - expected).abs() <= expected * 1e-12)
        };
        assert!(close("13.33m", 0.013_33));
        assert!(close("1.5k", 1500.0));
        assert!(close("42", 42.0));
        assert_eq!(parse_humanized("x"), None);
    }
}
