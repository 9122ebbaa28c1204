//! Jsonnet specs: evaluation with jpaths and external variables, confined imports, and errors
//! that carry file and line.

use std::fs;
use std::path::Path;

use meshward_rulegen::jsonnet::{evaluate, read_sources, JsonnetOptions};
use meshward_rulegen::spec::load_sources;
use serde_json::{json, Value};

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn eval(path: &Path, options: &JsonnetOptions) -> Value {
    let text = evaluate(path, options).unwrap_or_else(|d| panic!("{}\n{:?}", d.message, d.help));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn evaluates_with_imports_jpaths_and_external_variables() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("specs/shop.jsonnet");
    write(
        &dir.path().join("specs/local.libsonnet"),
        "{ namespace: 'shop' }",
    );
    write(
        &dir.path().join("lib/meshward/services.libsonnet"),
        "{ service(n):: { name: n } }",
    );
    write(
        &spec,
        r#"
        local local_ = import 'local.libsonnet';
        local lib = import 'meshward/services.libsonnet';
        {
          version: 1,
          name: std.extVar('name'),
          labels: std.extVar('labels'),
          services: [lib.service('checkout') + { namespace: local_.namespace }],
        }
        "#,
    );
    let mut options = JsonnetOptions {
        jpaths: vec![dir.path().join("lib")],
        ..JsonnetOptions::default()
    };
    options.ext_str.insert("name".into(), "shop".into());
    options
        .ext_code
        .insert("labels".into(), "{ team: 'sre' }".into());
    assert_eq!(
        eval(&spec, &options),
        json!({
            "version": 1,
            "name": "shop",
            "labels": {"team": "sre"},
            "services": [{"name": "checkout", "namespace": "shop"}],
        })
    );
}

#[test]
fn imports_outside_the_spec_directory_and_jpaths_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("secret.libsonnet"), "{ token: 'x' }");
    write(&dir.path().join("lib/ok.libsonnet"), "{ ok: true }");
    let cases = [
        ("../secret.libsonnet", false),
        (
            &*dir.path().join("secret.libsonnet").display().to_string(),
            false,
        ),
        ("/etc/hostname", false),
    ];
    for (import, _) in cases {
        let spec = dir.path().join("specs/spec.jsonnet");
        write(&spec, &format!("\n  import '{import}'\n"));
        let error = evaluate(&spec, &JsonnetOptions::default()).unwrap_err();
        assert_eq!(
            error.code, "jsonnet/import-refused",
            "{import}: {}",
            error.message
        );
        assert!(
            error.message.contains("spec.jsonnet:2:"),
            "the error names file and line: {}",
            error.message
        );
        assert!(error.message.contains("--jpath"), "{}", error.message);
        assert!(
            error.message.contains(":2:10: import refused"),
            "{}",
            error.message
        );
    }

    // The same file is fine once its directory is a jpath.
    let spec = dir.path().join("specs/spec.jsonnet");
    write(&spec, "import 'ok.libsonnet'");
    let options = JsonnetOptions {
        jpaths: vec![dir.path().join("lib")],
        ..JsonnetOptions::default()
    };
    assert_eq!(eval(&spec, &options), json!({"ok": true}));
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_spec_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("outside/secret.libsonnet"),
        "{ token: 'x' }",
    );
    fs::create_dir_all(dir.path().join("specs")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("outside/secret.libsonnet"),
        dir.path().join("specs/link.libsonnet"),
    )
    .unwrap();
    let spec = dir.path().join("specs/spec.jsonnet");
    write(&spec, "import 'link.libsonnet'");
    let error = evaluate(&spec, &JsonnetOptions::default()).unwrap_err();
    assert_eq!(error.code, "jsonnet/import-refused", "{}", error.message);
}

#[test]
fn errors_carry_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.jsonnet");

    write(&spec, "{\n  a: 1,\n  b: ,\n}\n");
    let error = evaluate(&spec, &JsonnetOptions::default()).unwrap_err();
    assert_eq!(error.code, "jsonnet/syntax");
    assert!(
        error.message.contains("spec.jsonnet:3:"),
        "{}",
        error.message
    );

    write(
        &spec,
        "{\n  a: 1,\n  b: error 'services must not be empty',\n}\n",
    );
    let error = evaluate(&spec, &JsonnetOptions::default()).unwrap_err();
    assert_eq!(error.code, "jsonnet/evaluation");
    assert!(
        error.message.contains("spec.jsonnet:3:"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("services must not be empty"),
        "{}",
        error.message
    );
    assert!(error.help.unwrap().contains("Jsonnet trace"));

    write(&spec, "std.extVar('missing')");
    let error = evaluate(&spec, &JsonnetOptions::default()).unwrap_err();
    assert!(error.message.contains("missing"), "{}", error.message);

    write(&spec, "{\n  a: import 'nowhere.libsonnet',\n}");
    let error = evaluate(&spec, &JsonnetOptions::default()).unwrap_err();
    assert_eq!(error.code, "jsonnet/import-not-found", "{}", error.message);
    assert!(
        error.message.contains("spec.jsonnet:2:13"),
        "{}",
        error.message
    );

    let error = evaluate(
        &dir.path().join("absent.jsonnet"),
        &JsonnetOptions::default(),
    );
    assert_eq!(error.unwrap_err().code, "jsonnet/read");
}

#[test]
fn ext_arguments_are_parsed_as_name_equals_value() {
    assert_eq!(
        JsonnetOptions::parse_ext("env=prod=eu").unwrap(),
        ("env".to_owned(), "prod=eu".to_owned())
    );
    assert!(JsonnetOptions::parse_ext("novalue").is_err());
    assert!(JsonnetOptions::parse_ext("1x=y").is_err());
}

#[test]
fn a_jsonnet_spec_loads_like_its_yaml_twin() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("shop.yaml");
    let jsonnet = dir.path().join("shop.jsonnet");
    write(
        &yaml,
        "version: 1\nname: shop\nmesh: istio\nservices:\n  - name: checkout\n    namespace: shop\n    mtls: {mode: strict, min_ratio: 0.99}\n",
    );
    write(
        &jsonnet,
        "local svc(name) = { name: name, namespace: 'shop', mtls: { mode: 'strict', min_ratio: 0.99 } };\n\
         { version: 1, name: std.extVar('name'), mesh: 'istio', services: [svc('checkout')] }\n",
    );
    let mut options = JsonnetOptions::default();
    options.ext_str.insert("name".into(), "shop".into());
    let load = |path: &Path| {
        let sources = read_sources(&[path.to_path_buf()], &options).unwrap();
        let mut spec = load_sources(&sources).unwrap_or_else(|d| panic!("{d:#?}"));
        spec.sources = Default::default();
        spec
    };
    let from_yaml = load(&yaml);
    let from_jsonnet = load(&jsonnet);
    assert_eq!(from_yaml.services.len(), 1);
    assert_eq!(
        from_yaml.services[0]
            .mtls
            .as_ref()
            .unwrap()
            .min_ratio
            .to_string(),
        "0.99"
    );
    let (a, b) = (
        from_yaml.services[0].mtls.as_ref().unwrap(),
        from_jsonnet.services[0].mtls.as_ref().unwrap(),
    );
    assert_eq!(
        (a.mode, a.min_ratio, a.for_, a.severity),
        (b.mode, b.min_ratio, b.for_, b.severity)
    );
    assert_eq!(from_yaml.services[0].name, from_jsonnet.services[0].name);
    assert_eq!(from_yaml.name, from_jsonnet.name);
}

#[test]
fn every_unreadable_spec_file_is_reported_yaml_and_jsonnet_alike() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.jsonnet");
    write(&broken, "{ a: }\n");
    let good = dir.path().join("good.jsonnet");
    write(&good, "{ version: 1 }\n");
    let paths = [dir.path().join("missing.yaml"), good, broken];
    let errors = read_sources(&paths, &JsonnetOptions::default()).unwrap_err();
    let codes: Vec<&str> = errors.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["spec/unreadable-file", "jsonnet/syntax"]);

    let errors = read_sources(&[], &JsonnetOptions::default()).unwrap_err();
    assert_eq!(errors[0].code, "spec/no-files");
}
