//! Identities of the proxy series a reading comes from, and the label readers all dialects share.

use std::fmt::Write as _;

use meshward_exposition::Sample;

/// The identity of one source series: its name and its labels sorted by name.
///
/// Two scrapes of the same proxy give the same identity to the same series whatever order the
/// proxy wrote the labels in, so a counter's previous value can always be found again.
pub(crate) fn series_id(sample: &Sample<'_>) -> String {
    let mut labels: Vec<(&str, &str)> = sample
        .labels
        .iter()
        .map(|label| (label.name, &*label.value))
        .collect();
    labels.sort_unstable();

    let mut id = String::with_capacity(sample.name.len() + 16 * labels.len());
    id.push_str(sample.name);
    id.push('{');
    for (index, (name, value)) in labels.iter().enumerate() {
        if index > 0 {
            id.push(',');
        }
        // `{:?}` escapes quotes and backslashes, so no two label sets share an identity.
        let _ = write!(id, "{name}={value:?}");
    }
    id.push('}');
    id
}

/// An HTTP status class, `1xx` to `5xx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct CodeClass(u8);

impl CodeClass {
    /// The class of a full status code such as `"503"`; `None` for `"0"` (no response), an
    /// empty label or anything outside 100–599.
    pub(crate) fn from_status(status: &str) -> Option<CodeClass> {
        let code: u16 = status.trim().parse().ok()?;
        if (100..600).contains(&code) {
            Some(CodeClass((code / 100) as u8))
        } else {
            None
        }
    }

    /// The class from Envoy's single-digit class label (`"5"`) or Istio's (`"5xx"`).
    pub(crate) fn from_class_label(class: &str) -> Option<CodeClass> {
        let digit = class.strip_suffix("xx").unwrap_or(class);
        match digit.as_bytes() {
            [d @ b'1'..=b'5'] => Some(CodeClass(d - b'0')),
            _ => None,
        }
    }

    /// Whether this is the server-error class.
    pub(crate) fn is_server_error(self) -> bool {
        self.0 == 5
    }

    /// The label value, `"2xx"`.
    pub(crate) fn as_str(self) -> &'static str {
        ["1xx", "2xx", "3xx", "4xx", "5xx"][usize::from(self.0 - 1)]
    }
}

/// The upper bound of a histogram bucket, ordered so that `+Inf` comes last.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bound(pub(crate) f64);

impl Bound {
    /// Parses an `le` label value: a float, `+Inf` included; `None` for NaN or garbage.
    pub(crate) fn parse(le: &str) -> Option<Bound> {
        let value: f64 = match le.trim() {
            "+Inf" | "Inf" | "+inf" | "inf" => f64::INFINITY,
            other => other.parse().ok()?,
        };
        (!value.is_nan()).then_some(Bound(value))
    }
}

impl PartialEq for Bound {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}

impl Eq for Bound {}

impl PartialOrd for Bound {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bound {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Whether an HTTP connection manager's stat prefix marks inbound traffic.
pub(crate) fn is_inbound_prefix(prefix: &str, inbound_prefixes: &[String]) -> bool {
    inbound_prefixes
        .iter()
        .any(|inbound| prefix.starts_with(inbound.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use meshward_exposition::{parse, Format};

    #[test]
    fn identity_ignores_label_order() {
        let a = parse("m{b=\"2\",a=\"1\"} 1\n", Format::Text);
        let b = parse("m{a=\"1\",b=\"2\"} 5\n", Format::Text);
        assert_eq!(series_id(&a.samples[0]), series_id(&b.samples[0]));
        assert_eq!(series_id(&a.samples[0]), "m{a=\"1\",b=\"2\"}");
    }

    #[test]
    fn identity_tells_escaped_values_apart() {
        let a = parse("m{a=\"x\\\",b=\\\"y\"} 1\n", Format::Text);
        let b = parse("m{a=\"x\",b=\"y\"} 1\n", Format::Text);
        assert_ne!(series_id(&a.samples[0]), series_id(&b.samples[0]));
    }

    #[test]
    fn code_classes() {
        assert_eq!(
            CodeClass::from_status("503").map(CodeClass::as_str),
            Some("5xx")
        );
        assert_eq!(
            CodeClass::from_status("200").map(CodeClass::as_str),
            Some("2xx")
        );
        assert_eq!(CodeClass::from_status("0"), None);
        assert_eq!(CodeClass::from_status(""), None);
        assert_eq!(CodeClass::from_status("600"), None);
        assert_eq!(
            CodeClass::from_class_label("4").map(CodeClass::as_str),
            Some("4xx")
        );
        assert_eq!(
            CodeClass::from_class_label("4xx").map(CodeClass::as_str),
            Some("4xx")
        );
        assert_eq!(CodeClass::from_class_label("6"), None);
        assert!(CodeClass::from_class_label("5").is_some_and(CodeClass::is_server_error));
    }

    #[test]
    fn bounds_order_infinity_last() {
        let mut bounds: Vec<Bound> = ["+Inf", "0.5", "10", "1e3"]
            .iter()
            .filter_map(|le| Bound::parse(le))
            .collect();
        bounds.sort();
        let values: Vec<f64> = bounds.iter().map(|b| b.0).collect();
        assert_eq!(values, [0.5, 10.0, 1000.0, f64::INFINITY]);
        assert_eq!(Bound::parse("NaN"), None);
        assert_eq!(Bound::parse("x"), None);
    }
}
