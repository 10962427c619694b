//! Messages to every connected view, each view with a queue of its own bounded in bytes.
//!
//! An app may change its page as fast as its budgets allow (tens of MiB of patches a callback),
//! and a view may read slowly or not at all. What waits for a view is therefore capped: past
//! [`MAX_VIEW_QUEUE`] bytes the view is dropped, and its page reconnects and starts over from
//! the host's snapshots, as after any lost connection. A message is built once and shared by
//! every view's queue.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use capsule_view_web::protocol::ToView;
use tokio::sync::mpsc;

/// Bytes of messages that may wait for one view.
pub const MAX_VIEW_QUEUE: usize = 32 * 1024 * 1024;

struct Subscriber {
    to: mpsc::UnboundedSender<Arc<str>>,
    queued: Arc<AtomicUsize>,
}

/// The views' end of the host: clonable, cheap to send through.
#[derive(Clone, Default)]
pub struct Views {
    subscribers: Arc<Mutex<Vec<Subscriber>>>,
}

/// One view's queue.
pub struct ViewFeed {
    from: mpsc::UnboundedReceiver<Arc<str>>,
    queued: Arc<AtomicUsize>,
}

impl Views {
    /// Queues `message` for every view, serialised once; a view whose queue would pass
    /// [`MAX_VIEW_QUEUE`] is dropped instead.
    pub fn send(&self, message: &ToView) {
        self.send_text(message.encode());
    }

    fn send_text(&self, text: String) {
        let text: Arc<str> = Arc::from(text);
        let mut subscribers = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subscribers.retain(|s| {
            let queued = s.queued.load(Ordering::Relaxed);
            if queued + text.len() > MAX_VIEW_QUEUE {
                return false;
            }
            s.queued.fetch_add(text.len(), Ordering::Relaxed);
            s.to.send(text.clone()).is_ok()
        });
    }

    /// Views connected now.
    pub fn receiver_count(&self) -> usize {
        let mut subscribers = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subscribers.retain(|s| !s.to.is_closed());
        subscribers.len()
    }

    /// A queue for one more view, receiving what is sent from now on.
    pub fn subscribe(&self) -> ViewFeed {
        let (to, from) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        self.subscribers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Subscriber { to, queued: queued.clone() });
        ViewFeed { from, queued }
    }
}

impl ViewFeed {
    /// The next message; `None` once the view was dropped for falling behind (after what was
    /// queued before) or the host is gone.
    pub async fn recv(&mut self) -> Option<Arc<str>> {
        let text = self.from.recv().await?;
        self.queued.fetch_sub(text.len(), Ordering::Relaxed);
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_message_is_sent_as_the_protocol_says() {
        let views = Views::default();
        let mut view = views.subscribe();
        views.send(&ToView::Close { page: 2 });
        assert_eq!(view.recv().await.as_deref(), Some(r#"{"v":1,"type":"close","page":2}"#));
    }

    #[tokio::test]
    async fn a_view_that_falls_behind_is_dropped_and_the_others_go_on() {
        let views = Views::default();
        let mut slow = views.subscribe();
        let mut quick = views.subscribe();
        let chunk = "x".repeat(1024 * 1024);
        for _ in 0..40 {
            views.send_text(chunk.clone());
            // The quick view reads as it goes; the slow one never does.
            assert_eq!(quick.recv().await.map(|t| t.len()), Some(chunk.len()));
        }
        assert_eq!(views.receiver_count(), 1);
        // The slow view gets what was queued within the bound, then the end.
        let mut got = 0;
        while let Some(text) = slow.recv().await {
            got += text.len();
        }
        assert!(got <= MAX_VIEW_QUEUE, "{got}");
        assert_eq!(got, 32 * chunk.len());
    }
}
