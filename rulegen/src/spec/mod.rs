//! The declarative spec: its model, and loading it from YAML with positioned diagnostics.

pub mod model;
