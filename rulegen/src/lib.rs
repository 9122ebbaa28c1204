//! `meshward`: compiles a declarative mesh-security spec into Prometheus recording and
//! alerting rules, promtool unit tests that prove every alert, Grafana dashboards and
//! monitoring mixins.

pub mod check;
pub mod cli;
pub mod dashboard;
pub mod diag;
pub mod emit;
pub mod generate;
pub mod jsonnet;
pub mod lint;
pub mod mixin;
pub mod promql;
pub mod rulefile;
pub mod ruleread;
pub mod spec;
pub mod units;
pub mod yaml;
