//! Value rules a spec must satisfy beyond its shape: names, label names and values, and the
//! runbook URL template.

use std::collections::BTreeMap;

use handlebars::Handlebars;
use meshward_signals::rules as names;

use crate::diag::Diagnostic;
use crate::spec::model::Span;
use crate::yaml;

/// Label names a spec's `labels` may not set, because the spec's labels are added to every
/// alert and would overwrite them: Prometheus sets `__name__` and `alertname`; meshward sets
/// `severity`, `service` and `namespace` on every alert, the burn-rate labels on error-budget
/// alerts, and `quantile` comes with the latency series the latency alerts read.
///
/// The spec loader refuses them with a placed diagnostic; the generator checks again for specs
/// built in code.
pub const RESERVED_LABELS: [&str; 10] = [
    "__name__",
    "alertname",
    names::SEVERITY,
    names::SERVICE,
    names::NAMESPACE,
    names::QUANTILE,
    names::TIER,
    names::LONG_WINDOW,
    names::SHORT_WINDOW,
    names::BURN_RATE,
];

/// The variables a runbook URL template may use.
pub const RUNBOOK_VARIABLES: [&str; 3] = ["alert", "service", "namespace"];

/// Whether `name` is a legacy-safe Prometheus label name that is not reserved for internal use
/// (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`).
pub fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.starts_with("__")
}

/// Whether `name` is a lowercase slug: `[a-z0-9]`, inner `-`, at most 63 characters.
pub fn is_slug(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// Checks a label name, appending a diagnostic when it is invalid or (if `reserved` is given)
/// reserved.
pub fn check_label_name(
    diagnostics: &mut Vec<Diagnostic>,
    name: &str,
    span: Span,
    reserved: &[&str],
) -> bool {
    if !is_label_name(name) {
        let help = if name.starts_with("__") {
            "names starting with `__` are reserved for Prometheus' internal use".to_owned()
        } else {
            let fixed: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            format!("label names match [a-zA-Z_][a-zA-Z0-9_]*; perhaps `{fixed}`")
        };
        diagnostics.push(
            Diagnostic::error(
                "spec/invalid-label-name",
                format!("`{name}` is not a valid label name"),
            )
            .at(span, "invalid label name")
            .with_help(help),
        );
        return false;
    }
    if reserved.contains(&name) {
        diagnostics.push(
            Diagnostic::error(
                "spec/reserved-label",
                format!(
                    "the label `{name}` is set by meshward or Prometheus and cannot be set here"
                ),
            )
            .at(span, "reserved label")
            .with_help(format!(
                "choose another name; reserved are {}",
                RESERVED_LABELS.map(|l| format!("`{l}`")).join(", ")
            )),
        );
        return false;
    }
    true
}

/// Checks the runbook URL template: it must compile as a strict Handlebars template and use
/// no variable but `alert`, `service` and `namespace`.
pub fn check_runbook_template(
    diagnostics: &mut Vec<Diagnostic>,
    template: &str,
    node: &yaml::Node,
    source: &str,
) {
    let at = |offset: usize, len: usize| {
        let start = yaml::source_offset(source, node.span, template, offset);
        let end = yaml::source_offset(source, node.span, template, offset + len);
        Span {
            file: node.span.file,
            offset: start,
            len: end.saturating_sub(start).max(1),
        }
    };
    let help = "use only {{alert}}, {{service}} and {{namespace}}, e.g. \
                https://runbooks.example.com/{{namespace}}/{{alert}}";
    match render_template(template, "Alert", "service", "namespace") {
        Ok(_) => {}
        Err(TemplateProblem::Syntax { message, offset }) => diagnostics.push(
            Diagnostic::error(
                "spec/invalid-runbook-template",
                format!("`runbook_url` is not a valid template: {message}"),
            )
            .at(at(offset, 2), "template error")
            .with_help(help),
        ),
        Err(TemplateProblem::Variable { message, name }) => {
            let offset = name.as_deref().and_then(|n| template.find(n)).unwrap_or(0);
            let len = name.as_deref().map_or(template.len(), str::len);
            diagnostics.push(
                Diagnostic::error(
                    "spec/invalid-runbook-template",
                    match &name {
                        Some(name) => format!("`runbook_url` uses the unknown variable `{name}`"),
                        None => format!("`runbook_url` cannot be rendered: {message}"),
                    },
                )
                .at(at(offset, len), "unknown variable")
                .with_help(help),
            );
        }
    }
}

/// Why a runbook template cannot be rendered.
#[derive(Debug)]
pub(crate) enum TemplateProblem {
    /// It does not compile; `offset` is a byte offset into the template.
    Syntax { message: String, offset: usize },
    /// It uses a variable that is not provided.
    Variable {
        message: String,
        name: Option<String>,
    },
}

/// Renders a runbook URL template with strict Handlebars and no HTML escaping.
pub(crate) fn render_template(
    template: &str,
    alert: &str,
    service: &str,
    namespace: &str,
) -> Result<String, TemplateProblem> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(handlebars::no_escape);
    if let Err(error) = registry.register_template_string("runbook_url", template) {
        let offset = error
            .pos()
            .map(|(line, column)| offset_of(template, line, column))
            .unwrap_or(0);
        return Err(TemplateProblem::Syntax {
            message: error.reason().to_string(),
            offset,
        });
    }
    let data: BTreeMap<&str, &str> = [
        ("alert", alert),
        ("service", service),
        ("namespace", namespace),
    ]
    .into_iter()
    .collect();
    registry.render("runbook_url", &data).map_err(|error| {
        let name = match error.reason() {
            handlebars::RenderErrorReason::MissingVariable(name) => name.clone(),
            _ => None,
        };
        TemplateProblem::Variable {
            message: error.reason().to_string(),
            name,
        }
    })
}

/// The byte offset of a 1-based line and 0- or 1-based column in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// Renders `spec.runbook_url` for one alert of one service, percent-encoding the values so
/// that no name can change the URL's structure or smuggle a `{{` template action into the
/// annotation.
///
/// ```
/// use meshward_rulegen::spec::render_runbook_url;
///
/// let url = render_runbook_url(
///     "https://runbooks.example.com/{{namespace}}/{{alert}}?svc={{service}}",
///     "MeshwardPlaintextTraffic",
///     "a b/{{x}}",
///     "shop",
/// );
/// assert_eq!(
///     url.as_deref(),
///     Some("https://runbooks.example.com/shop/MeshwardPlaintextTraffic?svc=a%20b%2F%7B%7Bx%7D%7D")
/// );
/// ```
///
/// Returns `None` only for a template that [`load`](crate::spec::load) would have rejected.
pub fn render_runbook_url(
    template: &str,
    alert: &str,
    service: &str,
    namespace: &str,
) -> Option<String> {
    render_template(
        template,
        &percent_encode(alert),
        &percent_encode(service),
        &percent_encode(namespace),
    )
    .ok()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names() {
        for good in ["team", "_x", "a1_b"] {
            assert!(is_label_name(good), "{good}");
        }
        for bad in ["", "1a", "a-b", "__x", "é", "a b"] {
            assert!(!is_label_name(bad), "{bad}");
        }
    }

    #[test]
    fn slugs() {
        assert!(is_slug("shop-prod-1"));
        for bad in ["", "Shop", "-x", "x-", "a_b", "a.b"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn templates_render_strictly() {
        assert_eq!(
            render_template("https://x/{{alert}}/{{service}}", "A", "s", "n").unwrap(),
            "https://x/A/s"
        );
        assert!(matches!(
            render_template("https://x/{{team}}", "A", "s", "n"),
            Err(TemplateProblem::Variable { .. })
        ));
        assert!(matches!(
            render_template("https://x/{{alert", "A", "s", "n"),
            Err(TemplateProblem::Syntax { .. })
        ));
    }
}
