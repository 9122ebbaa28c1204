//! The `runbook_url` of every alert: the spec's handlebars template (`{{alert}}`,
//! `{{service}}`, `{{namespace}}`, strict mode, values percent-encoded by the spec front-end),
//! or this project's rule reference when the spec names none.
//!
//! The result is literal text; the caller escapes it for Prometheus' own templates.

use crate::diag::Diagnostic;
use crate::spec::render_runbook_url;

/// Where runbooks live when the spec names no template: this project's rule reference, which
/// has a section per alert.
fn default_url(alert: &str) -> String {
    format!(
        "{}/blob/main/docs/rules.md#{}",
        env!("CARGO_PKG_REPOSITORY"),
        alert.to_lowercase()
    )
}

/// The spec's runbook template, if any.
pub struct Runbook {
    template: Option<String>,
}

impl Runbook {
    /// Uses the spec's template; `None` uses the project's rule reference.
    pub fn new(template: Option<&str>) -> Result<Runbook, Box<Diagnostic>> {
        let runbook = Runbook {
            template: template.map(str::to_owned),
        };
        runbook.url("MeshwardCheck", "service", "namespace")?;
        Ok(runbook)
    }

    /// The runbook of `alert` for one service.
    pub fn url(
        &self,
        alert: &str,
        service: &str,
        namespace: &str,
    ) -> Result<String, Box<Diagnostic>> {
        let Some(template) = &self.template else {
            return Ok(default_url(alert));
        };
        render_runbook_url(template, alert, service, namespace).ok_or_else(|| {
            Box::new(
                Diagnostic::error(
                    "generate/runbook-template",
                    "the runbook_url template does not render",
                )
                .with_help("the template may use {{alert}}, {{service}} and {{namespace}} only"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_encoded_values() {
        let runbook = Runbook::new(Some(
            "https://rb.example/{{alert}}?s={{service}}&n={{namespace}}",
        ))
        .unwrap();
        assert_eq!(
            runbook
                .url("MeshwardPlaintextTraffic", "a\"b{{x}}", "shop")
                .unwrap(),
            "https://rb.example/MeshwardPlaintextTraffic?s=a%22b%7B%7Bx%7D%7D&n=shop"
        );
    }

    #[test]
    fn names_cannot_change_the_url_structure() {
        let runbook = Runbook::new(Some(
            "https://rb.example/{{namespace}}/{{alert}}?s={{service}}",
        ))
        .unwrap();
        let url = runbook
            .url("MeshwardLatencyHigh", "x&n=y#f {{alert}}", "../a/b?c")
            .unwrap();
        assert_eq!(
            url,
            "https://rb.example/..%2Fa%2Fb%3Fc/MeshwardLatencyHigh\
             ?s=x%26n%3Dy%23f%20%7B%7Balert%7D%7D"
        );
    }

    #[test]
    fn unknown_variables_are_errors() {
        assert!(Runbook::new(Some("https://rb.example/{{team}}")).is_err());
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
