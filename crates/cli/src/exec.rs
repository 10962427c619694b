//! `capsule exec`: one instance, headless, driven by steps — the same host-side driver
//! (`Pool`, `InstanceHandle`) the simulator uses.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use capsule_package::LoadOptions;
use capsule_runtime::{Input, InstanceHandle, Limits, Output, Pointer, Query};
use clap::ValueEnum;
use serde_json::{Value, json};

/// How a person without a screen answers a modal or an action sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Modal {
    /// The confirm button; an action sheet's first item.
    Confirm,
    /// The cancel button (an action sheet is dismissed).
    Cancel,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Print {
    /// The current page's rendered HTML.
    Html,
    /// The current page's `this.data`, as one JSON document.
    Data,
}

/// How long one step may take before the instance is considered stuck. The CPU budget ends
/// a runaway callback well before this.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The framework's frame under a package script being evaluated (`require` of a file, a
/// page's or the app's script): an error whose stack has it is a script that did not load.
const SCRIPT_EVALUATION: &str = "at load (<capsule>/framework.js:";

/// Exit status when the instance was terminated.
const TERMINATED: u8 = 3;

enum Step {
    Tap(String),
    /// A finger from the element's top-left corner, moved by (dx, dy) CSS pixels and lifted.
    Swipe(String, f64, f64),
    Input(String, String),
    Wait(u64),
    Navigate(String),
    Back,
    /// The capsule button's menu: `shareAppMessage` or `shareTimeline`.
    Share(&'static str),
    /// The app to the background (the page's `onHide`, then `App.onHide`) and back
    /// (`App.onShow`, then the page's `onShow`).
    Hide,
    Show,
}

fn parse_step(text: &str) -> Result<Step, String> {
    let text = text.trim();
    let (verb, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    match verb {
        "tap" if !rest.is_empty() => Ok(Step::Tap(rest.to_string())),
        "swipe" => {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            match parts[..] {
                [selector, dx, dy] => match (dx.parse(), dy.parse()) {
                    (Ok(dx), Ok(dy)) => Ok(Step::Swipe(selector.to_string(), dx, dy)),
                    _ => Err(format!(
                        "`{text}`: swipe's distances are numbers of pixels (`swipe #board -80 0`)"
                    )),
                },
                _ => {
                    Err(format!("`{text}`: swipe needs a selector and two distances (`swipe #board -80 0`)"))
                }
            }
        }
        "input" => {
            let (selector, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            if selector.is_empty() {
                return Err(format!("`{text}`: input needs a selector and text"));
            }
            Ok(Step::Input(selector.to_string(), value.trim_start().to_string()))
        }
        "wait" => rest.parse().map(Step::Wait).map_err(|_| format!("`{text}`: wait needs milliseconds")),
        "navigate" if !rest.is_empty() => Ok(Step::Navigate(rest.to_string())),
        "back" if rest.is_empty() => Ok(Step::Back),
        "share" if rest.is_empty() => Ok(Step::Share("onShareAppMessage")),
        "share" if rest == "timeline" => Ok(Step::Share("onShareTimeline")),
        "hide" if rest.is_empty() => Ok(Step::Hide),
        "show" if rest.is_empty() => Ok(Step::Show),
        _ => Err(format!(
            "`{text}` is not a step; steps are `tap SELECTOR`, `swipe SELECTOR DX DY`, `input SELECTOR TEXT`, `wait MS`, `navigate URL`, `back`, `share [timeline]`, `hide`, `show`"
        )),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    path: &Path,
    page: Option<&str>,
    steps: &[String],
    print: Print,
    modal: Modal,
    budget: Limits,
    bridge: &crate::BridgeArgs,
    color: bool,
    options: &LoadOptions,
) -> anyhow::Result<ExitCode> {
    let mut session = match Session::start(path, page, steps, modal, budget, bridge, color, options)? {
        Ok(session) => session,
        Err(code) => return Ok(code),
    };
    let load_failures = std::mem::take(&mut session.failed_loads);
    let query = match print {
        Print::Html => Query::Html,
        Print::Data => Query::Data,
    };
    let answer = session.query(query);
    match (print, answer) {
        (Print::Html, Value::String(html)) => println!("{html}"),
        (Print::Html, _) => println!(),
        (Print::Data, value) => println!("{}", serde_json::to_string(&value)?),
    }
    if let Some(reason) = session.terminated {
        eprintln!("error: the instance was terminated: {reason}");
        return Ok(ExitCode::from(TERMINATED));
    }
    if let Some(first) = load_failures.first() {
        eprintln!("error: the app or its page failed to load: {first}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) struct Session {
    handle: InstanceHandle,
    /// The host it runs on, kept as long as the session.
    _host: capsule_host::Host,
    pub(crate) terminated: Option<String>,
    /// Answers to view calls, sent once the input that caused them has finished: each
    /// answer is an input of its own, and its end must not be taken for the next one's.
    replies: Vec<(u32, Value)>,
    /// How modals and action sheets are answered.
    modal: Modal,
    /// While the app launches: the errors of scripts that did not evaluate (their message).
    load_failures: Option<Vec<String>>,
    /// Those errors, once it launched.
    pub(crate) failed_loads: Vec<String>,
    /// How long the launch took: the first page's patches ready.
    pub(crate) started: Duration,
}

impl Session {
    /// Loads the package, launches it on `page` and applies `steps`, as `exec` does; what
    /// went wrong has been said on stderr when the exit code comes back instead.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start(
        path: &Path,
        page: Option<&str>,
        steps: &[String],
        modal: Modal,
        budget: Limits,
        bridge: &crate::BridgeArgs,
        color: bool,
        options: &LoadOptions,
    ) -> anyhow::Result<Result<Session, ExitCode>> {
        let steps: Vec<Step> = match steps.iter().map(|s| parse_step(s)).collect() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(Err(ExitCode::FAILURE));
            }
        };
        let Some(package) = crate::load_reporting(path, color, options) else {
            return Ok(Err(ExitCode::FAILURE));
        };
        let Some(program) = crate::compile_reporting(&package, path, color) else {
            return Ok(Err(ExitCode::FAILURE));
        };
        if package.manifest.dialect == capsule_package::Dialect::W3c {
            eprintln!(
                "warning: W3C page templates are not rendered yet: the app's scripts run and set their data \
                 (`--print data` shows it), but its pages print as nothing"
            );
        }
        let host = bridge.host(capsule_bridge::Device::default(), None, budget)?;
        let app = host.app(package, program);
        let handle = host.launch(
            &app,
            capsule_host::LaunchOptions { page: page.map(str::to_string), ..Default::default() },
        );
        let started = Instant::now();
        let mut session = Session {
            handle,
            _host: host,
            terminated: None,
            replies: Vec::new(),
            modal,
            load_failures: None,
            failed_loads: Vec::new(),
            started: Duration::ZERO,
        };
        // The host launched it: what the launch caused first. A script that does not evaluate
        // now (a syntax error, a throw at its top level) is a page that failed to load.
        session.load_failures = Some(Vec::new());
        for o in session.handle.until_done(STEP_TIMEOUT) {
            session.report(o);
        }
        session.started = started.elapsed();
        session.send_replies();
        session.settle();
        session.failed_loads = session.load_failures.take().unwrap_or_default();
        for step in steps {
            if session.terminated.is_some() {
                break;
            }
            let applied = match step {
                // A finger as the view's: down, up, then the tap.
                Step::Tap(selector) => session.touches(&selector, &[(0.0, 0.0)], true),
                Step::Swipe(selector, dx, dy) => {
                    let path: Vec<(f64, f64)> =
                        (0..=4).map(|i| (dx * f64::from(i) / 4.0, dy * f64::from(i) / 4.0)).collect();
                    session.touches(&selector, &path, false)
                }
                Step::Input(selector, text) => {
                    let cursor = text.encode_utf16().count();
                    session.event(&selector, "input", json!({"value": text, "cursor": cursor, "keyCode": 0}))
                }
                Step::Wait(ms) => {
                    session.wait(Duration::from_millis(ms));
                    Ok(())
                }
                Step::Navigate(url) => {
                    // A person names a page by its route; relative URLs are for pages' own links.
                    let url = if url.starts_with('/') { url } else { format!("/{url}") };
                    session.request(Input::Navigate { kind: "navigateTo".into(), url });
                    Ok(())
                }
                Step::Back => {
                    session.request(Input::Navigate { kind: "navigateBack".into(), url: "1".into() });
                    Ok(())
                }
                Step::Hide => {
                    session.request(Input::Hide);
                    Ok(())
                }
                Step::Show => {
                    session.request(Input::Show);
                    Ok(())
                }
                // As a person choosing it in the capsule button's menu: the page's hook is asked,
                // and what it gave is printed as the `shareResult` the view would show.
                Step::Share(hook) => {
                    match session.query(Query::Stack).as_array().and_then(|s| s.last()).cloned() {
                        Some(top) => {
                            let page = top["page"].as_u64().unwrap_or(0) as u32;
                            session.request(Input::PageEvent {
                                page,
                                hook: hook.into(),
                                arg: Some(json!({"from": "menu"})),
                            });
                            Ok(())
                        }
                        None => Err("`share`: no page is shown".into()),
                    }
                }
            };
            if let Err(reason) = applied {
                eprintln!("error: {reason}");
                return Ok(Err(ExitCode::FAILURE));
            }
            session.settle();
        }
        Ok(Ok(session))
    }
}

impl Session {
    /// Sends an input and reports what it caused; returns the answer to a query, if any.
    pub(crate) fn request(&mut self, input: Input) -> Option<Value> {
        let outputs = self.handle.request(input, STEP_TIMEOUT);
        let mut answer = None;
        for o in outputs {
            if let Output::Answer { value } = o {
                answer = Some(value);
            } else {
                self.report(o);
            }
        }
        self.send_replies();
        answer
    }

    fn send_replies(&mut self) {
        for (seq, result) in std::mem::take(&mut self.replies) {
            self.request(Input::ViewReply { seq, result });
        }
    }

    fn report(&mut self, output: Output) {
        if let (Some(failures), Output::Error { message, stack }) = (&mut self.load_failures, &output)
            && stack.contains(SCRIPT_EVALUATION)
        {
            failures.push(message.clone());
        }
        if let Some(line) = output.console_text() {
            eprintln!("{line}");
            return;
        }
        match output {
            Output::Terminated { reason } => self.terminated = Some(reason),
            Output::ViewCall { seq, name, args } => {
                // No view is attached: what a view would show goes to stderr; what needs a
                // person's answer fails.
                let result = match name.as_str() {
                    "showToast"
                    | "showLoading"
                    | "hideToast"
                    | "hideLoading"
                    | "setNavigationBarTitle"
                    | "setNavigationBarColor"
                    | "showNavigationBarLoading"
                    | "hideNavigationBarLoading"
                    | "setBackgroundColor"
                    | "pageScrollTo"
                    | "previewImage"
                    | "setTabBarBadge"
                    | "removeTabBarBadge"
                    | "showTabBarRedDot"
                    | "hideTabBarRedDot"
                    | "setTabBarItem"
                    | "setTabBarStyle"
                    | "showTabBar"
                    | "hideTabBar"
                    | "disconnectIntersection"
                    | "showShareMenu"
                    | "hideShareMenu"
                    | "updateShareMenu"
                    | "shareResult"
                    | "stopPullDownRefresh" => {
                        eprintln!("[view] {name} {args}");
                        json!({"errMsg": format!("{name}:ok")})
                    }
                    // A person answers as `--modal` says, as the platform's answers read.
                    "showModal" => {
                        eprintln!("[view] {name} {args} → {:?}", self.modal);
                        let confirm = self.modal == Modal::Confirm;
                        let mut answer =
                            json!({"errMsg": "showModal:ok", "confirm": confirm, "cancel": !confirm});
                        if args["editable"] == true {
                            answer["content"] =
                                json!(if confirm { args["content"].as_str().unwrap_or("") } else { "" });
                        }
                        answer
                    }
                    "showActionSheet" => {
                        eprintln!("[view] {name} {args} → {:?}", self.modal);
                        match self.modal {
                            Modal::Confirm => json!({"errMsg": "showActionSheet:ok", "tapIndex": 0}),
                            Modal::Cancel => json!({"errMsg": "showActionSheet:fail cancel"}),
                        }
                    }
                    // Layout needs a view that lays the page out; exec has none (yet).
                    "selectorQuery" | "observeIntersection" | "loadFontFace" => json!({
                        "errMsg": format!("{name}:fail no layout without a view: exec lays nothing out (use capsule run)")
                    }),
                    // Sound needs a view that plays it; the script's audio hears an error.
                    "audioContext" | "audioControl" => json!({
                        "errMsg": format!("{name}:fail no audio without a view: exec plays nothing (use capsule run)")
                    }),
                    _ => json!({"errMsg": format!("{name}:fail not supported")}),
                };
                self.replies.push((seq, result));
            }
            _ => {}
        }
    }

    /// Asks the instance; an answer to a bridge call may finish first, so outputs are read
    /// until the query's own answer.
    pub(crate) fn query(&mut self, query: Query) -> Value {
        if let Some(answer) = self.request(Input::Query { query }) {
            return answer;
        }
        let deadline = Instant::now() + STEP_TIMEOUT;
        while let Some(o) = self.handle.recv(deadline.saturating_duration_since(Instant::now())) {
            match o {
                Output::Answer { value } => return value,
                other => self.report(other),
            }
        }
        Value::Null
    }

    /// Waits until no call to the bridge awaits its answer (a request, a chosen file), so the
    /// next step sees what the last one caused; at most [`STEP_TIMEOUT`].
    fn settle(&mut self) {
        let deadline = Instant::now() + STEP_TIMEOUT;
        while Instant::now() < deadline && self.terminated.is_none() {
            if self.query(Query::Metrics)["pendingApis"].as_u64().unwrap_or(0) == 0 {
                return;
            }
            self.wait(Duration::from_millis(20));
        }
    }

    fn event(&mut self, selector: &str, event: &str, detail: Value) -> Result<(), String> {
        let found = self.query(Query::Find { selector: selector.to_string() });
        let (Some(page), Some(node)) = (found["page"].as_u64(), found["node"].as_u64()) else {
            return Err(format!("no element matches `{selector}` in the current page"));
        };
        self.request(Input::Event {
            page: page as u32,
            node: node as u32,
            event: event.into(),
            detail,
            pointer: Pointer::default(),
        });
        Ok(())
    }

    /// One finger on `selector` along `path` (page points): `touchstart` at the first point,
    /// `touchmove` at each next one, `touchend` at the last, and a `tap` after it when `tap`.
    fn touches(&mut self, selector: &str, path: &[(f64, f64)], tap: bool) -> Result<(), String> {
        let found = self.query(Query::Find { selector: selector.to_string() });
        let (Some(page), Some(node)) = (found["page"].as_u64(), found["node"].as_u64()) else {
            return Err(format!("no element matches `{selector}` in the current page"));
        };
        let (page, node) = (page as u32, node as u32);
        let last = path.len() - 1;
        let mut events: Vec<(&str, usize)> = vec![("touchstart", 0)];
        events.extend((1..path.len()).map(|i| ("touchmove", i)));
        events.push(("touchend", last));
        if tap {
            events.push(("tap", last));
        }
        for (event, at) in events {
            let (x, y) = path[at];
            let mut pointer = Pointer::finger(x, y);
            if event == "touchend" {
                pointer.touches.clear();
            }
            let detail = json!({"x": x, "y": y});
            self.request(Input::Event { page, node, event: event.into(), detail, pointer });
            if self.terminated.is_some() {
                break;
            }
        }
        Ok(())
    }

    /// Lets timers and their work run for `window`, reporting as it goes.
    pub(crate) fn wait(&mut self, window: Duration) {
        let deadline = Instant::now() + window;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if let Some(o) = self.handle.recv(left) {
                self.report(o);
                self.send_replies();
            }
        }
    }
}
