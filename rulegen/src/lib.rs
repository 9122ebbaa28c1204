//! `meshward`: compiles a declarative mesh-security spec into Prometheus recording and
//! alerting rules, promtool unit tests that prove every alert, Grafana dashboards and
//! monitoring mixins.

pub mod dashboard;
pub mod diag;
pub mod jsonnet;
pub mod mixin;
pub mod lint;
pub mod promql;
pub mod rulefile;
pub mod spec;
pub mod units;
pub mod yaml;
