//! The declarative spec: its model, and loading it from YAML (or Jsonnet-produced JSON) with
//! positioned diagnostics.
//!
//! ```
//! use meshward_rulegen::spec;
//!
//! let spec = spec::load_str("shop.yaml", "version: 1\nname: shop\nmesh: istio\nservices:\n  - {name: checkout, namespace: shop, mtls: {mode: strict}}\n").unwrap();
//! assert_eq!(spec.services[0].workload, "checkout");
//!
//! let errors = spec::load_str("shop.yaml", "version: 1\nname: shop\nmesh: istio\nservices:\n  - {name: checkout, namespace: shop, mtls: {min_ration: 0.9}}\n").unwrap_err();
//! assert_eq!(errors[0].code, "spec/unknown-key");
//! assert_eq!(errors[0].help.as_deref(), Some("did you mean `min_ratio`?"));
//! ```

pub(crate) mod decode;
mod load;
pub mod model;
mod user_rules;
pub mod validate;

pub use load::{
    load, load_sources, load_str, read_sources, DEFAULT_EVALUATION_INTERVAL,
    DEFAULT_SCRAPE_INTERVAL, VERSION,
};
pub(crate) use load::{read_source, read_sources_with};

pub use user_rules::{group_name as user_rules_group_name, to_rule as user_rule_to_rule};
pub use validate::render_runbook_url;

/// Decodes one rule of a rule file (same shape as the spec's `rules:` items).
pub(crate) fn user_rules_decode(
    decoder: &mut decode::Decoder,
    node: &crate::yaml::Node,
) -> Option<(crate::rulefile::Rule, crate::lint::RulePositions)> {
    user_rules::decode(decoder, node).map(|l| (user_rules::to_rule(&l.rule), l.positions))
}
