//! The vocabulary of mesh security signals that both halves of meshward speak.
//!
//! `meshward-exporter` reads the metrics that proxies expose and writes the `meshward_*`
//! series; the `meshward` rule generator writes PromQL that reads either of them. Every metric
//! name and label key that crosses that boundary is defined here once, so a rename is a
//! compile error on both sides instead of a silently empty query.
//!
//! - [`exported`]: what `meshward-exporter` serves on `/metrics`.
//! - [`envoy`], [`istio`], [`linkerd`]: what the proxies themselves expose.
//! - [`prometheus`]: conventions of the exposition format itself.
//! - [`rules`]: what the rules `meshward` generates record and alert on.
//! - [`Dialect`]: which of those three vocabularies a proxy speaks.

#![deny(missing_docs)]

pub mod envoy;
pub mod exported;
pub mod istio;
pub mod linkerd;
pub mod prometheus;
pub mod rules;

mod dialect;

pub use dialect::{Dialect, UnknownDialect};
