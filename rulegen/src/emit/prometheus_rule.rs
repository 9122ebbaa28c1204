//! A prometheus-operator `PrometheusRule` custom resource (`monitoring.coreos.com/v1`).
//!
//! The operator only loads resources whose labels match its Prometheus' `ruleSelector`
//! (kube-prometheus-stack: `release: <release name>`), so the labels are the user's to set.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::rules::{document, groups_node};
use super::yaml::Node;
use super::{EmitError, Outputs};
use crate::generate::Compiled;

/// The resource's metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `metadata.name`; `meshward-<spec>` when absent.
    pub name: Option<String>,
    /// `metadata.namespace`; left out when absent (the namespace of `kubectl apply`).
    pub namespace: Option<String>,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
}

impl Metadata {
    /// Checks the values against Kubernetes' rules for names, namespaces and labels.
    pub fn validate(&self) -> Result<(), EmitError> {
        let invalid = |what: &str, value: &str, rule: &str| {
            Err(EmitError::Metadata(format!(
                "{what} {value:?} is not valid: {rule}"
            )))
        };
        if let Some(name) = &self.name {
            if !is_dns_subdomain(name) {
                return invalid("the resource name", name, DNS_SUBDOMAIN);
            }
        }
        if let Some(namespace) = &self.namespace {
            if !is_dns_label(namespace) {
                return invalid("the namespace", namespace, DNS_LABEL);
            }
        }
        for (key, value) in &self.labels {
            if !is_label_key(key) {
                return invalid("the label key", key, LABEL_KEY);
            }
            if !is_label_value(value) {
                return invalid("the label value", value, LABEL_VALUE);
            }
        }
        Ok(())
    }
}

const DNS_SUBDOMAIN: &str = "at most 253 characters of lowercase letters, digits, '-' and '.', \
                             starting and ending with a letter or digit";
const DNS_LABEL: &str = "at most 63 characters of lowercase letters, digits and '-', starting \
                         and ending with a letter or digit";
const LABEL_KEY: &str = "an optional DNS-subdomain prefix and '/', then at most 63 letters, \
                         digits, '-', '_' or '.', starting and ending with a letter or digit";
const LABEL_VALUE: &str = "at most 63 letters, digits, '-', '_' or '.', starting and ending \
                           with a letter or digit (or empty)";

fn is_dns_label(text: &str) -> bool {
    (1..=63).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

fn is_dns_subdomain(text: &str) -> bool {
    text.len() <= 253 && text.split('.').all(is_dns_label)
}

fn is_label_value(text: &str) -> bool {
    text.is_empty()
        || (text.len() <= 63
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            && text.starts_with(|c: char| c.is_ascii_alphanumeric())
            && text.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

fn is_label_key(text: &str) -> bool {
    let (prefix, name) = match text.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, text),
    };
    prefix.is_none_or(is_dns_subdomain) && !name.is_empty() && is_label_value(name)
}

/// The resource and the catalogue.
pub fn render(compiled: &Compiled, metadata: &Metadata) -> Result<Outputs, EmitError> {
    metadata.validate()?;
    let mut outputs = Outputs::new();
    for (file_name, file) in &compiled.rule_files {
        let stem = file_name.trim_end_matches(".rules.yaml");
        let mut meta = vec![(
            "name".to_owned(),
            Node::str(
                metadata
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("meshward-{stem}")),
            ),
        )];
        if let Some(namespace) = &metadata.namespace {
            meta.push(("namespace".to_owned(), Node::str(namespace.clone())));
        }
        if !metadata.labels.is_empty() {
            meta.push(("labels".to_owned(), Node::string_map(&metadata.labels)));
        }
        let resource = Node::map([
            ("apiVersion", Node::str("monitoring.coreos.com/v1")),
            ("kind", Node::str("PrometheusRule")),
            ("metadata", Node::Map(meta)),
            ("spec", groups_node(file)),
        ]);
        let path = PathBuf::from(format!("{stem}.prometheusrule.yaml"));
        outputs.insert(path, document(compiled, &resource));
    }
    let (name, text) = super::catalogue::render(compiled)?;
    outputs.insert(name, text);
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_names_are_checked() {
        assert!(is_dns_subdomain("meshward-shop.v1"));
        assert!(!is_dns_subdomain("Meshward"));
        assert!(!is_dns_label("a.b"));
        assert!(is_label_key("app.kubernetes.io/part-of"));
        assert!(is_label_key("release"));
        assert!(!is_label_key("-release"));
        assert!(is_label_value("kube-prometheus-stack"));
        assert!(is_label_value(""));
        assert!(!is_label_value("a b"));
        let bad = Metadata {
            labels: BTreeMap::from([("release".into(), "a\"b".into())]),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }
}
