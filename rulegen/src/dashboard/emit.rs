//! `meshward generate --format dashboards`: every dashboard as `<uid>.json`, and on request the
//! files that deliver them to Grafana.
//!
//! ```text
//! <out>/<uid>.json                       always
//! <out>/provisioning/<spec>.yaml         Delivery::Provisioning
//! <out>/configmaps/<uid>.yaml            Delivery::ConfigMap
//! <out>/grafana-operator/<uid>.yaml      Delivery::GrafanaOperator
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::str::FromStr;

use super::deliver::{self, DeliveryOptions};
use super::generate::dashboards;
use super::json::to_pretty_json;
use crate::emit;
use crate::generate::Compiled;

/// An extra way of delivering the dashboards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Delivery {
    /// Grafana's file-provisioning config.
    Provisioning,
    /// A ConfigMap per dashboard for the Grafana sidecar.
    ConfigMap,
    /// A grafana-operator `GrafanaDashboard` per dashboard.
    GrafanaOperator,
}

impl Delivery {
    /// Every delivery, in `--help` order.
    pub const ALL: [Delivery; 3] = [
        Delivery::Provisioning,
        Delivery::ConfigMap,
        Delivery::GrafanaOperator,
    ];

    /// The name on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Delivery::Provisioning => "provisioning",
            Delivery::ConfigMap => "configmap",
            Delivery::GrafanaOperator => "grafana-operator",
        }
    }
}

impl FromStr for Delivery {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Delivery::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!("unknown dashboard delivery {s:?}: expected provisioning, configmap or grafana-operator")
            })
    }
}

/// The dashboard files of `compiled`, plus the `deliveries` asked for.
pub fn render(
    compiled: &Compiled,
    deliveries: &BTreeSet<Delivery>,
    options: &DeliveryOptions,
) -> BTreeMap<PathBuf, String> {
    let header = emit::header(compiled);
    let comment: String = header.lines().map(|l| format!("# {l}\n")).collect();
    let mut files = BTreeMap::new();
    let all = dashboards(compiled);
    for file in &all {
        files.insert(
            PathBuf::from(&file.file_name),
            to_pretty_json(&file.dashboard),
        );
    }
    if deliveries.contains(&Delivery::Provisioning) {
        files.insert(
            PathBuf::from(format!("provisioning/{}.yaml", compiled.name)),
            format!(
                "{comment}{}",
                deliver::provisioning_yaml(&compiled.name, options)
            ),
        );
    }
    for file in &all {
        let uid = &file.dashboard.uid;
        if deliveries.contains(&Delivery::ConfigMap) {
            files.insert(
                PathBuf::from(format!("configmaps/{uid}.yaml")),
                format!(
                    "{comment}{}",
                    deliver::config_map(&file.dashboard, &file.file_name, options)
                ),
            );
        }
        if deliveries.contains(&Delivery::GrafanaOperator) {
            files.insert(
                PathBuf::from(format!("grafana-operator/{uid}.yaml")),
                format!(
                    "{comment}{}",
                    deliver::grafana_dashboard(&file.dashboard, options)
                ),
            );
        }
    }
    files
}

/// Which deliveries to write, and the settings that differ from
/// [`DeliveryOptions::for_spec`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deliveries {
    /// The extra files asked for.
    pub kinds: BTreeSet<Delivery>,
    /// The Grafana folder, when not the default.
    pub folder: Option<String>,
    /// The provisioning path, when not the default.
    pub provisioning_path: Option<String>,
    /// The Kubernetes namespace of ConfigMaps and `GrafanaDashboard`s.
    pub namespace: Option<String>,
    /// The operator's instance selector, when not the default.
    pub instance_selector: BTreeMap<String, String>,
}

impl Deliveries {
    /// The full options for a spec called `spec`.
    pub fn options(&self, spec: &str) -> DeliveryOptions {
        let mut options = DeliveryOptions::for_spec(spec);
        if let Some(folder) = &self.folder {
            options.folder = folder.clone();
        }
        if let Some(path) = &self.provisioning_path {
            options.provisioning_path = path.clone();
        }
        options.namespace = self.namespace.clone();
        if !self.instance_selector.is_empty() {
            options.instance_selector = self.instance_selector.clone();
        }
        options
    }
}

/// [`render`] with `deliveries` applied to the defaults of `compiled`'s spec.
pub fn render_deliveries(
    compiled: &Compiled,
    deliveries: &Deliveries,
) -> BTreeMap<PathBuf, String> {
    render(
        compiled,
        &deliveries.kinds,
        &deliveries.options(&compiled.name),
    )
}

/// The command-line flags of `--format dashboards`.
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct DashboardArgs {
    /// Also write the files that deliver the dashboards: provisioning (Grafana file
    /// provisioning), configmap (for the Grafana sidecar), grafana-operator
    /// (GrafanaDashboard resources); repeat or separate with commas.
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    pub dashboard_delivery: Vec<Delivery>,
    /// Grafana folder of the dashboards (default: Service Mesh).
    #[arg(long, value_name = "NAME")]
    pub grafana_folder: Option<String>,
    /// Directory the provisioning config points Grafana at (default:
    /// /var/lib/grafana/dashboards/<spec>).
    #[arg(long, value_name = "DIR")]
    pub provisioning_path: Option<String>,
    /// Kubernetes namespace of the ConfigMaps and GrafanaDashboards (default: none).
    #[arg(long, value_name = "NAMESPACE")]
    pub dashboard_namespace: Option<String>,
    /// Labels of the Grafana instances a GrafanaDashboard selects (default:
    /// dashboards=grafana); repeat or separate with commas.
    #[arg(long, value_name = "KEY=VALUE", value_delimiter = ',', value_parser = parse_pair)]
    pub grafana_instance_labels: Vec<(String, String)>,
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, found {text:?}"))?;
    Ok((key.trim().to_owned(), value.trim().to_owned()))
}

impl DashboardArgs {
    /// The deliveries these flags ask for.
    pub fn deliveries(&self) -> Deliveries {
        Deliveries {
            kinds: self.dashboard_delivery.iter().copied().collect(),
            folder: self.grafana_folder.clone(),
            provisioning_path: self.provisioning_path.clone(),
            namespace: self.dashboard_namespace.clone(),
            instance_selector: self.grafana_instance_labels.iter().cloned().collect(),
        }
    }
}
