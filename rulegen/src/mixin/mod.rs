//! Packaging for GitOps: the monitoring mixin (`mixin.libsonnet` with `prometheusAlerts`,
//! `prometheusRules`, `grafanaDashboards` and an overridable `_config`), and the drift check
//! behind `meshward generate --check`.

pub mod build;
pub mod drift;
pub mod jsonnet_text;
pub mod render;
pub mod rules_json;
