//! The ways a dashboard reaches Grafana besides a UI import: a file-provisioning config, a
//! Kubernetes ConfigMap for the Grafana sidecar, and a grafana-operator `GrafanaDashboard`.
//!
//! The YAML is written by hand, not through a serialiser: the shapes are small and fixed, every
//! scalar that comes from a spec is written as a double-quoted string (JSON string syntax is
//! valid YAML), and the dashboard JSON is embedded as a literal block, byte for byte.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::json::to_pretty_json;
use super::model::Dashboard;

/// The label the Grafana Helm chart's sidecar looks for on ConfigMaps.
pub const SIDECAR_LABEL: &str = "grafana_dashboard";
/// The annotation the sidecar reads for the target folder.
pub const SIDECAR_FOLDER_ANNOTATION: &str = "grafana_folder";
/// The grafana-operator API version of `GrafanaDashboard`.
pub const OPERATOR_API_VERSION: &str = "grafana.integreatly.org/v1beta1";

/// Where and how dashboards are delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryOptions {
    /// The Grafana folder the dashboards land in.
    pub folder: String,
    /// The directory the provisioning config points Grafana at.
    pub provisioning_path: String,
    /// The Kubernetes namespace of ConfigMaps and `GrafanaDashboard`s; none leaves it to
    /// `kubectl apply -n`.
    pub namespace: Option<String>,
    /// The labels a `GrafanaDashboard`'s `instanceSelector` matches on Grafana instances.
    pub instance_selector: BTreeMap<String, String>,
    /// How often the operator re-applies the dashboard.
    pub resync_period: String,
}

impl DeliveryOptions {
    /// Defaults for a spec called `name`: folder "Service Mesh", provisioning from
    /// `/var/lib/grafana/dashboards/<name>`, operator instances labelled `dashboards: grafana`.
    pub fn for_spec(name: &str) -> DeliveryOptions {
        DeliveryOptions {
            folder: "Service Mesh".to_owned(),
            provisioning_path: format!("/var/lib/grafana/dashboards/{name}"),
            namespace: None,
            instance_selector: BTreeMap::from([("dashboards".to_owned(), "grafana".to_owned())]),
            resync_period: "10m".to_owned(),
        }
    }
}

/// A YAML double-quoted scalar holding exactly `text`.
pub fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

/// Grafana's file-provisioning config (`provisioning/dashboards/<name>.yaml`): one provider
/// named `provider` reading every dashboard file under the provisioning path.
pub fn provisioning_yaml(provider: &str, options: &DeliveryOptions) -> String {
    let mut out = String::new();
    out.push_str("apiVersion: 1\nproviders:\n");
    let _ = writeln!(out, "  - name: {}", quoted(provider));
    out.push_str("    orgId: 1\n");
    let _ = writeln!(out, "    folder: {}", quoted(&options.folder));
    out.push_str("    type: file\n");
    out.push_str("    disableDeletion: false\n");
    out.push_str("    updateIntervalSeconds: 30\n");
    out.push_str("    allowUiUpdates: false\n");
    out.push_str("    options:\n");
    let _ = writeln!(out, "      path: {}", quoted(&options.provisioning_path));
    out.push_str("      foldersFromFilesStructure: false\n");
    out
}

/// `metadata:` with a name, the optional namespace, labels and annotations.
fn metadata(
    out: &mut String,
    name: &str,
    options: &DeliveryOptions,
    labels: &[(&str, &str)],
    annotations: &[(&str, &str)],
) {
    out.push_str("metadata:\n");
    let _ = writeln!(out, "  name: {}", quoted(name));
    if let Some(namespace) = &options.namespace {
        let _ = writeln!(out, "  namespace: {}", quoted(namespace));
    }
    for (key, entries) in [("labels", labels), ("annotations", annotations)] {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {key}:");
        for (name, value) in entries {
            let _ = writeln!(out, "    {}: {}", quoted(name), quoted(value));
        }
    }
}

/// `text` as a YAML literal block indented by `indent` spaces, after `key: |`.
fn literal_block(out: &mut String, indent: usize, key: &str, text: &str) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}{key}: |");
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{pad}  {line}");
        }
    }
}

/// A ConfigMap the Grafana sidecar (Helm chart, kube-prometheus-stack) picks up: labelled
/// `grafana_dashboard: "1"`, the folder as the `grafana_folder` annotation, the dashboard
/// under the data key `file_name`.
pub fn config_map(dashboard: &Dashboard, file_name: &str, options: &DeliveryOptions) -> String {
    let mut out = String::from("apiVersion: v1\nkind: ConfigMap\n");
    metadata(
        &mut out,
        &format!("grafana-dashboard-{}", dashboard.uid),
        options,
        &[(SIDECAR_LABEL, "1")],
        &[(SIDECAR_FOLDER_ANNOTATION, &options.folder)],
    );
    out.push_str("data:\n");
    literal_block(&mut out, 2, &quoted(file_name), &to_pretty_json(dashboard));
    out
}

/// A grafana-operator `GrafanaDashboard` carrying the dashboard JSON inline.
pub fn grafana_dashboard(dashboard: &Dashboard, options: &DeliveryOptions) -> String {
    let mut out = format!("apiVersion: {OPERATOR_API_VERSION}\nkind: GrafanaDashboard\n");
    metadata(&mut out, &dashboard.uid, options, &[], &[]);
    out.push_str("spec:\n");
    out.push_str("  instanceSelector:\n    matchLabels:\n");
    for (name, value) in &options.instance_selector {
        let _ = writeln!(out, "      {}: {}", quoted(name), quoted(value));
    }
    let _ = writeln!(out, "  folder: {}", quoted(&options.folder));
    let _ = writeln!(out, "  resyncPeriod: {}", quoted(&options.resync_period));
    let _ = writeln!(out, "  uid: {}", quoted(&dashboard.uid));
    literal_block(&mut out, 2, "json", &to_pretty_json(dashboard));
    out
}
