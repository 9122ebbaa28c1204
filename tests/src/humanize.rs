//! Reading back numbers that Prometheus' `humanize` template function wrote (`13.33m`,
//! `1.5k`), so tests can compare a rendered annotation with the value behind it. Writing them
//! is the rule generator's (`meshward_rulegen::generate::unittest::humanize`), which the
//! end-to-end tests compare against what Prometheus itself renders.

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
