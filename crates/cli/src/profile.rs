//! `capsule profile`: what an app costs a phone's battery, measured. The app runs headless
//! as `exec` runs it (its page, its steps), then for a while in the foreground and as long
//! in the background (the platform's policy: suspended after 5 s there), and the instance's
//! own counts are read at each boundary: CPU, timer wake-ups, `setData`, network calls,
//! sensor samples. Advice lines name what costs battery.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use capsule_package::LoadOptions;
use capsule_runtime::{Input, Limits, Query};
use serde_json::{Value, json};

use crate::exec::{Modal, Session};

/// A repeating timer shorter than this wakes the phone often enough to say so.
const SHORT_INTERVAL_MS: f64 = 1000.0;
/// Requests to one origin closer together than this could have been one.
const BATCH_WINDOW_MS: u64 = 100;
/// One URL asked this many times at a steady pace is polling.
const POLLING_TIMES: usize = 3;
/// `setData` more often than this in a second, or larger than this, is worth a line.
const SET_DATA_PER_SECOND: u64 = 20;
const SET_DATA_BYTES: u64 = 256 * 1024;

#[allow(clippy::too_many_arguments)]
pub fn run(
    path: &Path,
    page: Option<&str>,
    steps: &[String],
    seconds: f64,
    json_out: bool,
    bridge: &crate::BridgeArgs,
    color: bool,
    options: &LoadOptions,
) -> anyhow::Result<ExitCode> {
    let window = Duration::from_secs_f64(seconds.max(0.1));
    let mut session =
        match Session::start(path, page, steps, Modal::Cancel, Limits::default(), bridge, color, options)? {
            Ok(session) => session,
            Err(code) => return Ok(code),
        };
    let start = session.query(Query::Metrics);
    session.wait(window);
    let foreground = session.query(Query::Metrics);
    session.request(Input::Hide);
    session.wait(window);
    let background = session.query(Query::Metrics);
    let report = Report::of(session.started, window, &start, &foreground, &background);
    if json_out {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        report.print(window);
    }
    if let Some(reason) = &session.terminated {
        eprintln!("error: the instance was terminated: {reason}");
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

/// What a profile found.
struct Report {
    cold_start_ms: f64,
    heap_bytes: u64,
    cpu_fg: f64,
    cpu_bg: f64,
    wakeups_fg: f64,
    wakeups_bg: f64,
    shortest_interval_ms: Option<f64>,
    set_data_per_sec_max: u64,
    set_data_bytes_max: u64,
    network: Vec<(u64, String)>,
    batchable: usize,
    sensors_fg: f64,
    sensors_bg: f64,
    advice: Vec<String>,
}

fn number(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(0.0)
}

fn usage(v: &Value, key: &str) -> f64 {
    v["usage"][key].as_f64().unwrap_or(0.0)
}

fn sensor_samples(v: &Value) -> f64 {
    v["usage"]["apiCalls"]["device.sensors"].as_f64().unwrap_or(0.0)
}

/// The origin of a URL as the bridge's allow-list reads it, or the URL when it has none.
fn origin(url: &str) -> String {
    capsule_bridge::origin::origin_of(url).unwrap_or_else(|| url.to_string())
}

impl Report {
    fn of(started: Duration, window: Duration, start: &Value, fg: &Value, bg: &Value) -> Report {
        let per_min = |later: f64, earlier: f64| (later - earlier).max(0.0) * 60.0 / window.as_secs_f64();
        let network: Vec<(u64, String)> = bg["usage"]["network"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| (r["atMs"].as_u64().unwrap_or(0), r["url"].as_str().unwrap_or_default().to_string()))
            .collect();
        let batchable = network
            .windows(2)
            .filter(|w| {
                origin(&w[0].1) == origin(&w[1].1) && w[1].0.saturating_sub(w[0].0) <= BATCH_WINDOW_MS
            })
            .count();
        let mut report = Report {
            cold_start_ms: started.as_secs_f64() * 1000.0,
            heap_bytes: fg["heap"].as_u64().unwrap_or(0),
            cpu_fg: per_min(number(fg, "cpuTotalMs"), number(start, "cpuTotalMs")),
            cpu_bg: per_min(number(bg, "cpuTotalMs"), number(fg, "cpuTotalMs")),
            wakeups_fg: per_min(usage(fg, "timerFirings"), usage(start, "timerFirings")),
            wakeups_bg: per_min(usage(bg, "timerFirings"), usage(fg, "timerFirings")),
            shortest_interval_ms: bg["usage"]["shortestIntervalMs"].as_f64(),
            set_data_per_sec_max: bg["usage"]["setDataPerSecondMax"].as_u64().unwrap_or(0),
            set_data_bytes_max: bg["setDataMaxBytes"].as_u64().unwrap_or(0),
            network,
            batchable,
            sensors_fg: per_min(sensor_samples(fg), sensor_samples(start)),
            sensors_bg: per_min(sensor_samples(bg), sensor_samples(fg)),
            advice: Vec::new(),
        };
        report.advice = report.advise();
        report
    }

    fn advise(&self) -> Vec<String> {
        let mut advice = Vec::new();
        if let Some(ms) = self.shortest_interval_ms.filter(|ms| *ms < SHORT_INTERVAL_MS) {
            advice.push(format!(
                "a timer repeats every {ms:.0} ms: {:.0} wake-ups a minute keep the phone's CPU awake; \
                 repeat at 1 s or more, or only while the page is shown",
                60_000.0 / ms
            ));
        }
        if self.sensors_bg > 0.0 {
            advice.push(format!(
                "a sensor kept sampling in the background ({:.0} samples a minute until the app was suspended): \
                 stop it in onHide (wx.stopAccelerometer / wx.stopCompass)",
                self.sensors_bg
            ));
        }
        for (url, times) in polled(&self.network) {
            advice.push(format!(
                "{url} was requested {} times about every {:.1} s (polling): each request wakes the radio; \
                 push updates (a socket) or ask less often",
                times.len(),
                mean_gap(&times) / 1000.0
            ));
        }
        if self.batchable > 0 {
            advice.push(format!(
                "{} requests went to the same origin within {BATCH_WINDOW_MS} ms of the one before: batch them into one",
                self.batchable
            ));
        }
        if self.set_data_per_sec_max > SET_DATA_PER_SECOND {
            advice.push(format!(
                "setData ran {} times in one second: merge updates (one setData per frame at most)",
                self.set_data_per_sec_max
            ));
        }
        if self.set_data_bytes_max > SET_DATA_BYTES {
            advice.push(format!(
                "one setData carried {} KiB: send only what changed (a path like 'list[3].done')",
                self.set_data_bytes_max / 1024
            ));
        }
        advice
    }

    fn json(&self) -> Value {
        json!({
            "cold_start_ms": self.cold_start_ms,
            "heap_bytes": self.heap_bytes,
            "cpu_ms_per_min_foreground": self.cpu_fg,
            "cpu_ms_per_min_background": self.cpu_bg,
            "timer_wakeups_per_min": self.wakeups_fg,
            "timer_wakeups_per_min_background": self.wakeups_bg,
            "shortest_interval_ms": self.shortest_interval_ms,
            "setdata_per_sec_max": self.set_data_per_sec_max,
            "setdata_bytes_max": self.set_data_bytes_max,
            "network_requests": self.network.len(),
            "network_requests_batchable": self.batchable,
            "sensor_samples_per_min_foreground": self.sensors_fg,
            "sensor_samples_per_min_background": self.sensors_bg,
            "advice": self.advice,
        })
    }

    fn print(&self, window: Duration) {
        let s = window.as_secs_f64();
        println!("cold start                 {:>10.2} ms", self.cold_start_ms);
        println!("heap                       {:>10.1} KiB", self.heap_bytes as f64 / 1024.0);
        println!("CPU, foreground ({s:.0} s)      {:>10.1} ms a minute", self.cpu_fg);
        println!("CPU, background ({s:.0} s)      {:>10.1} ms a minute", self.cpu_bg);
        println!("timer wake-ups, foreground {:>10.0} a minute", self.wakeups_fg);
        println!("timer wake-ups, background {:>10.0} a minute", self.wakeups_bg);
        println!(
            "setData                    {:>10} a second at most, {} bytes at most",
            self.set_data_per_sec_max, self.set_data_bytes_max
        );
        println!(
            "network requests           {:>10} ({} could have been batched)",
            self.network.len(),
            self.batchable
        );
        println!(
            "sensor samples             {:>10.0} a minute in the foreground, {:.0} in the background",
            self.sensors_fg, self.sensors_bg
        );
        if self.advice.is_empty() {
            println!("\nnothing here costs battery that need not");
        } else {
            println!();
            for line in &self.advice {
                println!("advice: {line}");
            }
        }
    }
}

/// URLs asked at least [`POLLING_TIMES`] times, with the times they were asked.
fn polled(network: &[(u64, String)]) -> Vec<(String, Vec<u64>)> {
    let mut by_url: Vec<(String, Vec<u64>)> = Vec::new();
    for (at, url) in network {
        match by_url.iter_mut().find(|(u, _)| u == url) {
            Some((_, times)) => times.push(*at),
            None => by_url.push((url.clone(), vec![*at])),
        }
    }
    by_url.retain(|(_, times)| times.len() >= POLLING_TIMES);
    by_url
}

fn mean_gap(times: &[u64]) -> f64 {
    let (first, last) = (times[0], times[times.len() - 1]);
    (last - first) as f64 / (times.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_polling() {
        assert_eq!(origin("https://a.example:8080/x?y"), "https://a.example:8080");
        assert_eq!(origin("http://127.0.0.1/"), "http://127.0.0.1");
        assert_eq!(origin("not a url"), "not a url");
        let network = vec![(0, "u".to_string()), (500, "u".into()), (1000, "u".into()), (1100, "v".into())];
        let polled = polled(&network);
        assert_eq!(polled.len(), 1);
        assert_eq!(mean_gap(&polled[0].1), 500.0);
    }
}
