//! What only a person can answer, asked through the views: permission prompts, the settings
//! sheet (`wx.openSetting`) and device requests (scan a code, choose a location or images,
//! make a call). The bridge asks ([`capsule_bridge::Prompter`]); the views show the sheet; the
//! person's answer comes back over HTTP with the run's secret (see `routes`), never over the
//! view socket.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use capsule_view_web::protocol::ToView;
use serde_json::Value;

use crate::fanout;

/// Scopes and whether each is granted.
type Settings = Vec<(String, bool)>;

/// Permission prompts answered by a person in the simulator: the view shows the app's
/// reason and three choices; nobody answering within two minutes is a denial.
#[derive(Default)]
pub struct ViewPrompter {
    pub(crate) views: Mutex<Option<fanout::Views>>,
    pending: Mutex<HashMap<u32, std::sync::mpsc::Sender<capsule_bridge::Answer>>>,
    pending_settings: Mutex<HashMap<u32, std::sync::mpsc::Sender<Settings>>>,
    pending_device: Mutex<HashMap<u32, std::sync::mpsc::Sender<Option<Value>>>>,
    next: std::sync::atomic::AtomicU32,
}

impl capsule_bridge::Prompter for ViewPrompter {
    fn ask(&self, app: &capsule_bridge::App, scope: &str, reason: &str) -> Option<capsule_bridge::Answer> {
        let views = self.views.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        if views.receiver_count() == 0 {
            return None;
        }
        let seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = std::sync::mpsc::channel();
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, tx);
        views.send(&ToView::Prompt { seq, app: app.id.clone(), scope: scope.into(), reason: reason.into() });
        let answer = rx.recv_timeout(Duration::from_secs(120)).ok();
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq);
        answer
    }

    fn settings(&self, app: &capsule_bridge::App, current: &[(String, bool)]) -> Option<Vec<(String, bool)>> {
        let views = self.views.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        if views.receiver_count() == 0 {
            return None;
        }
        let seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = std::sync::mpsc::channel();
        self.pending_settings.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, tx);
        views.send(&ToView::Settings { seq, app: app.id.clone(), scopes: current.to_vec() });
        let answer = rx.recv_timeout(Duration::from_secs(600)).ok();
        self.pending_settings.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq);
        answer
    }

    fn device(&self, app: &capsule_bridge::App, request: &str, args: &Value) -> Option<Value> {
        let views = self.views.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        if views.receiver_count() == 0 {
            return None;
        }
        let seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = std::sync::mpsc::channel();
        self.pending_device.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, tx);
        views.send(&ToView::Device { seq, app: app.id.clone(), request: request.into(), args: args.clone() });
        let answer = rx.recv_timeout(Duration::from_secs(600)).ok().flatten();
        self.pending_device.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq);
        answer
    }

    fn notify(&self, _app: &capsule_bridge::App, what: &str, args: &Value) {
        let Some(views) = self.views.lock().unwrap_or_else(|p| p.into_inner()).clone() else { return };
        let message = match what {
            "toast" => ToView::Toast {
                show: true,
                title: Some(args["title"].as_str().unwrap_or_default().to_string()),
                icon: Some("none".into()),
                loading: false,
                duration: Some(1500),
            },
            "vibrate" => ToView::Vibrate { duration: args["duration"].as_u64().unwrap_or(15) },
            _ => return,
        };
        views.send(&message);
    }
}

impl ViewPrompter {
    /// A person's answer to a device request (`null`: they cancelled).
    pub(crate) fn device_answer(&self, seq: u32, answer: Option<Value>) -> bool {
        match self.pending_device.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }

    /// A person's switches for `wx.openSetting`.
    pub(crate) fn settings_answer(&self, seq: u32, scopes: Vec<(String, bool)>) -> bool {
        match self.pending_settings.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq) {
            Some(tx) => tx.send(scopes).is_ok(),
            None => false,
        }
    }

    /// A person's answer to a permission prompt.
    pub(crate) fn answer(&self, seq: u32, answer: capsule_bridge::Answer) -> bool {
        match self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }
}
