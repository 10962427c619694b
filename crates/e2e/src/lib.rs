//! `capsule-e2e` drives a real headless Chromium (Debian's `chromium`, installed by
//! `scripts/test`) over the DevTools protocol, for end-to-end tests of the simulator. A small
//! client is enough: navigate, evaluate, dispatch real mouse and keyboard input, take
//! screenshots.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::TcpStream as AsyncTcp;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// Where screenshots of tests are saved.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-artifacts");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A headless Chromium with one page open.
pub struct Browser {
    child: Child,
    profile: PathBuf,
    socket: WebSocketStream<MaybeTlsStream<AsyncTcp>>,
    next_id: u64,
}

fn chromium() -> Result<PathBuf, String> {
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] {
        if Path::new(candidate).exists() {
            return Ok(PathBuf::from(candidate));
        }
    }
    Err("no Chromium found at /usr/bin/chromium: run scripts/test, which installs Debian's chromium".into())
}

/// A plain HTTP GET on loopback (the DevTools endpoint), without a client crate. Chromium
/// keeps the connection open, so the body is read by its Content-Length.
fn http_get(port: u16, path: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut data = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&data);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse::<usize>().ok());
            if length.is_some_and(|len| body.len() >= len) {
                return Ok(body.to_string());
            }
        }
    }
    let text = String::from_utf8_lossy(&data);
    Ok(text.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default())
}

impl Browser {
    /// Starts Chromium with a fresh profile and connects to its first page.
    pub async fn launch(width: u32, height: u32) -> Result<Browser, String> {
        let binary = chromium()?;
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let profile = std::env::temp_dir().join(format!("capsule-chromium-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
        let child = Command::new(binary)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                &format!("--window-size={width},{height}"),
                &format!("--user-data-dir={}", profile.display()),
                "about:blank",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start Chromium: {e}"))?;
        // Chromium writes the port it chose into the profile.
        let port_file = profile.join("DevToolsActivePort");
        // Generous: a loaded 2-core machine starts Chromium slowly.
        let deadline = Instant::now() + Duration::from_secs(60);
        let port: u16 = loop {
            if let Some(port) =
                std::fs::read_to_string(&port_file).ok().and_then(|t| t.lines().next()?.trim().parse().ok())
            {
                break port;
            }
            if Instant::now() > deadline {
                return Err("Chromium did not open its DevTools port within 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let list: Value = loop {
            if let Ok(v) =
                http_get(port, "/json/list").and_then(|b| serde_json::from_str(&b).map_err(|e| e.to_string()))
            {
                break v;
            }
            if Instant::now() > deadline {
                return Err("no DevTools target list".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let url = list
            .as_array()
            .and_then(|targets| targets.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .ok_or("no page target")?
            .to_string();
        let (socket, _) = connect_async(url).await.map_err(|e| e.to_string())?;
        let mut browser = Browser { child, profile, socket, next_id: 0 };
        browser.command("Page.enable", json!({})).await?;
        browser.command("Runtime.enable", json!({})).await?;
        Ok(browser)
    }

    /// Sends a DevTools command and waits for its result.
    pub async fn command(&mut self, method: &str, params: Value) -> Result<Value, String> {
        use futures_like::{next_message, send_text};
        self.next_id += 1;
        let id = self.next_id;
        send_text(&mut self.socket, json!({"id": id, "method": method, "params": params}).to_string())
            .await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = tokio::time::timeout(left, next_message(&mut self.socket))
                .await
                .map_err(|_| format!("{method}: no answer within 30 s"))??;
            let Message::Text(text) = msg else { continue };
            let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            if v["id"] == json!(id) {
                if let Some(e) = v.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(v["result"].clone());
            }
        }
    }

    pub async fn goto(&mut self, url: &str) -> Result<(), String> {
        self.command("Page.navigate", json!({"url": url})).await?;
        self.wait_for("document.readyState === 'complete'", Duration::from_secs(60)).await
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value.
    pub async fn eval(&mut self, expression: &str) -> Result<Value, String> {
        let r = self
            .command(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
            )
            .await?;
        if let Some(e) = r.get("exceptionDetails") {
            return Err(format!("`{expression}` threw: {e}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Waits until `condition` (a JS expression) is true.
    pub async fn wait_for(&mut self, condition: &str, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.eval(&format!("!!({condition})")).await.unwrap_or(Value::Bool(false)) == Value::Bool(true)
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                let html = self.eval("document.getElementById('capsule-pages') ? document.getElementById('capsule-pages').innerHTML : document.body.innerHTML").await.unwrap_or_default();
                return Err(format!("timed out waiting for `{condition}`; the page shows: {html}"));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Scrolls the first element matching `selector` into view and gives its centre.
    /// The centre of the element `selector` names (see [`query`]), scrolled into view.
    async fn centre_of(&mut self, selector: &str) -> Result<(f64, f64), String> {
        let rect = self
            .eval(&format!(
                "(() => {{ const e = {find}; if (!e) return null; e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
                find = query(selector)
            ))
            .await?;
        match (rect[0].as_f64(), rect[1].as_f64()) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err(format!("nothing matches `{selector}`")),
        }
    }

    /// Clicks the centre of the first element matching `selector` with real mouse events.
    pub async fn click(&mut self, selector: &str) -> Result<(), String> {
        let (x, y) = self.centre_of(selector).await?;
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.command(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": if kind == "mouseReleased" { 0 } else { 1 }, "clickCount": 1}),
            )
            .await?;
        }
        Ok(())
    }

    /// Drags from the centre of `selector` by (`dx`, `dy`) pixels, as a finger or mouse does.
    pub async fn drag(&mut self, selector: &str, dx: f64, dy: f64) -> Result<(), String> {
        let (x, y) = self.centre_of(selector).await?;
        self.command(
            "Input.dispatchMouseEvent",
            json!({"type": "mousePressed", "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1}),
        )
        .await?;
        for step in 1..=5 {
            let f = f64::from(step) / 5.0;
            self.command("Input.dispatchMouseEvent", json!({"type": "mouseMoved", "x": x + dx * f, "y": y + dy * f, "button": "left", "buttons": 1})).await?;
        }
        self.command("Input.dispatchMouseEvent", json!({"type": "mouseReleased", "x": x + dx, "y": y + dy, "button": "left", "buttons": 0, "clickCount": 1})).await?;
        Ok(())
    }

    /// The centre of the element `selector` names (see [`query`]), scrolled into view, in the
    /// browser window's CSS pixels: where a mouse or a finger aims.
    pub async fn centre(&mut self, selector: &str) -> Result<(f64, f64), String> {
        self.centre_of(selector).await
    }

    /// One mouse event at (`x`, `y`): `kind` is DevTools' `mousePressed`, `mouseMoved` or
    /// `mouseReleased`; the left button is held from press to release.
    pub async fn mouse(&mut self, kind: &str, x: f64, y: f64) -> Result<(), String> {
        let buttons = if kind == "mouseReleased" { 0 } else { 1 };
        let button = if kind == "mouseMoved" && buttons == 0 { "none" } else { "left" };
        self.command(
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": x, "y": y, "button": button, "buttons": buttons, "clickCount": 1}),
        )
        .await?;
        Ok(())
    }

    /// One touch event, as a touch screen sends it: `kind` is DevTools' `touchStart`,
    /// `touchMove`, `touchEnd` or `touchCancel`, and `fingers` every finger still down as
    /// (id, x, y) (none for `touchEnd`, which lifts them all). Touch input is turned on first.
    pub async fn touch(&mut self, kind: &str, fingers: &[(u32, f64, f64)]) -> Result<(), String> {
        self.touch_force(kind, fingers, 1.0).await
    }

    /// [`Browser::touch`], each finger pressing with `force` (0 to 1).
    pub async fn touch_force(
        &mut self,
        kind: &str,
        fingers: &[(u32, f64, f64)],
        force: f64,
    ) -> Result<(), String> {
        self.command("Emulation.setTouchEmulationEnabled", json!({"enabled": true, "maxTouchPoints": 5}))
            .await?;
        let points: Vec<Value> = fingers
            .iter()
            .map(|&(id, x, y)| json!({"id": id, "x": x, "y": y, "radiusX": 1, "radiusY": 1, "force": force}))
            .collect();
        self.command("Input.dispatchTouchEvent", json!({"type": kind, "touchPoints": points})).await?;
        Ok(())
    }

    /// A finger from the centre of `selector` moved by (`dx`, `dy`) in `steps` moves, then lifted.
    pub async fn swipe(&mut self, selector: &str, dx: f64, dy: f64, steps: u32) -> Result<(), String> {
        let (x, y) = self.centre_of(selector).await?;
        self.touch("touchStart", &[(1, x, y)]).await?;
        for step in 1..=steps {
            let f = f64::from(step) / f64::from(steps);
            self.touch("touchMove", &[(1, x + dx * f, y + dy * f)]).await?;
        }
        self.touch("touchEnd", &[]).await
    }

    /// Two fingers on `selector`, `from` px apart horizontally about its centre, moved to `to`
    /// px apart in `steps` moves and lifted: a pinch (`to < from`) or a spread.
    pub async fn pinch(&mut self, selector: &str, from: f64, to: f64, steps: u32) -> Result<(), String> {
        let (x, y) = self.centre_of(selector).await?;
        self.touch("touchStart", &[(1, x - from / 2.0, y)]).await?;
        self.touch("touchStart", &[(1, x - from / 2.0, y), (2, x + from / 2.0, y)]).await?;
        for step in 1..=steps {
            let gap = from + (to - from) * f64::from(step) / f64::from(steps);
            self.touch("touchMove", &[(1, x - gap / 2.0, y), (2, x + gap / 2.0, y)]).await?;
        }
        self.touch("touchEnd", &[]).await
    }

    /// Puts `files` in the file input `selector` names (see [`query`]), as a person choosing
    /// them would.
    pub async fn set_files(&mut self, selector: &str, files: &[&std::path::Path]) -> Result<(), String> {
        let r = self.command("Runtime.evaluate", json!({"expression": query(selector)})).await?;
        let object = r["result"]["objectId"]
            .as_str()
            .ok_or_else(|| format!("nothing matches `{selector}`"))?
            .to_string();
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        self.command("DOM.setFileInputFiles", json!({"files": files, "objectId": object})).await?;
        Ok(())
    }

    /// Clicks `selector` and types `text` as keyboard input.
    pub async fn type_into(&mut self, selector: &str, text: &str) -> Result<(), String> {
        self.click(selector).await?;
        self.command("Input.insertText", json!({"text": text})).await?;
        Ok(())
    }

    pub async fn press_enter(&mut self) -> Result<(), String> {
        for kind in ["keyDown", "keyUp"] {
            self.command(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": if kind == "keyDown" { "\r" } else { "" }}),
            )
            .await?;
        }
        Ok(())
    }

    /// Saves a PNG of the page under [`artifacts_dir`].
    pub async fn screenshot(&mut self, name: &str) -> Result<PathBuf, String> {
        let r = self.command("Page.captureScreenshot", json!({"format": "png"})).await?;
        let data = r["data"].as_str().ok_or("no screenshot data")?;
        let bytes = base64_decode(data)?;
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
        Ok(path)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Standard base64, for screenshots (no crate for one function).
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            _ => return Err("invalid base64".into()),
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Ok(out)
}

/// The two stream operations the client needs.
mod futures_like {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    type Socket =
        tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

    pub async fn send_text(socket: &mut Socket, text: String) -> Result<(), String> {
        socket.send(Message::Text(text.into())).await.map_err(|e| e.to_string())
    }

    pub async fn next_message(socket: &mut Socket) -> Result<Message, String> {
        match socket.next().await {
            Some(Ok(m)) => Ok(m),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("the DevTools connection closed".into()),
        }
    }
}

/// A JavaScript expression for the first element matching `selector`, or `null`. A ` >>> `
/// in the selector steps into the shadow root of what matched so far, so elements inside
/// custom components can be named: `todo-item >>> .title`.
///
/// ```
/// assert_eq!(capsule_e2e::query("a"), r#"[document].concat("a".split(' >>> ')).reduce((r, s) => r && (r.shadowRoot || r).querySelector(s))"#);
/// ```
pub fn query(selector: &str) -> String {
    format!(
        "[document].concat({}.split(' >>> ')).reduce((r, s) => r && (r.shadowRoot || r).querySelector(s))",
        serde_json::to_string(selector).unwrap_or_default()
    )
}
