//! Annotation and label texts as Prometheus templates, built from parts so that the same value
//! yields both the Go template text we write and the text promtool will render from it.
//!
//! Literal parts are escaped: a `{` that could start an action is written as `{{ "{" }}`, so
//! a service named `{{ .x }}` stays a name and never becomes a template.

use std::collections::BTreeMap;

use crate::generate::unittest::humanize;

/// How `$value` is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Humanize {
    /// `humanizePercentage`: `98.99%`.
    Percentage,
    /// `humanize`: `16.67m`.
    Number,
    /// `humanizeDuration`: `13d 23h 59m 0s`, `350ms`.
    Duration,
}

impl Humanize {
    fn function(self) -> &'static str {
        match self {
            Humanize::Percentage => "humanizePercentage",
            Humanize::Number => "humanize",
            Humanize::Duration => "humanizeDuration",
        }
    }

    /// The text Prometheus renders for `value`.
    pub fn render(self, value: f64) -> String {
        match self {
            Humanize::Percentage => humanize::humanize_percentage(value),
            Humanize::Number => humanize::humanize(value),
            Humanize::Duration => humanize::humanize_duration(value),
        }
    }

    /// The renderer as a plain function, for stability checks.
    pub fn renderer(self) -> fn(f64) -> String {
        match self {
            Humanize::Percentage => humanize::humanize_percentage,
            Humanize::Number => humanize::humanize,
            Humanize::Duration => humanize::humanize_duration,
        }
    }
}

/// One piece of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// `{{ $labels.<name> }}`.
    Label(&'static str),
    /// `{{ $value | <humanize> }}`.
    Value(Humanize),
}

/// A Prometheus template made of parts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// A template of literal text only.
    pub fn text(text: impl Into<String>) -> Template {
        Template::default().lit(text)
    }

    /// Appends literal text.
    pub fn lit(mut self, text: impl Into<String>) -> Template {
        self.parts.push(Part::Text(text.into()));
        self
    }

    /// Appends the value of a label of the alert.
    pub fn label(mut self, name: &'static str) -> Template {
        self.parts.push(Part::Label(name));
        self
    }

    /// Appends the alert's value, humanized.
    pub fn value(mut self, how: Humanize) -> Template {
        self.parts.push(Part::Value(how));
        self
    }

    /// How the value is printed, if it is.
    pub fn humanizers(&self) -> impl Iterator<Item = Humanize> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Value(how) => Some(*how),
            _ => None,
        })
    }

    /// The Go template text for the rule file.
    pub fn go_text(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(&escape_literal(text)),
                Part::Label(name) => out.push_str(&format!("{{{{ $labels.{name} }}}}")),
                Part::Value(how) => out.push_str(&format!("{{{{ $value | {} }}}}", how.function())),
            }
        }
        out
    }

    /// The text Prometheus renders for an alert with these labels and this value.
    pub fn render(&self, labels: &BTreeMap<String, String>, value: f64) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Label(name) => out.push_str(labels.get(*name).map_or("", String::as_str)),
                Part::Value(how) => out.push_str(&how.render(value)),
            }
        }
        out
    }
}

/// Literal text as a Go template that prints exactly it: every `{` followed by another `{`, or
/// ending the text (an action may follow), becomes `{{ "{" }}`.
pub fn escape_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && matches!(chars.peek(), Some('{') | None) {
            out.push_str("{{ \"{\" }}");
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_like_prometheus() {
        let t = Template::text("Only ")
            .value(Humanize::Percentage)
            .lit(" of requests to ")
            .label("service")
            .lit(" used mTLS.");
        assert_eq!(
            t.go_text(),
            "Only {{ $value | humanizePercentage }} of requests to {{ $labels.service }} used mTLS."
        );
        let labels = BTreeMap::from([("service".to_owned(), "a\"b".to_owned())]);
        assert_eq!(
            t.render(&labels, 0.9899),
            "Only 98.99% of requests to a\"b used mTLS."
        );
    }

    #[test]
    fn braces_in_literals_cannot_open_actions() {
        assert_eq!(escape_literal("x{{y"), "x{{ \"{\" }}{y");
        assert_eq!(escape_literal("a{"), "a{{ \"{\" }}");
        assert_eq!(escape_literal("a{b}}"), "a{b}}");
    }
}
