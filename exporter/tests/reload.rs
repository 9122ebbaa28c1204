//! Reloads: SIGHUP with a good and a bad configuration, a changed configuration file, and
//! file_sd target files that change. Removed targets' series disappear; a bad configuration
//! is counted and the old one keeps running.

mod harness;

use std::path::Path;

use harness::proxies::{Behaviour, Proxies};
use harness::{mentions_target, value, write_atomically, Exporter};
use meshward_signals::exported::{
    CONFIG_LAST_RELOAD_SUCCESSFUL, CONFIG_RELOADS_TOTAL, RESULT, SD_FILE_READ_ERRORS_TOTAL, TARGET,
    UP,
};

const ENVOY: &str = "\
# TYPE envoy_http_downstream_rq_xx counter
envoy_http_downstream_rq_xx{envoy_response_code_class=\"2\",envoy_http_conn_manager_prefix=\"inbound_http\"} 7
# TYPE envoy_server_uptime gauge
envoy_server_uptime 42
";

fn static_config(addresses: &[String]) -> String {
    let mut config = String::from(
        "scrape_interval: 300ms\nscrape_timeout: 200ms\nwindow: 3s\nstatic_configs:\n",
    );
    for (i, address) in addresses.iter().enumerate() {
        config.push_str(&format!(
            "  - targets: [\"{address}\"]\n    labels: {{namespace: reload, workload: w{i}}}\n"
        ));
    }
    config
}

fn reloads(exporter: &Exporter, result: &str) -> Option<f64> {
    exporter.value(CONFIG_RELOADS_TOTAL, &[(RESULT, result)])
}

fn up(exporter: &Exporter, address: &str) -> Option<f64> {
    exporter.value(UP, &[(TARGET, address)])
}

#[test]
fn sighup_applies_a_good_config_and_keeps_the_old_one_on_a_bad_one() {
    let proxies = Proxies::new();
    let (a, b, c) = (
        proxies.start(Behaviour::Healthy(ENVOY.into())).to_string(),
        proxies.start(Behaviour::Healthy(ENVOY.into())).to_string(),
        proxies.start(Behaviour::Healthy(ENVOY.into())).to_string(),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, static_config(&[a.clone(), b.clone()])).unwrap();
    let mut exporter = Exporter::start(&path);
    assert!(
        exporter.wait_for("a and b to be up", |e| up(e, &a) == Some(1.0)
            && up(e, &b) == Some(1.0))
    );
    assert_eq!(reloads(&exporter, "success"), Some(0.0));
    assert_eq!(reloads(&exporter, "failure"), Some(0.0));

    // A bad config is rejected, counted and logged with its position; a and b keep running.
    // The file is changed and SIGHUP sent at once, so whichever notices first reloads it.
    write_atomically(&path, "scrape_interval: 300ms\nscrape_timeout: 1s\n");
    exporter.hangup();
    assert!(
        exporter.wait_for("the failed reload to be counted", |e| reloads(e, "failure")
            >= Some(1.0))
    );
    assert_eq!(
        exporter.value(CONFIG_LAST_RELOAD_SUCCESSFUL, &[]),
        Some(0.0)
    );
    assert!(
        exporter.log().contains(&format!(
            "{}:2:17: scrape_timeout 1s is longer than scrape_interval 300ms",
            path.display()
        )),
        "{}",
        exporter.log()
    );
    let metrics = exporter.metrics();
    assert!(
        mentions_target(&metrics, &a) && mentions_target(&metrics, &b),
        "{metrics}"
    );
    // SIGHUP and the file poll may both have tried the bad file; let both settle.
    meshward_e2e::pause(std::time::Duration::from_secs(1));
    let failures = reloads(&exporter, "failure");

    // A good config drops b and adds c; b's series disappear.
    write_atomically(&path, &static_config(&[a.clone(), c.clone()]));
    exporter.hangup();
    assert!(exporter.wait_for("c to be up", |e| up(e, &c) == Some(1.0)));
    let metrics = exporter.metrics();
    assert!(
        !mentions_target(&metrics, &b),
        "b's series are still served:\n{metrics}"
    );
    assert_eq!(value(&metrics, UP, &[(TARGET, &a)]), Some(1.0));
    assert!(value(&metrics, CONFIG_RELOADS_TOTAL, &[(RESULT, "success")]) >= Some(1.0));
    assert_eq!(
        value(&metrics, CONFIG_RELOADS_TOTAL, &[(RESULT, "failure")]),
        failures
    );
    assert_eq!(
        value(&metrics, CONFIG_LAST_RELOAD_SUCCESSFUL, &[]),
        Some(1.0)
    );

    assert!(exporter.terminate().success());
}

#[test]
fn a_changed_config_file_is_reloaded_without_a_signal() {
    let proxies = Proxies::new();
    let a = proxies.start(Behaviour::Healthy(ENVOY.into())).to_string();
    let b = proxies.start(Behaviour::Healthy(ENVOY.into())).to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, static_config(std::slice::from_ref(&a))).unwrap();
    let mut exporter = Exporter::start(&path);
    assert!(exporter.wait_for("a to be up", |e| up(e, &a) == Some(1.0)));

    write_atomically(&path, &static_config(std::slice::from_ref(&b)));
    assert!(exporter.wait_for("b to replace a", |e| {
        up(e, &b) == Some(1.0) && !mentions_target(&e.metrics(), &a)
    }));
    assert_eq!(
        reloads(&exporter, "success"),
        Some(1.0),
        "one change, one reload"
    );
}

fn file_sd_config(dir: &Path) -> String {
    format!(
        "scrape_interval: 300ms\nscrape_timeout: 200ms\nwindow: 3s\n\
         file_sd_configs:\n  - files: [\"{}/targets/*.json\", \"{}/targets/*.yaml\"]\n",
        dir.display(),
        dir.display()
    )
}

#[test]
fn file_sd_targets_follow_their_files() {
    let proxies = Proxies::new();
    let a = proxies.start(Behaviour::Healthy(ENVOY.into())).to_string();
    let b = proxies.start(Behaviour::Healthy(ENVOY.into())).to_string();
    let c = proxies.start(Behaviour::Healthy(ENVOY.into())).to_string();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("targets")).unwrap();
    let json = dir.path().join("targets/shop.json");
    std::fs::write(
        &json,
        format!("[\n  {{\"targets\": [\"{a}\"], \"labels\": {{\"namespace\": \"shop\", \"workload\": \"cart\"}}}}\n]\n"),
    )
    .unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, file_sd_config(dir.path())).unwrap();

    let mut exporter = Exporter::start(&path);
    assert!(exporter.wait_for("a to be up", |e| {
        e.value(
            UP,
            &[(TARGET, &a), ("namespace", "shop"), ("workload", "cart")],
        ) == Some(1.0)
    }));

    // A new YAML file adds b; rewriting the JSON file swaps a for c.
    write_atomically(
        &dir.path().join("targets/more.yaml"),
        &format!(
            "- targets: [\"{b}\"]\n  labels: {{namespace: shop, workload: pay, __mesh__: envoy}}\n"
        ),
    );
    write_atomically(
        &json,
        &format!("[{{\"targets\": [\"{c}\"], \"labels\": {{\"namespace\": \"shop\"}}}}]"),
    );
    assert!(exporter.wait_for("b and c up, a gone", |e| {
        let metrics = e.metrics();
        value(&metrics, UP, &[(TARGET, &b), ("workload", "pay")]) == Some(1.0)
            && value(&metrics, UP, &[(TARGET, &c)]) == Some(1.0)
            && !mentions_target(&metrics, &a)
    }));
    assert!(
        !exporter.metrics().contains("__mesh__"),
        "meta labels are not served"
    );

    // A broken file is counted and logged; its targets stay.
    write_atomically(&json, "[{\"targets\": [\"not an address\"]}]");
    assert!(exporter.wait_for("the broken file to be counted", |e| {
        e.value(SD_FILE_READ_ERRORS_TOTAL, &[]) == Some(1.0)
    }));
    assert_eq!(up(&exporter, &c), Some(1.0));
    assert!(
        exporter.log().contains(&format!(
            "{}:1:15: target \\\"not an address\\\" is not host:port",
            json.display()
        )),
        "{}",
        exporter.log()
    );

    // Removing the file removes its targets.
    std::fs::remove_file(&json).unwrap();
    assert!(exporter.wait_for("c to disappear", |e| !mentions_target(&e.metrics(), &c)));
    assert_eq!(up(&exporter, &b), Some(1.0));
    assert_eq!(
        reloads(&exporter, "failure"),
        Some(0.0),
        "target files are not config reloads"
    );
}
