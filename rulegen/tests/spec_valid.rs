//! Valid specs load to the expected models: the examples, defaults, and multi-file specs.

use std::path::{Path, PathBuf};

use meshward_rulegen::spec::{self, model::*};
use meshward_rulegen::units::{PromDuration, Ratio};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn ratio(text: &str) -> Ratio {
    text.parse().unwrap()
}

fn duration(text: &str) -> PromDuration {
    text.parse().unwrap()
}

#[test]
fn the_shop_example_loads_to_its_model() {
    let spec = spec::load(&[repo("examples/shop.yaml")]).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(spec.name, "shop");
    assert_eq!(spec.mesh, Mesh::Istio);
    assert_eq!(
        spec.labels.get("team").map(String::as_str),
        Some("shop-sre")
    );
    assert_eq!(spec.scrape_interval, duration("30s"));
    assert_eq!(spec.evaluation_interval, duration("1m"));
    assert_eq!(spec.services.len(), 2);

    let checkout = &spec.services[0];
    assert_eq!(
        (checkout.name.as_str(), checkout.namespace.as_str()),
        ("checkout", "shop")
    );
    assert_eq!(checkout.workload, "checkout-v1");
    let mtls = checkout.mtls.as_ref().unwrap();
    assert_eq!(mtls.mode, MtlsMode::Strict);
    assert_eq!(mtls.min_ratio, ratio("0.99"));
    assert_eq!(mtls.severity, Severity::Critical);
    let availability = checkout.availability.as_ref().unwrap();
    assert_eq!(availability.objective.to_string(), "0.999");
    assert_eq!(availability.window, duration("30d"));
    let latency = checkout.latency.as_ref().unwrap();
    assert_eq!(latency.threshold, duration("300ms"));
    let spikes = checkout.spikes.as_ref().unwrap();
    assert_eq!(spikes.errors.as_ref().unwrap().factor, 3.0);
    assert_eq!(spikes.latency.as_ref().unwrap().severity, Severity::Warning);
    let certificates = checkout.certificates.as_ref().unwrap();
    assert!(certificates.critical_before < certificates.warn_before);

    let payments = &spec.services[1];
    assert_eq!(
        payments.workload, "payments",
        "workload defaults to the name"
    );
    let mtls = payments.mtls.as_ref().unwrap();
    assert_eq!(
        (mtls.mode, mtls.min_ratio),
        (MtlsMode::Permissive, ratio("0.95"))
    );
    assert_eq!(mtls.for_, duration("10m"), "default for");
    assert_eq!(
        payments.availability.as_ref().unwrap().window,
        duration("30d")
    );

    assert_eq!(spec.rules.len(), 1);
    assert_eq!(
        spec.rules[0].kind,
        UserRuleKind::Alert("CheckoutTeapots".into())
    );
    assert_eq!(spec.rules[0].for_, Some(duration("5m")));
    let text = &spec.sources.files[0].text;
    let expr_span = spec.rules[0].expr_span;
    assert!(
        text[expr_span.offset..].starts_with("sum by"),
        "expr span starts at the expression"
    );
}

#[test]
fn every_mesh_variant_loads() {
    for (file, mesh) in [
        ("examples/shop-linkerd.yaml", Mesh::Linkerd),
        ("examples/shop-envoy.yaml", Mesh::Envoy),
        ("examples/shop-meshward.yaml", Mesh::Meshward),
    ] {
        let spec = spec::load(&[repo(file)]).unwrap_or_else(|e| panic!("{file}: {e:#?}"));
        assert_eq!(spec.mesh, mesh);
        assert!(spec.services.iter().all(|s| s.mesh == mesh));
    }
}

#[test]
fn defaults_apply_to_a_minimal_spec() {
    let spec = spec::load_str(
        "min.yaml",
        "version: 1\nname: min\nmesh: linkerd\nservices:\n  - name: web\n    namespace: default\n    mtls: {}\n    authz: {}\n    latency: {threshold: 1s}\n    spikes: {errors: {}}\n    certificates: {}\n",
    )
    .unwrap_or_else(|e| panic!("{e:#?}"));
    let web = &spec.services[0];
    let mtls = web.mtls.as_ref().unwrap();
    assert_eq!(
        (mtls.mode, mtls.min_ratio, mtls.for_),
        (MtlsMode::Permissive, ratio("0.99"), duration("10m"))
    );
    let authz = web.authz.as_ref().unwrap();
    assert_eq!(
        (authz.max_deny_ratio, authz.for_, authz.severity),
        (ratio("0.05"), duration("5m"), Severity::Warning)
    );
    let latency = web.latency.as_ref().unwrap();
    assert_eq!(latency.percentile, ratio("0.99"));
    let spike = web.spikes.as_ref().unwrap().errors.as_ref().unwrap();
    assert_eq!((spike.factor, spike.baseline), (3.0, duration("1d")));
    let certificates = web.certificates.as_ref().unwrap();
    assert_eq!(
        (certificates.warn_before, certificates.critical_before),
        (duration("14d"), duration("3d"))
    );
    assert_eq!(spec.selectors, Selectors::default());
    assert_eq!(spec.runbook_url, None);
}

#[test]
fn several_files_merge_in_order() {
    let files = [
        repo("testdata/specs/valid/split/main.yaml"),
        repo("testdata/specs/valid/split/linkerd-team.yaml"),
    ];
    let spec = spec::load(&files).unwrap_or_else(|e| panic!("{e:#?}"));
    let ids: Vec<(&str, &str, Mesh)> = spec
        .services
        .iter()
        .map(|s| (s.namespace.as_str(), s.name.as_str(), s.mesh))
        .collect();
    assert_eq!(
        ids,
        [
            ("shop", "checkout", Mesh::Istio),
            ("payments", "checkout", Mesh::Linkerd)
        ]
    );
    assert_eq!(spec.services[1].span.file, 1);
    assert_eq!(spec.rules.len(), 1);
    // The order of the files does not decide which one is the main file.
    let reversed = [files[1].clone(), files[0].clone()];
    assert_eq!(spec::load(&reversed).unwrap().name, "shop");
}

#[test]
fn json_from_jsonnet_loads_like_yaml() {
    let json = r#"{"version": 1, "name": "shop", "mesh": "envoy",
      "services": [{"name": "a\"b", "namespace": "x\"}", "mtls": {"mode": "strict", "min_ratio": "99%"}}]}"#;
    let spec = spec::load_str("shop.jsonnet", json).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(spec.services[0].name, "a\"b");
    assert_eq!(spec.services[0].namespace, "x\"}");
}

#[test]
fn runbook_urls_render_with_encoded_values() {
    let url = spec::render_runbook_url(
        "https://r.example/{{namespace}}/{{alert}}?s={{service}}",
        "A",
        "a\"b {{x}}",
        "ns",
    );
    assert_eq!(
        url.as_deref(),
        Some("https://r.example/ns/A?s=a%22b%20%7B%7Bx%7D%7D")
    );
}
