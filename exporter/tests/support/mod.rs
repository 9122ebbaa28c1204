//! Pieces of the two-sidecar Envoy mesh the exporter's integration tests run against: the mesh
//! itself, its authorization service and the TLS client live in the end-to-end harness
//! (`meshward-e2e`), which other end-to-end tests share; the exporter launcher is ours.

pub mod exporter;

pub use meshward_e2e::mesh;
