//! `meshward-exporter`: scrapes mesh proxies, derives security signals from what they expose,
//! and serves them to Prometheus.
//!
//! - [`config`]: the configuration file and its positioned errors.
//! - [`target`]: one proxy endpoint to scrape.
//! - [`derive`]: from one proxy's exposition to meshward's signals.

pub mod config;
pub mod derive;
pub mod discovery;
pub mod events;
pub mod render;
pub mod scheduler;
pub mod scrape;
pub mod store;
pub mod target;
