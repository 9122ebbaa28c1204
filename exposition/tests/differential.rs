//! Differential tests against `prometheus-parse`, an independent parser.
//!
//! Where that parser is correct (label values without commas, braces, `=`, quotes or escapes;
//! no empty `{}`), both must read the same samples. Where it is not, a test pins down how it
//! corrupts data that this crate reads correctly: the reason this crate owns its parser.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use common::shapes::envoy_exposition_of_lines;
use meshward_exposition::{parse, Exposition, Format, MetricType};
use proptest::prelude::*;

/// A sample reduced to what both parsers can express, in a comparable form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Flat {
    name: String,
    labels: BTreeMap<String, String>,
    value: String,
    timestamp_ms: Option<i64>,
}

/// A number in one spelling, so that `1`, `1.0` and `1e0` compare equal.
fn canonical(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else {
        format!("{value:?}")
    }
}

/// Our samples, with `le` and `quantile` written canonically where the family's type
/// makes them numbers (the oracle parses them into floats).
fn ours(exposition: &Exposition<'_>) -> Vec<Flat> {
    let mut flat: Vec<Flat> = exposition
        .samples
        .iter()
        .map(|sample| {
            let (_, family_type) = exposition.family_of(sample.name);
            let numeric = match family_type {
                MetricType::Histogram if sample.name.ends_with("_bucket") => Some("le"),
                MetricType::Summary
                    if exposition.metric_type(sample.name) == MetricType::Summary =>
                {
                    Some("quantile")
                }
                _ => None,
            };
            let labels = sample
                .labels
                .iter()
                .map(|label| {
                    let value = match numeric {
                        Some(name) if label.name == name => {
                            canonical(label.value.parse::<f64>().expect("numeric bound"))
                        }
                        _ => label.value.to_string(),
                    };
                    (label.name.to_owned(), value)
                })
                .collect();
            Flat {
                name: sample.name.to_owned(),
                labels,
                value: canonical(sample.value),
                timestamp_ms: sample.timestamp_ms,
            }
        })
        .collect();
    flat.sort();
    flat
}

/// The oracle's samples, with its grouped histograms and summaries spread back into one
/// sample per bucket or quantile. Timestamps it filled in with "now" are absent ones.
fn theirs(input: &str) -> Vec<Flat> {
    let before = now_ms();
    let lines = input.lines().map(|line| Ok(line.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("reading from memory");
    let after = now_ms();

    let mut flat = Vec::new();
    for sample in scrape.samples {
        let ts = sample.timestamp.timestamp_millis();
        let timestamp_ms = (!(before..=after).contains(&ts)).then_some(ts);
        let labels: BTreeMap<String, String> = sample
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut push = |name: String, labels: BTreeMap<String, String>, value: f64| {
            flat.push(Flat {
                name,
                labels,
                value: canonical(value),
                timestamp_ms,
            });
        };
        match sample.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => push(sample.metric, labels, v),
            prometheus_parse::Value::Histogram(buckets) => {
                for bucket in buckets {
                    let mut labels = labels.clone();
                    labels.insert("le".to_owned(), canonical(bucket.less_than));
                    push(format!("{}_bucket", sample.metric), labels, bucket.count);
                }
            }
            prometheus_parse::Value::Summary(quantiles) => {
                for quantile in quantiles {
                    let mut labels = labels.clone();
                    labels.insert("quantile".to_owned(), canonical(quantile.quantile));
                    push(sample.metric.clone(), labels, quantile.count);
                }
            }
        }
    }
    flat.sort();
    flat
}

fn now_ms() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(elapsed.as_millis()).expect("in range")
}

/// Compares both parsers on `input`. The oracle drops samples written with an empty `{}`
/// (its pattern needs at least one character between the braces), so those are expected
/// to be missing from its side only. Returns how many samples were compared, and how many
/// `{}` samples only this parser read.
fn assert_agree(input: &str, what: &str) -> (usize, usize) {
    let exposition = parse(input, Format::Text);
    assert!(
        exposition.errors.is_empty(),
        "{what}: {:?}",
        exposition.errors
    );

    let lines: Vec<&str> = input.lines().collect();
    let mut comparable = exposition.clone();
    comparable
        .samples
        .retain(|sample| !lines[sample.line as usize - 1].contains("{}"));
    let dropped_by_oracle = exposition.samples.len() - comparable.samples.len();

    let ours = ours(&comparable);
    let theirs = theirs(input);
    if ours != theirs {
        let only_ours: Vec<_> = ours
            .iter()
            .filter(|s| !theirs.contains(s))
            .take(5)
            .collect();
        let only_theirs: Vec<_> = theirs
            .iter()
            .filter(|s| !ours.contains(s))
            .take(5)
            .collect();
        panic!(
            "{what}: {} samples here, {} in prometheus-parse\nonly here: {only_ours:#?}\n\
             only there: {only_theirs:#?}",
            ours.len(),
            theirs.len()
        );
    }
    (ours.len(), dropped_by_oracle)
}

// === where the oracle is right, both agree ===

#[test]
fn generated_envoy_and_istio_exposition_agrees() {
    let input = envoy_exposition_of_lines(5_000);
    let (compared, empty_braces) = assert_agree(&input, "generated Envoy/Istio exposition");
    assert!(compared > 4_000, "{compared}");
    assert_eq!(empty_braces, 4, "the server stats are written with {{}}");
}

/// The real proxy dumps in `../shared/fixtures/*.txt`, next to the repository, when present.
#[test]
fn real_proxy_dumps_agree() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "note: {} is absent; skipping the real-dump differential",
            dir.display()
        );
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no *.txt in {}", dir.display());

    for path in paths {
        let input = std::fs::read_to_string(&path).expect("fixture is UTF-8 text");
        let (compared, empty_braces) = assert_agree(&input, &path.display().to_string());
        assert!(compared > 0, "{}: no samples compared", path.display());
        println!(
            "{}: {compared} samples agree; {empty_braces} written with {{}} only read here",
            path.display()
        );
    }
}

/// Label values the oracle reads correctly: no `,`, `{`, `}`, `=`, `"` or `\`.
fn oracle_safe_value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ./:|_-]{0,20}"
}

fn oracle_safe_labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    // Never `le` or `quantile`: those carry bucket bounds and quantiles.
    prop::collection::btree_map("[a-km-pr-z_][a-z0-9_]{0,8}", oracle_safe_value(), 1..5)
}

/// A family of a random type, rendered in the text format.
fn family() -> impl Strategy<Value = (u8, BTreeMap<String, String>, Vec<f64>, Option<i64>)> {
    (
        0u8..5,
        oracle_safe_labels(),
        prop::collection::vec(common::sample_value(), 1..6),
        prop::option::of(0i64..4_000_000_000_000),
    )
}

fn render_family(
    index: usize,
    family: &(u8, BTreeMap<String, String>, Vec<f64>, Option<i64>),
) -> String {
    let (kind, labels, values, timestamp) = family;
    let name = format!("family_{index}");
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    let labels = labels.join(",");
    let ts = timestamp.map(|ts| format!(" {ts}")).unwrap_or_default();
    let number = |v: f64| common::render_number(v, 0);
    let mut out = String::new();
    match kind {
        0..=2 => {
            let word = ["counter", "gauge", "untyped"][usize::from(*kind)];
            out += &format!("# HELP {name} A {word}.\n# TYPE {name} {word}\n");
            for (i, v) in values.iter().enumerate() {
                out += &format!("{name}{{{labels},series=\"{i}\"}} {}{ts}\n", number(*v));
            }
        }
        3 => {
            out += &format!("# TYPE {name} histogram\n");
            for (i, v) in values.iter().enumerate() {
                out += &format!(
                    "{name}_bucket{{{labels},le=\"{}\"}} {}\n",
                    (i + 1) * 5,
                    number(*v)
                );
            }
            out +=
                &format!("{name}_bucket{{{labels},le=\"+Inf\"}} 9\n{name}_sum{{{labels}}} 3.5\n");
            out += &format!("{name}_count{{{labels}}} 9\n");
        }
        _ => {
            out += &format!("# TYPE {name} summary\n");
            for (i, v) in values.iter().enumerate() {
                let q = (i as f64 + 1.0) / 10.0;
                out += &format!("{name}{{{labels},quantile=\"{q}\"}} {}\n", number(*v));
            }
            out += &format!("{name}_sum{{{labels}}} 3.5\n{name}_count{{{labels}}} 9\n");
        }
    }
    out
}

proptest! {
    #![proptest_config(common::config(300))]

    #[test]
    fn random_oracle_safe_expositions_agree(families in prop::collection::vec(family(), 1..12)) {
        let input: String =
            families.iter().enumerate().map(|(i, family)| render_family(i, family)).collect();
        assert_agree(&input, "random exposition");
    }
}

// === where the oracle is wrong ===

#[test]
fn oracle_corrupts_label_values_that_this_parser_reads_correctly() {
    let input = r#"# TYPE envoy_cluster_upstream_rq counter
envoy_cluster_upstream_rq{envoy_cluster_name="a,b",envoy_response_code="503"} 4
envoy_http_rbac_denied{envoy_rbac_policy_name="{deny-all}"} 2
envoy_cluster_ext_authz_denied{envoy_cluster_name="q=1"} 3
linkerd_error_total{error="say \"no\", please"} 5
"#;
    let ours = parse(input, Format::Text);
    assert!(ours.errors.is_empty(), "{:?}", ours.errors);
    let values: Vec<Vec<(&str, &str)>> = ours
        .samples
        .iter()
        .map(|sample| sample.labels.iter().map(|l| (l.name, &*l.value)).collect())
        .collect();
    assert_eq!(
        values,
        [
            vec![
                ("envoy_cluster_name", "a,b"),
                ("envoy_response_code", "503")
            ],
            vec![("envoy_rbac_policy_name", "{deny-all}")],
            vec![("envoy_cluster_name", "q=1")],
            vec![("error", "say \"no\", please")],
        ]
    );

    let lines = input.lines().map(|line| Ok(line.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("reading from memory");
    let by_name = |name: &str| scrape.samples.iter().find(|sample| sample.metric == name);

    // The comma splits the value: the cluster becomes "a" and `b"` is thrown away.
    let rq = by_name("envoy_cluster_upstream_rq").expect("read, but wrongly");
    assert_eq!(rq.labels.get("envoy_cluster_name"), Some("a"));
    // A brace inside a value makes the whole sample disappear.
    assert!(by_name("envoy_http_rbac_denied").is_none());
    // An `=` inside a value drops the label.
    let authz = by_name("envoy_cluster_ext_authz_denied").expect("read, but wrongly");
    assert_eq!(authz.labels.get("envoy_cluster_name"), None);
    // Escaped quotes are not unescaped, and the comma after them splits the value.
    let error = by_name("linkerd_error_total").expect("read, but wrongly");
    assert_eq!(error.labels.get("error"), Some("say \\\"no\\"));
}

#[test]
fn oracle_drops_samples_written_with_empty_braces() {
    let input = "# TYPE envoy_server_uptime gauge\nenvoy_server_uptime{} 86400\n";
    assert_eq!(parse(input, Format::Text).samples.len(), 1);
    let lines = input.lines().map(|line| Ok(line.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("reading from memory");
    assert!(scrape.samples.is_empty());
}
