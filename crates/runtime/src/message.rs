//! The messages between the host and an instance: the only way either side reaches the
//! other. In-process they travel over channels; a worker-process transport will carry the
//! same values as JSON.
//!
//! The runtime needs nothing else from outside: an API the script calls (`wx.request`,
//! `wx.getStorageSync`, an embedder's own) leaves as [`Output::ApiCall`] and its answer comes
//! back as [`Input::ApiReply`], whoever answers it (the bridge, a host's own handler, a test).

use capsule_template::Patch;
use capsule_template::tree::NodeId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How long a sync API call blocks its script at most before it fails with
/// `NAMESync:fail timeout` (the time counts against the callback's CPU budget).
pub const SYNC_CEILING: std::time::Duration = std::time::Duration::from_secs(1);

/// To an instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Input {
    /// Starts the app on `path` (`pages/x/x?a=1`), or on its entry page.
    Launch {
        path: Option<String>,
    },
    /// An event from the view on a node of a page.
    Event {
        page: u32,
        node: NodeId,
        event: String,
        detail: Value,
        /// Fingers and element offsets, as far as the sender knows them.
        #[serde(default)]
        pointer: crate::events::Pointer,
    },
    /// Something happened to a page that its script hears as a page hook:
    /// `onPullDownRefresh`, `onReachBottom`, `onPageScroll` (`arg` `{scrollTop}`),
    /// `onResize` (`{size}`), `onTabItemTap` (`{index, pagePath, text}`); and the share
    /// menu's `onShareAppMessage` / `onShareTimeline`, whose content the framework sends
    /// on as a `shareResult` view call.
    PageEvent {
        page: u32,
        hook: String,
        arg: Option<Value>,
    },
    /// The app went to the foreground / background.
    Show,
    Hide,
    /// A navigation the host asks for (a back button, a deep link): `kind` is `navigateTo`,
    /// `redirectTo`, `navigateBack`, `reLaunch` or `switchTab`; `url` is the page or, for
    /// `navigateBack`, the number of pages.
    Navigate {
        kind: String,
        url: String,
    },
    /// A question about the current page, answered with [`Output::Answer`].
    Query {
        query: Query,
    },
    /// The view's answer to an [`Output::ViewCall`]: `result` holds `errMsg` and the API's
    /// fields (`{"errMsg": "showModal:ok", "confirm": true, "cancel": false}`).
    ViewReply {
        seq: u32,
        result: Value,
    },
    /// The system theme changed: `light` or `dark`.
    Theme {
        theme: String,
    },
    /// The answer to an [`Output::ApiCall`]: `result` holds `errMsg` (`"getStorage:ok"`) and
    /// the API's fields. A sync call's answer reaches the script waiting for it; one that
    /// comes after the script gave up waiting is dropped.
    ApiReply {
        call: u32,
        result: Value,
    },
    /// An event of a long-running API call before (or, for a socket, after) its answer: a
    /// request's headers, a download's progress, a socket's messages.
    ApiEvent {
        call: u32,
        name: String,
        data: Value,
    },
    /// The developer tools edit a page's data: a `setData` of `path` on any page of the
    /// stack.
    SetData {
        page: u32,
        path: String,
        value: Value,
    },
    /// A `model:value` input changed: the page's data at `path` becomes `value`.
    Model {
        page: u32,
        path: String,
        value: Value,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "camelCase")]
pub enum Query {
    /// The current page's rendered HTML.
    Html,
    /// The current page's `this.data`.
    Data,
    /// The first node matching `#id`, `.class` or a tag name, in document order.
    Find { selector: String },
    /// The route and id of every page on the stack, bottom first.
    Stack,
    /// What the instance uses: `{heap, heapPeak}` in bytes of JS heap, `cpuMs` of CPU in
    /// the current minute, `pendingApis` bridge calls awaiting answers.
    Metrics,
    /// Every page on the stack with its `this.data`, bottom first: `[{page, route, data}]`.
    StackData,
    /// Evaluates `expression` with `this` being the page (the developer tools' console):
    /// `{result}` as text, or `{error}`.
    Evaluate { page: u32, expression: String },
}

/// From an instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Output {
    /// A page was created and rendered; `snapshot` is its whole tree.
    PageOpened {
        page: u32,
        route: String,
        /// The query it was opened with (a host relaunching the app keeps it).
        #[serde(default)]
        query: serde_json::Map<String, Value>,
        snapshot: Patch,
    },
    PageClosed {
        page: u32,
    },
    /// The pages on the stack after a navigation, bottom first; the last is shown. A tab page
    /// switched away from is alive but on no stack.
    Stack {
        pages: Vec<u32>,
    },
    /// Changes to a page's tree after `setData`.
    Patches {
        page: u32,
        patches: Vec<Patch>,
    },
    /// An API call of the script, for the host to carry out: answer with [`Input::ApiReply`]
    /// with the same `call` (and [`Input::ApiEvent`]s before it, for a call that has them).
    /// `name` is the API's own (`getStorage`, `request`, `fs.readFile`); `sync` says the
    /// script is blocked until the answer (`wx.getStorageSync`), or [`SYNC_CEILING`] passes.
    ApiCall {
        call: u32,
        name: String,
        args: Value,
        #[serde(default)]
        sync: bool,
    },
    /// An API the view carries out; answer with [`Input::ViewReply`].
    ViewCall {
        seq: u32,
        name: String,
        args: Value,
    },
    Log {
        level: String,
        text: String,
        source: String,
    },
    /// An uncaught JavaScript error (the instance goes on).
    Error {
        message: String,
        stack: String,
    },
    Answer {
        value: Value,
    },
    /// The instance is over, for the reason given (a budget ran out, or it could not start).
    Terminated {
        reason: String,
    },
    /// Everything caused by the last input has been sent.
    Done,
}

impl Output {
    /// How a console line or an error reads on a terminal (`[log] text (app.js:3)`), for
    /// hosts that print them.
    pub fn console_text(&self) -> Option<String> {
        match self {
            Output::Log { level, text, source } if source.is_empty() => Some(format!("[{level}] {text}")),
            Output::Log { level, text, source } => Some(format!("[{level}] {text} ({source})")),
            Output::Error { message, stack } if stack.is_empty() => Some(format!("[error] {message}")),
            Output::Error { message, stack } => Some(format!("[error] {message}\n{stack}")),
            _ => None,
        }
    }
}

impl Input {
    /// About how many bytes the input holds, for the host's budget of what waits for an
    /// instance.
    pub fn weight(&self) -> usize {
        crate::held::FIXED
            + match self {
                Input::Event { event, detail, pointer, .. } => {
                    event.len() + crate::held::value_weight(detail) + pointer.weight()
                }
                Input::PageEvent { hook, arg, .. } => {
                    hook.len() + arg.as_ref().map_or(0, crate::held::value_weight)
                }
                Input::Navigate { kind, url } => kind.len() + url.len(),
                Input::Launch { path } => path.as_ref().map_or(0, String::len),
                Input::Query { .. } | Input::Show | Input::Hide | Input::Theme { .. } => 0,
                Input::ViewReply { result, .. } | Input::ApiReply { result, .. } => {
                    crate::held::value_weight(result)
                }
                Input::ApiEvent { name, data, .. } => name.len() + crate::held::value_weight(data),
                Input::SetData { path, value, .. } | Input::Model { path, value, .. } => {
                    path.len() + crate::held::value_weight(value)
                }
            }
    }
}
