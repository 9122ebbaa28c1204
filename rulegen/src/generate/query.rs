//! PromQL text built from parts, with every label value quoted so that no spec value can
//! change a query's meaning.

use std::fmt;

use crate::generate::windows::DaysExt;
use crate::units::PromDuration;

/// How a label matcher compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `=~`
    Re,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Re => "=~",
        }
    }
}

/// One label matcher, `name="value"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    /// The label name (always a valid, unquoted identifier).
    pub name: String,
    /// The comparison.
    pub op: Op,
    /// The value, unescaped.
    pub value: String,
}

/// A vector selector: an optional metric name and matchers, printed in the given order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    metric: Option<String>,
    matchers: Vec<Matcher>,
}

impl Selector {
    /// Series of one metric.
    pub fn metric(name: &str) -> Selector {
        Selector {
            metric: Some(name.to_owned()),
            matchers: Vec::new(),
        }
    }

    /// Series of any of several metrics (`{__name__=~"a|b"}`); one name prints as a metric.
    pub fn any_metric(names: &[&str]) -> Selector {
        match names {
            [single] => Selector::metric(single),
            _ => Selector {
                metric: None,
                matchers: vec![Matcher {
                    name: "__name__".to_owned(),
                    op: Op::Re,
                    value: alternatives(names),
                }],
            },
        }
    }

    /// Series whose metric name matches `regex` (`{__name__=~"..."}`).
    pub fn matching_names(regex: &str) -> Selector {
        Selector {
            metric: None,
            matchers: Vec::new(),
        }
        .re("__name__", regex)
    }

    /// Adds `name="value"`.
    pub fn eq(self, name: &str, value: &str) -> Selector {
        self.with(name, Op::Eq, value)
    }

    /// Adds `name!="value"`.
    pub fn ne(self, name: &str, value: &str) -> Selector {
        self.with(name, Op::Ne, value)
    }

    /// Adds `name=~"regex"`.
    pub fn re(self, name: &str, regex: &str) -> Selector {
        self.with(name, Op::Re, regex)
    }

    /// Adds a matcher.
    pub fn with(mut self, name: &str, op: Op, value: &str) -> Selector {
        self.matchers.push(Matcher {
            name: name.to_owned(),
            op,
            value: value.to_owned(),
        });
        self
    }

    /// The matchers, in print order.
    pub fn matchers(&self) -> &[Matcher] {
        &self.matchers
    }

    /// The metric name, if the selector names one.
    pub fn metric_name(&self) -> Option<&str> {
        self.metric.as_deref()
    }

    /// This selector with the metric renamed (histograms: `<name>_bucket`).
    pub fn renamed(&self, name: &str) -> Selector {
        Selector {
            metric: Some(name.to_owned()),
            matchers: self.matchers.clone(),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(metric) = &self.metric {
            f.write_str(metric)?;
        }
        if self.matchers.is_empty() && self.metric.is_some() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, m) in self.matchers.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}{}{}", m.name, m.op.as_str(), quote(&m.value))?;
        }
        f.write_str("}")
    }
}

/// A regex matching exactly one of `names`, which must be free of regex metacharacters
/// (metric names and closed label values are).
pub fn alternatives(names: &[&str]) -> String {
    debug_assert!(names
        .iter()
        .all(|n| n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')));
    names.join("|")
}

/// `sum(rate(<selector>[<window>]))`: the per-second rate of a counter, summed.
pub fn sum_rate(selector: &Selector, window: PromDuration) -> String {
    format!("sum(rate({selector}[{}]))", window.days())
}

/// A PromQL double-quoted string literal holding exactly `value`: the spec front-end's
/// escaping, shared so that the lint and the generator agree.
pub fn quote(value: &str) -> String {
    crate::promql::quote_label_value(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_print_in_order_with_quoted_values() {
        let s = Selector::metric("istio_requests_total")
            .eq("reporter", "destination")
            .ne("connection_security_policy", "mutual_tls")
            .re("response_code", "5..");
        assert_eq!(
            s.to_string(),
            r#"istio_requests_total{reporter="destination",connection_security_policy!="mutual_tls",response_code=~"5.."}"#
        );
        assert_eq!(Selector::metric("up").to_string(), "up");
        assert_eq!(
            Selector::any_metric(&["a", "b"]).eq("x", "y").to_string(),
            r#"{__name__=~"a|b",x="y"}"#
        );
    }

    #[test]
    fn hostile_values_are_escaped() {
        assert_eq!(quote(r#"x"}"#), r#""x\"}""#);
        assert_eq!(quote("a\\b\nc"), r#""a\\b\nc""#);
        assert_eq!(quote("\u{7}"), r#""\u0007""#);
    }
}
