//! The delivery files (provisioning config, sidecar ConfigMaps, grafana-operator resources)
//! parse as YAML, carry the dashboards byte for byte, and are snapshotted with the dashboards.

#[path = "dashboard_support.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use meshward_rulegen::dashboard::deliver::DeliveryOptions;
use meshward_rulegen::dashboard::emit::{render, Delivery};
use serde_json::Value;

fn all_outputs() -> std::collections::BTreeMap<PathBuf, String> {
    let compiled = support::compile_str("shop.yaml", support::SHOP);
    let deliveries: BTreeSet<Delivery> = Delivery::ALL.into_iter().collect();
    let mut options = DeliveryOptions::for_spec("shop");
    options.namespace = Some("monitoring".to_owned());
    render(&compiled, &deliveries, &options)
}

#[test]
fn every_artefact_matches_its_snapshot() {
    let outputs = all_outputs();
    let names: Vec<String> = outputs.keys().map(|p| p.display().to_string()).collect();
    insta::assert_snapshot!("dashboard_files", names.join("\n"));
    for (path, text) in &outputs {
        let name = path.display().to_string().replace('/', "__");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn configmaps_and_operator_resources_carry_the_dashboards_exactly() {
    let outputs = all_outputs();
    let json_files: Vec<&PathBuf> = outputs
        .keys()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(json_files.len(), 3);
    for json_file in json_files {
        let uid = json_file.file_stem().unwrap().to_str().unwrap();
        let dashboard = &outputs[json_file];

        let map: Value =
            serde_saphyr::from_str(&outputs[&PathBuf::from(format!("configmaps/{uid}.yaml"))])
                .unwrap();
        assert_eq!(map["kind"], "ConfigMap");
        assert_eq!(map["metadata"]["labels"]["grafana_dashboard"], "1");
        assert_eq!(map["metadata"]["namespace"], "monitoring");
        let key = json_file.display().to_string();
        assert_eq!(map["data"][&key].as_str().unwrap(), dashboard.as_str());

        let operator: Value = serde_saphyr::from_str(
            &outputs[&PathBuf::from(format!("grafana-operator/{uid}.yaml"))],
        )
        .unwrap();
        assert_eq!(operator["apiVersion"], "grafana.integreatly.org/v1beta1");
        assert_eq!(operator["kind"], "GrafanaDashboard");
        assert_eq!(operator["spec"]["uid"], uid);
        assert_eq!(
            operator["spec"]["instanceSelector"]["matchLabels"]["dashboards"],
            "grafana"
        );
        assert_eq!(
            operator["spec"]["json"].as_str().unwrap(),
            dashboard.as_str()
        );
    }
    let provisioning: Value =
        serde_saphyr::from_str(&outputs[&PathBuf::from("provisioning/shop.yaml")]).unwrap();
    assert_eq!(provisioning["apiVersion"], 1);
    let provider = &provisioning["providers"][0];
    assert_eq!(provider["type"], "file");
    assert_eq!(
        provider["options"]["path"],
        "/var/lib/grafana/dashboards/shop"
    );
}

#[test]
fn hostile_folder_and_namespace_values_stay_inside_their_strings() {
    let compiled = support::compile_str("shop.yaml", support::SHOP);
    let mut options = DeliveryOptions::for_spec("shop");
    options.folder = "Mesh: \"prod\"\n  injected: true".to_owned();
    options.namespace = Some("ns # not a comment".to_owned());
    let deliveries: BTreeSet<Delivery> = Delivery::ALL.into_iter().collect();
    for (path, text) in render(&compiled, &deliveries, &options) {
        if path.extension().is_some_and(|e| e == "yaml") {
            let value: Value = serde_saphyr::from_str(&text).unwrap();
            let folder = if path.starts_with("provisioning") {
                &value["providers"][0]["folder"]
            } else if path.starts_with("configmaps") {
                &value["metadata"]["annotations"]["grafana_folder"]
            } else {
                &value["spec"]["folder"]
            };
            assert_eq!(
                folder.as_str(),
                Some(options.folder.as_str()),
                "{}",
                path.display()
            );
            assert!(value.get("injected").is_none());
        }
    }
}
