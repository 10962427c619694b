//! What an operator scrapes (`Host::metrics_text`, `GET /metrics` on the simulator's port):
//! the host's instances and what they use, in the OpenMetrics text format Prometheus reads,
//! through the Prometheus project's own client (`prometheus-client`).
//!
//! Counters move as outputs pass the host (patches, API results, endings); the figures of
//! live instances (heap, CPU, a worker's resident memory, shown / background / suspended)
//! are read at each scrape from their [`InstanceSender::vitals`], without asking them.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capsule_bridge::service::ApiHost;
use capsule_runtime::{InstanceSender, VitalState};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AppLabel {
    app: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiLabels {
    app: String,
    api: String,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TrafficLabels {
    app: String,
    direction: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndLabels {
    app: String,
    reason: &'static str,
}

/// The states `capsule_instances` counts, each present (zero before any app is open).
const STATES: [VitalState; 3] = [VitalState::Shown, VitalState::Background, VitalState::Suspended];

/// A live instance: its app, the way to read its figures, and the CPU counted so far.
struct Live {
    app: String,
    sender: InstanceSender,
    cpu_counted: Duration,
}

pub(crate) struct Monitor {
    registry: Registry,
    instances: Family<StateLabel, Gauge>,
    heap: Family<AppLabel, Gauge>,
    cpu: Family<AppLabel, Counter<f64, AtomicU64>>,
    worker_rss: Family<AppLabel, Gauge>,
    api_calls: Family<ApiLabels, Counter>,
    patches: Family<AppLabel, Counter>,
    terminations: Family<EndLabels, Counter>,
    network: Family<TrafficLabels, Counter>,
    storage: Family<AppLabel, Gauge>,
    live: Mutex<HashMap<u64, Live>>,
    /// Each app's door at the bridge, and the network bytes counted so far (sent, received).
    apps: Mutex<HashMap<String, Door>>,
}

/// An app's door at the bridge, and its network bytes counted so far (sent, received).
type Door = (Arc<dyn ApiHost>, (u64, u64));

impl Monitor {
    pub fn new() -> Monitor {
        let mut registry = Registry::with_prefix("capsule");
        let instances = Family::<StateLabel, Gauge>::default();
        let heap = Family::<AppLabel, Gauge>::default();
        let cpu = Family::<AppLabel, Counter<f64, AtomicU64>>::default();
        let worker_rss = Family::<AppLabel, Gauge>::default();
        let api_calls = Family::<ApiLabels, Counter>::default();
        let patches = Family::<AppLabel, Counter>::default();
        let terminations = Family::<EndLabels, Counter>::default();
        let network = Family::<TrafficLabels, Counter>::default();
        let storage = Family::<AppLabel, Gauge>::default();
        registry.register("instances", "Live instances by where they are", Family::clone(&instances));
        registry.register("instance_heap_bytes", "JS heap of an app's live instances", Family::clone(&heap));
        registry.register("instance_cpu_seconds", "CPU an app's instances used", Family::clone(&cpu));
        registry.register(
            "worker_rss_bytes",
            "Resident memory of an app's worker processes",
            Family::clone(&worker_rss),
        );
        registry.register(
            "api_calls",
            "API calls answered, by app, API and result",
            Family::clone(&api_calls),
        );
        registry.register("patches", "Patch batches an app's instances sent", Family::clone(&patches));
        registry.register("terminations", "Instances ended, by app and cause", Family::clone(&terminations));
        registry.register(
            "network_bytes",
            "Bytes an app sent and received over the network",
            Family::clone(&network),
        );
        registry.register("storage_bytes", "Bytes an app keeps in its storage", Family::clone(&storage));
        for state in STATES {
            instances.get_or_create(&StateLabel { state: state.as_str() }).set(0);
        }
        Monitor {
            registry,
            instances,
            heap,
            cpu,
            worker_rss,
            api_calls,
            patches,
            terminations,
            network,
            storage,
            live: Mutex::new(HashMap::new()),
            apps: Mutex::new(HashMap::new()),
        }
    }

    /// An app the host made: its network bytes and storage are read at each scrape.
    pub fn app(&self, app: &str, client: Arc<dyn ApiHost>) {
        self.apps
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(app.to_string())
            .or_insert((client, (0, 0)));
    }

    pub fn launched(&self, id: u64, app: &str, sender: InstanceSender) {
        let live = Live { app: app.to_string(), sender, cpu_counted: Duration::ZERO };
        self.live.lock().unwrap_or_else(|p| p.into_inner()).insert(id, live);
    }

    pub fn ended(&self, id: u64, app: &str, cause: crate::EndCause) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        self.terminations.get_or_create(&EndLabels { app: app.to_string(), reason: cause.as_str() }).inc();
    }

    /// With `max` instances live, ends the one longest in the background to make room for
    /// one more; none while every one is shown.
    pub fn make_room(&self, max: usize) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|_, l| l.sender.vitals().is_some());
        if live.len() < max {
            return;
        }
        let oldest =
            live.iter().filter_map(|(id, l)| l.sender.vitals()?.background_for.map(|d| (d, *id))).max();
        if let Some((_, id)) = oldest
            && let Some(l) = live.remove(&id)
        {
            l.sender.end_because(&format!(
                "ended to make room: {max} apps at most, the one longest in the background goes first"
            ));
        }
    }

    /// Ends every live instance of `app` for `reason`.
    pub fn end_app(&self, app: &str, reason: &str) {
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        for l in live.values().filter(|l| l.app == app) {
            l.sender.end_because(reason);
        }
    }

    pub fn patched(&self, app: &str) {
        self.patches.get_or_create(&AppLabel { app: app.to_string() }).inc();
    }

    pub fn answered(&self, app: &str, api: &str, ok: bool) {
        let labels =
            ApiLabels { app: app.to_string(), api: api.to_string(), result: if ok { "ok" } else { "fail" } };
        self.api_calls.get_or_create(&labels).inc();
    }

    /// The text a scrape gets, the live instances' figures read now.
    pub fn text(&self) -> String {
        let mut states: HashMap<&'static str, i64> = STATES.iter().map(|s| (s.as_str(), 0)).collect();
        let mut heap: HashMap<String, i64> = HashMap::new();
        let mut rss: HashMap<String, i64> = HashMap::new();
        {
            let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
            live.retain(|_, l| {
                let Some(v) = l.sender.vitals() else { return false };
                *states.entry(v.state.as_str()).or_default() += 1;
                if let Some(h) = v.heap {
                    *heap.entry(l.app.clone()).or_default() += h as i64;
                }
                if let Some(r) = v.rss {
                    *rss.entry(l.app.clone()).or_default() += r as i64;
                }
                let more = v.cpu.saturating_sub(l.cpu_counted);
                l.cpu_counted = l.cpu_counted.max(v.cpu);
                self.cpu.get_or_create(&AppLabel { app: l.app.clone() }).inc_by(more.as_secs_f64());
                true
            });
        }
        for (state, n) in states {
            self.instances.get_or_create(&StateLabel { state }).set(n);
        }
        self.heap.clear();
        for (app, bytes) in heap {
            self.heap.get_or_create(&AppLabel { app }).set(bytes);
        }
        self.worker_rss.clear();
        for (app, bytes) in rss {
            self.worker_rss.get_or_create(&AppLabel { app }).set(bytes);
        }
        for (app, (client, counted)) in self.apps.lock().unwrap_or_else(|p| p.into_inner()).iter_mut() {
            let (sent, received) = client.network_bytes();
            for (direction, now, before) in
                [("sent", sent, &mut counted.0), ("received", received, &mut counted.1)]
            {
                let labels = TrafficLabels { app: app.clone(), direction };
                self.network.get_or_create(&labels).inc_by(now.saturating_sub(*before));
                *before = (*before).max(now);
            }
            let info = client.call_sync("getStorageInfo", serde_json::json!({}));
            if let Some(kib) = info["currentSize"].as_i64() {
                self.storage.get_or_create(&AppLabel { app: app.clone() }).set(kib * 1024);
            }
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
