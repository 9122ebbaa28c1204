//! `meshward-exporter`: scrapes mesh proxies, derives security signals from what they expose,
//! and serves them to Prometheus.
//!
//! - [`config`]: the configuration file and its positioned errors; [`target`]: one proxy
//!   endpoint; [`discovery`]: targets from file_sd files.
//! - [`scheduler`]: one scrape task per target; [`scrape`]: fetching and reading a body;
//!   [`derive`]: from one proxy's exposition to meshward's signals.
//! - [`store`]: what is known per target; [`render`]: the `/metrics` page; [`web`]: the HTTP
//!   server; [`events`]: every notable event, logged and counted in one place.
//! - [`app`]: start-up, reloads and shutdown; [`cli`] and [`logging`] for the binary.

pub mod app;
pub mod cli;
pub mod config;
pub mod derive;
pub mod discovery;
pub mod events;
pub mod logging;
pub mod render;
pub mod scheduler;
pub mod scrape;
pub mod store;
pub mod target;
pub mod web;
