//! The configuration file: what a valid file means, and the exact message for each mistake.

mod harness;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use meshward_exporter::config::{ByteSize, Config, SpikeSettings};
use meshward_signals::Dialect;

/// The rendered error for `text` read as `c.yaml`.
fn error(text: &str) -> String {
    Config::parse(Path::new("c.yaml"), text)
        .expect_err("the config is invalid")
        .to_string()
}

#[test]
fn the_example_config_reads_as_documented() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/config.yaml");
    let config = Config::load(&path).expect("the example config is valid");

    assert_eq!(config.scrape.interval, Duration::from_secs(15));
    assert_eq!(config.scrape.timeout, Duration::from_secs(5));
    assert_eq!(config.window, Duration::from_secs(300));
    assert_eq!(config.scrape.body_size_limit, ByteSize(50 << 20));

    let targets: Vec<(&str, &str, Option<Dialect>)> = config
        .static_targets
        .iter()
        .map(|t| (t.address.as_str(), t.metrics_path.as_str(), t.dialect))
        .collect();
    assert_eq!(
        targets,
        [
            ("10.0.0.7:15090", "/stats/prometheus", Some(Dialect::Istio)),
            ("10.0.0.8:4191", "/metrics", None),
            ("10.0.0.9:4191", "/metrics", None),
            ("10.0.1.5:9901", "/stats/prometheus", Some(Dialect::Envoy)),
        ]
    );
    assert_eq!(config.spike, SpikeSettings::default());
    let derive = config.derive_settings();
    assert_eq!(
        (derive.window, derive.spike_factor),
        (Duration::from_secs(300), 3.0)
    );

    let checkout = &config.static_targets[0];
    assert_eq!(checkout.labels["namespace"], "shop");
    assert_eq!(checkout.labels["workload"], "checkout");
    assert_eq!(checkout.inbound_prefixes, ["inbound"]);
    assert_eq!(
        config.static_targets[3].inbound_prefixes,
        ["inbound", "ingress_http"]
    );

    let base = path.parent().unwrap();
    let patterns: Vec<String> = ["targets/*.json", "targets/*.yaml"]
        .iter()
        .map(|p| base.join(p).to_string_lossy().into_owned())
        .collect();
    assert_eq!(config.file_sd[0].patterns, patterns);
}

#[test]
fn defaults_fill_an_empty_file() {
    let config = Config::parse(Path::new("c.yaml"), "").unwrap();
    assert_eq!(config.scrape.interval, Duration::from_secs(15));
    assert_eq!(config.scrape.timeout, Duration::from_secs(10));
    assert_eq!(config.window, Duration::from_secs(300));
    assert_eq!(config.scrape.body_size_limit, ByteSize(50 << 20));
    assert!(config.static_targets.is_empty());

    let short = Config::parse(Path::new("c.yaml"), "scrape_interval: 2s\n").unwrap();
    assert_eq!(
        short.scrape.timeout,
        Duration::from_secs(2),
        "the timeout fits the interval"
    );
}

#[test]
fn a_misspelt_key_points_at_itself_and_suggests_the_right_one() {
    let text = "scrape_interval: 15s\nstatic_configs:\n  - targets: [\"10.0.0.7:15090\"]\n    lables: {namespace: shop}\n";
    assert_eq!(
        error(text),
        "c.yaml:4:5: unknown key `lables`\n\
         \x20 |\n\
         4 |     lables: {namespace: shop}\n\
         \x20 |     ^^^^^^ did you mean `labels`?"
    );
}

#[test]
fn a_timeout_longer_than_the_interval_is_refused() {
    assert_eq!(
        error("scrape_interval: 10s\nscrape_timeout: 30s\n"),
        "c.yaml:2:17: scrape_timeout 30s is longer than scrape_interval 10s\n\
         \x20 |\n\
         2 | scrape_timeout: 30s\n\
         \x20 |                 ^^^ a scrape must end before the next one starts: \
         lower scrape_timeout or raise scrape_interval"
    );
}

#[test]
fn every_problem_of_a_target_group_is_reported_in_file_order() {
    let text = "static_configs:\n\
                \x20 - targets: [\"http://10.0.0.7:15090\", \"10.0.0.8\"]\n\
                \x20   labels: {0bad: x, target: y}\n\
                \x20   mesh: consul\n";
    assert_eq!(
        error(text),
        "c.yaml:2:15: target \"http://10.0.0.7:15090\" is not host:port\n\
         \x20 |\n\
         2 |   - targets: [\"http://10.0.0.7:15090\", \"10.0.0.8\"]\n\
         \x20 |               ^^^^^^^^^^^^^^^^^^^^^^^ write only host:port; set the path with metrics_path\n\
         \n\
         c.yaml:2:40: target \"10.0.0.8\" is not host:port\n\
         \x20 |\n\
         2 |   - targets: [\"http://10.0.0.7:15090\", \"10.0.0.8\"]\n\
         \x20 |                                        ^^^^^^^^^^ e.g. 10.0.0.7:15090 or [::1]:15090\n\
         \n\
         c.yaml:3:14: invalid label name \"0bad\"\n\
         \x20 |\n\
         3 |     labels: {0bad: x, target: y}\n\
         \x20 |              ^^^^ a label name is letters, digits and _, not starting with a digit\n\
         \n\
         c.yaml:3:23: label name \"target\" is reserved\n\
         \x20 |\n\
         3 |     labels: {0bad: x, target: y}\n\
         \x20 |                       ^^^^^^ the exporter sets this label itself on the series it serves\n\
         \n\
         c.yaml:4:11: unknown mesh \"consul\": expected one of envoy, istio, linkerd\n\
         \x20 |\n\
         4 |     mesh: consul\n\
         \x20 |           ^^^^^^ leave `mesh` out to detect it from the exposition"
    );
}

#[test]
fn sizes_and_windows_are_checked() {
    assert_eq!(
        error("body_size_limit: 50 MB\n"),
        "c.yaml:1:18: invalid size \"50 MB\": expected a number with a unit, e.g. 50MB, 512KiB \
         (units: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)\n\
         \x20 |\n\
         1 | body_size_limit: 50 MB\n\
         \x20 |                  ^^^^^"
    );
    assert_eq!(
        error("scrape_interval: 15s\nwindow: 20s\n"),
        "c.yaml:2:9: window 20s holds fewer than two scrapes at scrape_interval 15s\n\
         \x20 |\n\
         2 | window: 20s\n\
         \x20 |         ^^^ a rate needs two scrapes: make window at least twice scrape_interval"
    );
}

#[test]
fn spike_settings_are_checked() {
    assert_eq!(
        error("spike:\n  min_requests: x\n"),
        "c.yaml:2:17: expected a number\n  |\n2 |   min_requests: x\n  |                 ^"
    );
    assert_eq!(
        error("spike:\n  factor: 0.5\n"),
        "c.yaml:2:11: spike factor must be a number above 1\n\
         \x20 |\n\
         2 |   factor: 0.5\n\
         \x20 |           ^^^ a spike is a window that many times its baseline, e.g. 3"
    );
    assert_eq!(
        error("spike:\n  baseline_windows: 2\n  warm_up_windows: 4\n  latency_floor: 5\n"),
        "c.yaml:3:20: warm_up_windows 4 exceeds baseline_windows 2\n\
         \x20 |\n\
         3 |   warm_up_windows: 4\n\
         \x20 |                    ^ the baseline never holds more windows than baseline_windows\n\
         \n\
         c.yaml:4:18: invalid duration \"5\": expected a number with a unit, e.g. 15s, 1m30s, \
         500ms (units: ms, s, m, h, d, w, y)\n\
         \x20 |\n\
         4 |   latency_floor: 5\n\
         \x20 |                  ^"
    );
    let tuned = Config::parse(
        Path::new("c.yaml"),
        "spike: {factor: 4, latency_floor: 20ms}\n",
    );
    let spike = tuned.unwrap().spike;
    assert_eq!(
        (spike.factor, spike.latency_floor),
        (4.0, Duration::from_millis(20))
    );
}

#[test]
fn broken_yaml_is_reported_where_it_breaks() {
    let rendered = error("static_configs:\n  - targets: [\"10.0.0.7:15090\"\n    labels: {}\n");
    let first = rendered.lines().next().unwrap();
    assert!(first.starts_with("c.yaml:"), "{rendered}");
    let position: Vec<u32> = first
        .split(':')
        .skip(1)
        .take(2)
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(
        position[0] >= 2,
        "the error is at or after the unclosed list: {rendered}"
    );
}

#[test]
fn file_sd_patterns_need_a_known_extension() {
    assert_eq!(
        error("file_sd_configs:\n  - files: [targets/*]\n"),
        "c.yaml:2:13: file pattern \"targets/*\" must end in .json, .yml or .yaml\n\
         \x20 |\n\
         2 |   - files: [targets/*]\n\
         \x20 |             ^^^^^^^^^ the extension tells how the files are read, e.g. targets/*.json"
    );
}

#[test]
fn the_binary_refuses_to_start_on_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "scrape_intervall: 15s\n").unwrap();

    let stderr = refused_start(&path);
    let expected = format!(
        "meshward-exporter: invalid configuration:\n{}:1:1: unknown key `scrape_intervall`\n",
        path.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(
        stderr.contains("^^^^^^^^^^^^^^^^ did you mean `scrape_interval`?"),
        "{stderr}"
    );
}

#[test]
fn the_binary_refuses_to_start_without_its_config() {
    let stderr = refused_start(Path::new("/nonexistent/meshward.yaml"));
    assert!(
        stderr.contains(
            "/nonexistent/meshward.yaml: cannot read the file: No such file or directory"
        ),
        "{stderr}"
    );
}

/// Starts the exporter binary on the configuration at `config`, asserts that it refuses to
/// start (exit status 1), and returns what it wrote to stderr.
fn refused_start(config: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_meshward-exporter"))
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--web.listen-address={}",
            meshward_e2e::free_addr()
        ))
        .output()
        .expect("run meshward-exporter");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}
