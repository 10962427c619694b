//! The view protocol: what the host and a view say to each other over the simulator's socket,
//! as two serde-tagged enums, [`FromView`] (events and answers, up) and [`ToView`] (the app,
//! its pages and patches, and what the app asks the view to do, down). Every message is a
//! JSON object with the protocol version `v` ([`PROTOCOL`]) and a `type`, the rest camelCase
//! as the browser side (`assets/view/protocol.js`) reads and writes it.
//!
//! A view is untrusted: [`decode`] bounds what a view sends ([`MAX_VIEW_MESSAGE`]) and types
//! every field before the host acts on it; the host answers a message it cannot use with
//! [`ToView::Refused`], which the view logs. What the host sends is bounded by the app's own
//! budgets (a page's render limit) and, per view, by the host's queue: a view that falls
//! behind is dropped and starts over from snapshots.

mod from_view;
mod to_view;

pub use from_view::{FromView, MAX_VIEW_MESSAGE, Offset, Pointer, Touch, decode};
pub use to_view::{ComponentStyle, ToView};

/// The version both sides put in every message.
pub const PROTOCOL: u32 = 1;

/// The former name of [`FromView`].
pub type ViewMessage = FromView;

/// `message` as JSON text with the protocol version first: `{"v":1,"type":…}`.
fn versioned<T: serde::Serialize>(message: &T) -> String {
    #[derive(serde::Serialize)]
    struct Versioned<'a, T> {
        v: u32,
        #[serde(flatten)]
        message: &'a T,
    }
    // Messages are plain data (strings, numbers, JSON values, maps with string keys), which
    // serde_json always serialises.
    serde_json::to_string(&Versioned { v: PROTOCOL, message }).expect("a protocol message serialises")
}
