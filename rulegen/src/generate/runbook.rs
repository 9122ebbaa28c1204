//! The `runbook_url` of every alert, rendered from the spec's handlebars template with
//! `{{alert}}`, `{{service}}` and `{{namespace}}`.
//!
//! Rendering uses strict mode (an unknown variable is an error, not an empty string) and no
//! HTML escaping (a URL is not HTML). The result is literal text; the caller escapes it for
//! Prometheus' own templates.

use handlebars::Handlebars;
use serde::Serialize;

use crate::diag::Diagnostic;

const TEMPLATE: &str = "runbook_url";

/// Where runbooks live when the spec names no template: this project's rule reference, which
/// has a section per alert.
fn default_url(alert: &str) -> String {
    format!(
        "{}/blob/main/docs/rules.md#{}",
        env!("CARGO_PKG_REPOSITORY"),
        alert.to_lowercase()
    )
}

/// A compiled runbook template.
pub struct Runbook {
    registry: Option<Handlebars<'static>>,
}

#[derive(Serialize)]
struct Variables<'a> {
    alert: &'a str,
    service: &'a str,
    namespace: &'a str,
}

impl Runbook {
    /// Compiles the spec's template; `None` uses the project's rule reference.
    pub fn new(template: Option<&str>) -> Result<Runbook, Diagnostic> {
        let Some(template) = template else {
            return Ok(Runbook { registry: None });
        };
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        registry
            .register_template_string(TEMPLATE, template)
            .map_err(|e| problem(format!("the runbook_url template does not parse: {e}")))?;
        Ok(Runbook {
            registry: Some(registry),
        })
    }

    /// The runbook of `alert` for one service.
    pub fn url(&self, alert: &str, service: &str, namespace: &str) -> Result<String, Diagnostic> {
        let Some(registry) = &self.registry else {
            return Ok(default_url(alert));
        };
        let variables = Variables {
            alert,
            service,
            namespace,
        };
        registry
            .render(TEMPLATE, &variables)
            .map_err(|e| problem(format!("the runbook_url template does not render: {e}")))
    }
}

fn problem(message: String) -> Diagnostic {
    Diagnostic::error("generate/runbook-template", message)
        .with_help("the template may use {{alert}}, {{service}} and {{namespace}} only")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_without_escaping() {
        let runbook = Runbook::new(Some(
            "https://rb.example/{{alert}}?s={{service}}&n={{namespace}}",
        ))
        .unwrap();
        assert_eq!(
            runbook
                .url("MeshwardPlaintextTraffic", "a\"b<c>", "shop")
                .unwrap(),
            "https://rb.example/MeshwardPlaintextTraffic?s=a\"b<c>&n=shop"
        );
    }

    #[test]
    fn unknown_variables_are_errors() {
        let runbook = Runbook::new(Some("https://rb.example/{{team}}")).unwrap();
        let error = runbook.url("A", "s", "n").unwrap_err();
        assert_eq!(error.code, "generate/runbook-template");
        assert!(Runbook::new(Some("{{#if}")).is_err());
    }

    #[test]
    fn defaults_to_the_rule_reference() {
        let url = Runbook::new(None)
            .unwrap()
            .url("MeshwardLatencyHigh", "s", "n")
            .unwrap();
        assert!(url.ends_with("/docs/rules.md#meshwardlatencyhigh"), "{url}");
    }
}
