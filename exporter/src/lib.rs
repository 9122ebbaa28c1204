//! `meshward-exporter`: scrapes mesh proxies, derives security signals from what they expose,
//! and serves them to Prometheus.

pub mod derive;
