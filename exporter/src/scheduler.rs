//! One scrape task per target, each on its own schedule, started and stopped as the
//! configuration changes.
//!
//! A target keeps its task (and so its derived state) across reloads as long as it is
//! unchanged; a changed target starts afresh; a removed target's task stops and its series
//! disappear. Scrape settings (interval, timeout, body limit) reach running tasks without
//! restarting them.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, Instant};

use crate::config::ScrapeSettings;
use crate::derive::DeriveSettings;
use crate::events;
use crate::scrape::process::Session;
use crate::scrape::{fetch, FetchLimits};
use crate::store::Store;
use crate::target::Target;

/// The running scrape tasks.
#[derive(Debug)]
pub struct Scheduler {
    store: Arc<Store>,
    settings: watch::Sender<ScrapeSettings>,
    tasks: BTreeMap<String, Task>,
    next_generation: u64,
}

#[derive(Debug)]
struct Task {
    target: Target,
    derive: DeriveSettings,
    handle: JoinHandle<()>,
}

impl Scheduler {
    /// A scheduler with no target yet.
    pub fn new(store: Arc<Store>, settings: ScrapeSettings) -> Scheduler {
        let (settings, _) = watch::channel(settings);
        Scheduler {
            store,
            settings,
            tasks: BTreeMap::new(),
            next_generation: 1,
        }
    }

    /// Makes the running tasks match `targets`, scraped with `settings` and derived with
    /// `derive`. Targets must have distinct addresses.
    pub fn apply(&mut self, targets: &[Target], settings: ScrapeSettings, derive: &DeriveSettings) {
        self.settings.send_if_modified(|current| {
            let changed = *current != settings;
            *current = settings;
            changed
        });

        let wanted: BTreeMap<&str, &Target> = targets
            .iter()
            .map(|target| (target.address.as_str(), target))
            .collect();
        let stale: Vec<String> = self
            .tasks
            .iter()
            .filter(|(address, task)| {
                wanted.get(address.as_str()) != Some(&&task.target) || task.derive != *derive
            })
            .map(|(address, _)| address.clone())
            .collect();
        for address in stale {
            self.stop(&address);
        }

        for target in targets {
            if !self.tasks.contains_key(&target.address) {
                self.start(target.clone(), derive.clone());
            }
        }
    }

    /// Stops every task.
    pub fn stop_all(&mut self) {
        let addresses: Vec<String> = self.tasks.keys().cloned().collect();
        for address in addresses {
            self.stop(&address);
        }
    }

    fn start(&mut self, target: Target, derive: DeriveSettings) {
        let generation = self.next_generation;
        self.next_generation += 1;
        self.store.insert(target.clone(), generation, derive.window);

        let scrape = ScrapeTask {
            target: target.clone(),
            generation,
            store: self.store.clone(),
            settings: self.settings.subscribe(),
        };
        let handle = tokio::spawn(scrape.run(Session::new(&target, derive.clone())));
        self.tasks.insert(
            target.address.clone(),
            Task {
                target,
                derive,
                handle,
            },
        );
    }

    fn stop(&mut self, address: &str) {
        if let Some(task) = self.tasks.remove(address) {
            task.handle.abort();
        }
        self.store.remove(address);
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        for task in self.tasks.values() {
            task.handle.abort();
        }
    }
}

/// The loop that scrapes one target.
struct ScrapeTask {
    target: Target,
    generation: u64,
    store: Arc<Store>,
    settings: watch::Receiver<ScrapeSettings>,
}

impl ScrapeTask {
    async fn run(self, mut session: Session) {
        let interval = self.settings.borrow().interval;
        let mut next = Instant::now() + offset(&self.target.address, interval);
        loop {
            sleep_until(next).await;
            let settings = *self.settings.borrow();
            self.scrape(&mut session, settings).await;

            next += settings.interval;
            let now = Instant::now();
            while next <= now {
                next += settings.interval;
            }
        }
    }

    async fn scrape(&self, session: &mut Session, settings: ScrapeSettings) {
        let at = SystemTime::now();
        let started = Instant::now();
        let limits = FetchLimits {
            timeout: settings.timeout,
            body_size_limit: settings.body_size_limit.0,
        };
        let fetched = fetch(&self.target.address, &self.target.metrics_path, limits).await;
        let (store, target, generation) = (&*self.store, &self.target, self.generation);
        match fetched {
            Err(error) => {
                events::scrape_failed(store, target, generation, &error, started.elapsed())
            }
            Ok(fetched) => {
                let processed = session.process(&fetched.body, fetched.content_type.as_deref(), at);
                let derived = processed.dialect.map(|_| session.derived());
                let took = started.elapsed();
                events::scrape_done(store, target, generation, &processed, derived, at, took);
            }
        }
    }
}

/// Where in the interval a target is scraped: spread by a hash of its address, so that
/// targets do not all fire at once, and stable, so each target keeps a steady rhythm.
fn offset(address: &str, interval: Duration) -> Duration {
    let mut hasher = DefaultHasher::new();
    address.hash(&mut hasher);
    let millis = interval.as_millis().max(1) as u64;
    Duration::from_millis(hasher.finish() % millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_stay_within_the_interval_and_are_stable() {
        let interval = Duration::from_secs(15);
        for address in ["a:1", "b:2", "10.0.0.7:15090"] {
            let first = offset(address, interval);
            assert!(first < interval);
            assert_eq!(first, offset(address, interval));
        }
        assert_ne!(offset("a:1", interval), offset("b:2", interval));
    }
}
