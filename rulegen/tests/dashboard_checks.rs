//! Dashboards against the JSON Schema derived from Grafana's published types (`rulegen/schema/`)
//! and against meshward's invariants, and proof that both catch the mistakes they exist for.

use meshward_rulegen::dashboard::builder::{
    dashboard, datasource_variable, label_variable, DashboardMeta, PanelBuilder,
};
use meshward_rulegen::dashboard::json::to_pretty_json;
use meshward_rulegen::dashboard::layout::Layout;
use meshward_rulegen::dashboard::model::{
    Dashboard, FieldOverride, Link, Matcher, OverrideProperty, Thresholds, VariableQuery,
};
use meshward_rulegen::dashboard::{invariants, schema};
use serde_json::{json, Value};

/// Every schema error as `path: message`.
fn schema_errors(dashboard: &Value) -> Vec<String> {
    schema::errors(dashboard)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A dashboard with one panel of every kind meshward draws, built like the real ones.
fn sample() -> Dashboard {
    let mut layout = Layout::new();
    layout.row("Overview");
    layout.add(
        PanelBuilder::stat(
            "mTLS adoption",
            "Share of inbound requests over mutual TLS.",
        )
        .query("min(mesh:mtls:ratio_rate5m{namespace=~\"$namespace\"})", "")
        .unit("percentunit")
        .thresholds(Thresholds::absolute(
            "red",
            &[(0.9, "orange"), (0.99, "green")],
        ))
        .build(),
        6,
        5,
    );
    layout.add(
        PanelBuilder::gauge("Error budget left", "Remaining error budget.")
            .query(
                "1 - max(mesh:errors:ratio_rate5m{service=~\"$service\"})",
                "",
            )
            .unit("percentunit")
            .range(Some(0.0), Some(1.0))
            .build(),
        6,
        5,
    );
    layout.add(
        PanelBuilder::timeseries("Requests", "Inbound request rate.")
            .query(
                "sum by (workload) (rate(meshward_requests_total{namespace=~\"$namespace\"}[$__rate_interval]))",
                "{{workload}}",
            )
            .unit("reqps")
            .show_thresholds()
            .link(Link::external("Runbook", "https://runbooks.example.com/x", "How to act", "doc"))
            .build(),
        12,
        8,
    );
    layout.add(
        PanelBuilder::table(
            "Certificates",
            "Certificates closest to expiry.",
            "Expires in",
            false,
        )
        .query(
            "bottomk(10, meshward_certificate_expiry_timestamp_seconds - time())",
            "",
        )
        .unit("s")
        .override_field(FieldOverride {
            matcher: Matcher {
                id: "byName".to_owned(),
                options: "Value".to_owned(),
            },
            properties: vec![OverrideProperty {
                id: "displayName".to_owned(),
                value: json!("Expires in"),
            }],
        })
        .transform("organize", json!({"excludeByName": {"Time": true}}))
        .build(),
        24,
        8,
    );
    dashboard(
        &DashboardMeta {
            uid: "meshward-sample",
            title: "Sample",
            description: "Every panel kind.",
            tags: &["meshward"],
        },
        vec![
            datasource_variable(),
            label_variable(
                "namespace",
                "Namespace",
                "meshward_requests_total",
                "Namespaces.",
            ),
            label_variable("service", "Service", "meshward_requests_total", "Services."),
        ],
        vec![Link::dashboard(
            "Overview",
            "meshward-overview",
            "Back to the overview",
        )],
        layout.finish(),
    )
}

fn sample_json() -> Value {
    serde_json::from_str(&to_pretty_json(&sample())).unwrap()
}

#[test]
fn the_sample_satisfies_the_schema_and_the_invariants() {
    let dashboard = sample();
    assert_eq!(invariants::check(&dashboard), vec![]);
    assert_eq!(schema_errors(&sample_json()), Vec::<String>::new());
}

#[test]
fn output_is_deterministic_and_round_trips_through_the_typed_model() {
    let text = to_pretty_json(&sample());
    assert_eq!(text, to_pretty_json(&sample()));
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
    assert!(
        text.starts_with("{\n  \"annotations\""),
        "two-space indent, sorted keys"
    );
    let back: Dashboard = serde_json::from_str(&text).unwrap();
    assert_eq!(back, sample());
}

/// Applies `mutate` to the sample's JSON and returns the schema errors.
fn errors_after(mutate: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut value = sample_json();
    mutate(&mut value);
    schema_errors(&value)
}

fn assert_caught(errors: &[String], path: &str, needle: &str) {
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(path) && e.contains(needle)),
        "expected an error at {path} mentioning {needle:?}, got {errors:#?}"
    );
}

#[test]
fn the_schema_catches_misspelt_keys() {
    let errors = errors_after(|d| {
        let defaults = &mut d["panels"][1]["fieldConfig"]["defaults"];
        let unit = defaults.as_object_mut().unwrap().remove("unit").unwrap();
        defaults["unitt"] = unit;
    });
    assert_caught(&errors, "/panels/1/fieldConfig/defaults", "unitt");

    let errors = errors_after(|d| {
        let panel = d["panels"][2].as_object_mut().unwrap();
        let pos = panel.remove("gridPos").unwrap();
        panel.insert("gridpos".to_owned(), pos);
    });
    assert_caught(&errors, "/panels/2", "gridpos");

    let errors = errors_after(|d| {
        d["templating"]["list"][1]["mutli"] = json!(true);
    });
    assert_caught(&errors, "/templating/list/1", "mutli");

    let errors = errors_after(|d| {
        let target = d["panels"][3]["targets"][0].as_object_mut().unwrap();
        let expr = target.remove("expr").unwrap();
        target.insert("exprr".to_owned(), expr);
    });
    assert_caught(&errors, "/panels/3/targets/0", "exprr");

    let errors = errors_after(|d| {
        d["panels"][1]["options"]["reduceOptions"]["calc"] = json!(["mean"]);
    });
    assert_caught(&errors, "/panels/1/options/reduceOptions", "calc");
}

#[test]
fn the_schema_catches_wrong_types() {
    let errors = errors_after(|d| d["panels"][2]["gridPos"]["w"] = json!("18"));
    assert_caught(&errors, "/panels/2/gridPos/w", "not of type");

    let errors = errors_after(|d| d["schemaVersion"] = json!("39"));
    assert_caught(&errors, "/schemaVersion", "not of type");

    let errors = errors_after(|d| d["panels"][3]["options"]["legend"]["displayMode"] = json!(1));
    assert_caught(&errors, "/panels/3/options/legend/displayMode", "");
}

#[test]
fn the_schema_requires_what_grafana_cannot_default() {
    let errors = errors_after(|d| {
        d["panels"][2].as_object_mut().unwrap().remove("type");
    });
    assert_caught(&errors, "/panels/2", "type");

    let errors = errors_after(|d| {
        d["panels"][2]["gridPos"]
            .as_object_mut()
            .unwrap()
            .remove("h");
    });
    assert_caught(&errors, "/panels/2/gridPos", "\"h\"");
}

#[test]
fn inputs_placeholders_are_refused() {
    let mut value = sample_json();
    value["__inputs"] = json!([{"name": "DS_PROMETHEUS", "type": "datasource"}]);
    assert_caught(&schema_errors(&value), "", "__inputs");
    assert!(invariants::check_json(&value.to_string()).is_err());
}

/// The rules broken after `mutate`.
fn violations_after(mutate: impl FnOnce(&mut Dashboard)) -> Vec<&'static str> {
    let mut dashboard = sample();
    mutate(&mut dashboard);
    invariants::check(&dashboard)
        .iter()
        .map(|v| v.rule)
        .collect()
}

#[test]
fn invariants_catch_layout_mistakes() {
    assert!(violations_after(|d| d.panels[2].grid_pos.x = 4).contains(&"grid/overlap"));
    assert!(violations_after(|d| d.panels[3].grid_pos.x = 13).contains(&"grid/bounds"));
    assert!(violations_after(|d| d.panels[2].id = 2 - 1).contains(&"panel/unique-id"));
}

#[test]
fn invariants_catch_identity_and_variable_mistakes() {
    for bad in ["Mesh_Overview", "1-mesh", "", &"a".repeat(41)] {
        assert_eq!(
            violations_after(|d| d.uid = bad.to_owned()),
            vec!["dashboard/uid"],
            "{bad}"
        );
    }
    assert_eq!(
        violations_after(|d| d.schema_version = 36),
        vec!["dashboard/schema-version"]
    );
    // The sample's gauge reads $service, so removing it also breaks that reference.
    assert_eq!(
        violations_after(|d| {
            d.templating.list.remove(2);
        }),
        vec!["target/variable", "variable/required"]
    );
    assert_eq!(
        violations_after(|d| d.templating.list[1].refresh = 1),
        vec!["variable/refresh"]
    );
    let broken_query = |d: &mut Dashboard| {
        if let VariableQuery::Prometheus(query) = &mut d.templating.list[2].query {
            query.query =
                "label_values(meshward_requests_total{namespace=~\"$namespace\", service)"
                    .to_owned();
        }
    };
    assert_eq!(violations_after(broken_query), vec!["variable/query"]);
    assert!(violations_after(|d| {
        d.templating.list.remove(0);
    })
    .contains(&"variable/datasource-picker"));
}

/// The thresholds of panel `index`.
fn thresholds(dashboard: &mut Dashboard, index: usize) -> &mut Thresholds {
    &mut dashboard.panels[index]
        .field_config
        .as_mut()
        .expect("the sample's panels have a field config")
        .defaults
        .thresholds
}

#[test]
fn invariants_catch_panel_mistakes() {
    assert_eq!(
        violations_after(|d| d.panels[1].description = None),
        vec!["panel/description"]
    );
    assert_eq!(
        violations_after(|d| d.panels[1].datasource.as_mut().unwrap().uid = "prom".to_owned()),
        vec!["panel/datasource"]
    );
    assert_eq!(
        violations_after(|d| d.panels[1].targets[0].datasource.uid = "$DS_PROMETHEUS".to_owned()),
        vec!["target/datasource"]
    );
    assert_eq!(
        violations_after(
            |d| d.panels[1].field_config.as_mut().unwrap().defaults.unit =
                "percentunits".to_owned()
        ),
        vec!["panel/unit"]
    );
    assert_eq!(
        violations_after(|d| thresholds(d, 1).steps.swap(1, 2)),
        vec!["thresholds/sorted"]
    );
    assert_eq!(
        violations_after(|d| thresholds(d, 1).steps[0].value = Some(0.0)),
        vec!["thresholds/base"]
    );
}

#[test]
fn invariants_catch_query_mistakes() {
    let duplicate = |d: &mut Dashboard| {
        let target = d.panels[3].targets[0].clone();
        d.panels[3].targets.push(target);
    };
    assert_eq!(violations_after(duplicate), vec!["target/unique-ref-id"]);
    assert_eq!(
        violations_after(
            |d| d.panels[3].targets[0].expr = "sum(rate(meshward_requests_total[5m]))".to_owned()
        ),
        vec!["target/rate-interval"]
    );
    assert_eq!(
        violations_after(
            |d| d.panels[3].targets[0].expr = "sum(rate(x[$__rate_interval])".to_owned()
        ),
        vec!["target/promql"]
    );
    assert_eq!(
        violations_after(|d| d.panels[3].targets[0].expr = "x{job=~\"$job\"}".to_owned()),
        vec!["target/variable"]
    );
    assert_eq!(
        violations_after(|d| d.panels[4].targets[0].instant = false),
        vec!["target/table"]
    );
}

#[test]
fn check_file_reports_positions_and_rules() {
    let text = to_pretty_json(&sample());
    assert_eq!(invariants::check_file("d.json", &text), vec![]);
    let broken = text.replace("\"uid\": \"meshward-sample\"", "\"uid\": \"Bad_UID\"");
    let found = invariants::check_file("d.json", &broken);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "dashboard/uid");
    assert!(
        found[0].message.starts_with("d.json: /uid:"),
        "{}",
        found[0].message
    );
    let unknown = text.replacen("{\n", "{\n  \"__inputs\": [],\n", 1);
    let found = invariants::check_file("d.json", &unknown);
    assert_eq!(found[0].code, "dashboard/model");
    assert!(
        found[0].message.starts_with("d.json:2:"),
        "{}",
        found[0].message
    );
}
