//! Grafana dashboards: a typed model of classic dashboard JSON, the grid layout, the
//! invariants every generated dashboard satisfies, and the dashboards built from a compiled
//! spec.
//!
//! Dashboards are classic (v1) JSON, which Grafana 10 to 13 import, provision from files and
//! load through the Kubernetes sidecar and the grafana-operator alike. Every panel and query
//! uses the `datasource` template variable, so no import-time `__inputs` are needed.

pub mod builder;
pub mod deliver;
pub mod emit;
pub mod expr;
pub mod generate;
pub mod invariants;
pub mod json;
pub mod layout;
pub mod lint;
pub mod model;
pub mod schema;
pub mod units;

pub use model::Dashboard;
