//! The exporter's life: load the configuration, schedule targets, serve, reload on SIGHUP or
//! when the configuration or target files change, and stop on SIGTERM or SIGINT.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;
use tracing::info;

use crate::cli::Flags;
use crate::config::{Config, FileError};
use crate::discovery::FileDiscovery;
use crate::events;
use crate::scheduler::Scheduler;
use crate::store::Store;
use crate::target::Target;
use crate::web::{self, Site};

/// Why the exporter could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration file is missing or invalid.
    #[error("invalid configuration:\n{0}")]
    Config(FileError),
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address from `--web.listen-address`.
        address: SocketAddr,
        /// Why binding failed.
        source: std::io::Error,
    },
    /// A signal handler could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
}

/// Runs the exporter until SIGTERM or SIGINT.
pub async fn run(flags: Flags) -> Result<(), StartError> {
    let config = Config::load(&flags.config_file).map_err(StartError::Config)?;
    let listener = bind(flags.listen_address.0).await?;
    let mut hangup = signal(SignalKind::hangup()).map_err(StartError::Signals)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(StartError::Signals)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(StartError::Signals)?;

    let store = Arc::new(Store::default());
    let site = Arc::new(Site {
        store: store.clone(),
        ready: false.into(),
        telemetry_path: flags.telemetry_path.clone(),
    });
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(web::serve(listener, site.clone(), stopped));

    // Not ready until the targets are scheduled: reading many target files takes a while.
    let mut runtime = Runtime::new(flags.config_file.clone(), store, &config);
    runtime.apply(config, false);
    site.ready.store(true, Ordering::Release);

    loop {
        let poll = runtime.config.scrape.interval;
        tokio::select! {
            _ = hangup.recv() => {
                info!(config = %runtime.path.display(), "Reloading on SIGHUP");
                runtime.reload();
            }
            _ = tokio::time::sleep(poll) => runtime.poll(),
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }

    info!("Shutting down");
    runtime.scheduler.stop_all();
    let _ = stop.send(true);
    let _ = server.await;
    Ok(())
}

async fn bind(address: SocketAddr) -> Result<TcpListener, StartError> {
    let listen_error = |source| StartError::Listen { address, source };
    let listener = match TcpListener::bind(address).await {
        // `:port` asks for every interface; a host without IPv6 has only the IPv4 ones.
        Err(_) if address.ip().is_unspecified() && address.is_ipv6() => {
            TcpListener::bind((Ipv4Addr::UNSPECIFIED, address.port())).await
        }
        other => other,
    }
    .map_err(listen_error)?;
    let local = listener.local_addr().map_err(listen_error)?;
    info!(address = %local, "Listening");
    Ok(listener)
}

/// The running configuration and what it drives.
struct Runtime {
    path: PathBuf,
    store: Arc<Store>,
    config: Config,
    /// Hash of the config file's content at the last load attempt, good or bad.
    attempted: u64,
    discovery: FileDiscovery,
    scheduler: Scheduler,
}

impl Runtime {
    fn new(path: PathBuf, store: Arc<Store>, config: &Config) -> Runtime {
        let scheduler = Scheduler::new(store.clone(), config.scrape);
        let attempted = file_fingerprint(&path);
        Runtime {
            path,
            store,
            config: config.clone(),
            attempted,
            discovery: FileDiscovery::default(),
            scheduler,
        }
    }

    /// Reloads the configuration file; a bad one is rejected and the current one kept.
    fn reload(&mut self) {
        self.attempted = file_fingerprint(&self.path);
        match Config::load(&self.path) {
            Ok(config) => self.apply(config, true),
            Err(error) => events::config_rejected(&self.store, &error),
        }
    }

    /// Reloads when the configuration file changed, else re-reads the target files.
    fn poll(&mut self) {
        if file_fingerprint(&self.path) != self.attempted {
            info!(config = %self.path.display(), "Configuration file changed; reloading");
            self.reload();
            return;
        }
        let refresh = self.discovery.refresh(&self.config.file_sd);
        for error in &refresh.errors {
            events::sd_file_rejected(&self.store, error);
        }
        if refresh.changed {
            self.schedule();
        }
    }

    fn apply(&mut self, config: Config, reload: bool) {
        self.config = config;
        let refresh = self.discovery.refresh(&self.config.file_sd);
        for error in &refresh.errors {
            events::sd_file_rejected(&self.store, error);
        }
        let targets = self.schedule();
        events::config_applied(
            &self.store,
            &self.path.display().to_string(),
            targets,
            reload,
        );
    }

    /// Schedules the static and discovered targets; returns how many there are.
    fn schedule(&mut self) -> usize {
        let targets = merge(&self.config.static_targets, &self.discovery.targets());
        let derive = self.config.derive_settings();
        self.scheduler.apply(&targets, self.config.scrape, &derive);
        targets.len()
    }
}

/// Static targets, then discovered ones; an address listed twice keeps its first listing.
fn merge(static_targets: &[Target], discovered: &[Target]) -> Vec<Target> {
    let mut merged: BTreeMap<&str, &Target> = BTreeMap::new();
    for target in static_targets.iter().chain(discovered) {
        match merged.get(target.address.as_str()) {
            Some(kept) if *kept != target => events::duplicate_target(kept, target),
            Some(_) => {}
            None => {
                merged.insert(&target.address, target);
            }
        }
    }
    merged.into_values().cloned().collect()
}

/// A hash of the file's content, or of the read error; changes whenever either does.
fn file_fingerprint(path: &std::path::Path) -> u64 {
    let mut hasher = DefaultHasher::new();
    match std::fs::read(path) {
        Ok(content) => content.hash(&mut hasher),
        Err(error) => error.kind().to_string().hash(&mut hasher),
    }
    hasher.finish()
}
