//! Pieces of the two-sidecar Envoy mesh the exporter's integration tests run against.

pub mod authz;
pub mod exporter;
pub mod mesh;
pub mod tls_client;
