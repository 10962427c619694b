//! The simulator is not an open door: the real `Simulator` on 127.0.0.1, asked by a real HTTP
//! client (and a real WebSocket client, and one real browser page of another origin) the
//! ways another web page, a rebound DNS name or the app itself would.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use capsule_host::{SECRET_HEADER, Simulator};
use capsule_runtime::Input;
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const WAIT: Duration = Duration::from_secs(30);

const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><script>parent.pwned = 1</script><rect width="4" height="4"/></svg>"#;

/// A small app: its first page writes a file into the app's area; its second tries every
/// network API, with the ports it is given, against the simulator's own port.
fn app() -> Vec<(&'static str, String)> {
    vec![
        ("app.json", r#"{"pages": ["pages/a/a", "pages/reach/reach"]}"#.into()),
        ("app.js", "App({})".into()),
        ("pic.svg", SVG.into()),
        ("page.html", "<!doctype html><script>parent.pwned = 1</script>".into()),
        ("pages/a/a.wxml", "<view>a</view>".into()),
        (
            "pages/a/a.js",
            format!(
                "Page({{ onLoad() {{ wx.getFileSystemManager().writeFileSync(wx.env.USER_DATA_PATH + '/pic.svg', {}, 'utf8') }} }})",
                serde_json::to_string(SVG).unwrap()
            ),
        ),
        ("pages/reach/reach.wxml", "<view>reach</view>".into()),
        (
            "pages/reach/reach.js",
            r#"Page({
  data: { results: {} },
  onLoad(q) {
    const own = 'http://127.0.0.1:' + q.port;
    const note = k => r => this.setData({ ['results.' + k]: r.errMsg + (r.statusCode ? ' ' + r.statusCode : '') });
    wx.request({ url: own + '/', success: note('request'), fail: note('request') });
    wx.request({ url: 'http://localhost:' + q.port + '/capsule-dev/data', success: note('localhost'), fail: note('localhost') });
    wx.request({ url: 'http://127.1:' + q.port + '/', success: note('short'), fail: note('short') });
    wx.downloadFile({ url: own + '/pkg/pic.svg', success: note('download'), fail: note('download') });
    wx.uploadFile({ url: own + '/capsule-dev/eval', filePath: wx.env.USER_DATA_PATH + '/pic.svg', name: 'f', success: note('upload'), fail: note('upload') });
    wx.connectSocket({ url: 'ws://127.0.0.1:' + q.port + '/ws', success: note('socket'), fail: note('socket') });
    wx.request({ url: 'http://127.0.0.1:' + q.other + '/away', success: note('redirect'), fail: note('redirect') });
    wx.request({ url: 'http://127.0.0.1:' + q.other + '/ok', success: note('other'), fail: note('other') });
  },
})"#
            .into(),
        ),
    ]
}

fn write_app(name: &str, files: &[(&'static str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capsule-doors-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

/// The simulator as `capsule run` starts it (development: this machine is reachable).
async fn start(name: &str) -> (Simulator, tokio::sync::oneshot::Sender<()>) {
    common::start(&write_app(name, &app()), &format!("doors-{name}")).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn base(sim: &Simulator) -> String {
    format!("http://127.0.0.1:{}", sim.addr.port())
}

/// A developer route's JSON, asked with the run's secret.
async fn dev_get(c: &reqwest::Client, sim: &Simulator, path: &str) -> Value {
    let (status, body) =
        send(c.get(format!("{}{path}", base(sim))).header(SECRET_HEADER, sim.secret())).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// `(status, body)` of a request.
async fn send(request: reqwest::RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_simulators_own_host_is_answered() {
    let (sim, _stop) = start("host").await;
    let port = sim.addr.port();
    let c = client();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".to_string(),
        format!("127.1:{port}"),
        format!("0.0.0.0:{port}"),
        format!("127.0.0.1:{port}.evil.example"),
    ] {
        for path in ["/", "/capsule/view.js", "/pkg/pic.svg", "/capsule-dev/data", "/nothing"] {
            let (status, body) = send(c.get(format!("{}{path}", base(&sim))).header("host", &host)).await;
            assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{host} {path}");
            assert!(body.contains("answers only as"), "{body}");
        }
    }
    // Its own names pass, without an Origin (curl, a script of the developer's).
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")] {
        let (status, _) = send(c.get(format!("{}/capsule/view.js", base(&sim))).header("host", &host)).await;
        assert_eq!(status, StatusCode::OK, "{host}");
    }
    // An absolute request target naming another host, as a proxy request would.
    let proxied =
        reqwest::Client::builder().proxy(reqwest::Proxy::http(base(&sim)).unwrap()).build().unwrap();
    let (status, _) =
        send(proxied.get("http://evil.example/").header("host", format!("127.0.0.1:{port}"))).await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_origins_are_refused_everywhere_and_no_origin_is_not() {
    let (sim, _stop) = start("origin").await;
    let port = sim.addr.port();
    let c = client();
    let secret = sim.secret().to_string();
    for origin in [
        "http://evil.example".to_string(),
        "null".to_string(),
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        format!("http://evil.example:{port}"),
    ] {
        let (status, body) = send(c.get(format!("{}/", base(&sim))).header("origin", &origin)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin}");
        assert!(body.contains("other origins"), "{body}");
        // Even with the secret: a page that got hold of it still may not drive the app.
        let (status, _) = send(
            c.post(format!("{}/capsule-dev/eval", base(&sim)))
                .header("origin", &origin)
                .header(SECRET_HEADER, &secret)
                .body(r#"{"expression": "1"}"#),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin}");
        let (status, _) = send(
            c.post(format!("{}/capsule-dev/permissions", base(&sim)))
                .header("origin", &origin)
                .header(SECRET_HEADER, &secret)
                .body(r#"{"scope": "scope.userLocation", "granted": true}"#),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin}");
    }
    // The simulator's own origins pass.
    for origin in [format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")] {
        let (status, _) = send(
            c.get(format!("{}/capsule-dev/console", base(&sim)))
                .header("origin", &origin)
                .header(SECRET_HEADER, &secret),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{origin}");
    }
    // No Origin at all: the page, its assets, the package's files.
    for path in ["/", "/capsule/view.js", "/capsule/devtools.js", "/pkg/pic.svg"] {
        let (status, _) = send(c.get(format!("{}{path}", base(&sim)))).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn developer_and_answer_routes_need_the_pages_secret() {
    let (sim, _stop) = start("secret").await;
    let c = client();
    let secret = sim.secret().to_string();
    assert_eq!(secret.len(), 32);
    // The page at the bare URL carries it for its own tools, and says not to keep it.
    let page = c.get(sim.url()).send().await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["content-security-policy"], "frame-ancestors 'none'");
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!(r#"<meta name="capsule-secret" content="{secret}">"#)));
    let (status, _) =
        send(c.get(format!("{}/capsule-dev/console", base(&sim))).header(SECRET_HEADER, &secret)).await;
    assert_eq!(status, StatusCode::OK);
    // A second run has another.
    let (other, _stop2) = start("secret-2").await;
    assert_ne!(other.secret(), secret);

    let routes: &[(&str, &str, &str)] = &[
        ("GET", "/capsule-dev/console", ""),
        ("POST", "/capsule-dev/eval", r#"{"expression": "this.setData({pwned: 1})"}"#),
        ("GET", "/capsule-dev/data", ""),
        ("POST", "/capsule-dev/data", r#"{"page": 1, "path": "pwned", "value": 1}"#),
        ("GET", "/capsule-dev/storage", ""),
        ("POST", "/capsule-dev/storage", r#"{"op": "set", "key": "k", "value": 1}"#),
        ("GET", "/capsule-dev/network", ""),
        ("GET", "/capsule-dev/permissions", ""),
        ("POST", "/capsule-dev/permissions", r#"{"scope": "scope.userLocation", "granted": true}"#),
        ("GET", "/capsule-dev/resources", ""),
        ("POST", "/capsule-dev/theme", r#"{"theme": "dark"}"#),
        ("GET", "/capsule-dev/device", ""),
        ("POST", "/capsule-dev/device", r#"{"name": "pixel-7"}"#),
        ("POST", "/capsule-device/0", r#"{"result": "x"}"#),
        ("POST", "/capsule-prompt/0", r#"{"answer": "always"}"#),
        ("POST", "/capsule-settings/0", r#"{"scopes": {"scope.userLocation": true}}"#),
        ("GET", "/capsule-location", ""),
        ("POST", "/capsule-location", r#"{"latitude": 1, "longitude": 2}"#),
    ];
    let wrong = [
        None,
        Some(String::new()),
        Some(secret[..31].to_string()),
        Some(format!("{secret}0")),
        Some(secret.to_uppercase().replace(|c: char| c.is_ascii_digit(), "f")),
        Some(other.secret().to_string()),
    ];
    for (method, path, body) in routes {
        for given in &wrong {
            let mut request = c.request(method.parse().unwrap(), format!("{}{path}", base(&sim))).body(*body);
            if let Some(g) = given {
                request = request.header(SECRET_HEADER, g);
            }
            let (status, text) = send(request).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} with {given:?}");
            assert!(text.contains("X-Capsule-Secret"), "{text}");
        }
    }
    // Nothing of it happened: no data was set, no scope granted, the device stayed.
    let data: Value = dev_get(&c, &sim, "/capsule-dev/data").await;
    assert!(data.as_array().unwrap().iter().all(|p| p["data"].get("pwned").is_none()), "{data}");
    let permissions: Value = dev_get(&c, &sim, "/capsule-dev/permissions").await;
    assert!(permissions["setting"].get("scope.userLocation").is_none(), "{permissions}");
    let devices: Value = dev_get(&c, &sim, "/capsule-dev/device").await;
    assert_eq!(devices["current"], "iphone-se");

    // With the secret the same routes answer (nobody waits for answer 0: 404, not 403).
    let (status, _) = send(
        c.post(format!("{}/capsule-location", base(&sim)))
            .header(SECRET_HEADER, &secret)
            .body(r#"{"latitude": 1, "longitude": 2}"#),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) =
        send(c.get(format!("{}/capsule-location", base(&sim))).header(SECRET_HEADER, &secret)).await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&body).unwrap()),
        (StatusCode::OK, json!({"latitude": 1.0, "longitude": 2.0}))
    );
    for path in ["/capsule-device/0", "/capsule-prompt/0", "/capsule-settings/0"] {
        let body = if path.contains("prompt") { r#"{"answer": "deny"}"# } else { r#"{"scopes": {}}"# };
        let (status, text) =
            send(c.post(format!("{}{path}", base(&sim))).header(SECRET_HEADER, &secret).body(body)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {text}");
    }
    let (status, body) = send(
        c.post(format!("{}/capsule-dev/eval", base(&sim)))
            .header(SECRET_HEADER, &secret)
            .body(r#"{"expression": "6 * 7"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["result"], "42");
    // The view's socket and the package need none.
    let (status, _) = send(c.get(format!("{}/pkg/pic.svg", base(&sim)))).await;
    assert_eq!(status, StatusCode::OK);
}

/// A WebSocket upgrade to `/ws` with these headers: the first message, or the HTTP status
/// the upgrade was refused with.
async fn upgrade(sim: &Simulator, headers: &[(&'static str, String)]) -> Result<Value, u16> {
    let mut request = format!("ws://127.0.0.1:{}/ws", sim.addr.port()).into_client_request().unwrap();
    for (k, v) in headers {
        request.headers_mut().insert(*k, v.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((mut socket, _)) => {
            let first = tokio::time::timeout(WAIT, socket.next()).await.unwrap().unwrap().unwrap();
            Ok(serde_json::from_str(first.to_text().unwrap()).unwrap())
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_view_socket_refuses_other_origins_and_hosts() {
    let (sim, _stop) = start("socket").await;
    let port = sim.addr.port();
    assert_eq!(upgrade(&sim, &[("origin", "http://evil.example".into())]).await, Err(403));
    assert_eq!(upgrade(&sim, &[("origin", "null".into())]).await, Err(403));
    assert_eq!(
        upgrade(&sim, &[("origin", format!("http://localhost:{}", port.wrapping_add(1)))]).await,
        Err(403)
    );
    assert_eq!(upgrade(&sim, &[("host", "evil.example".into())]).await, Err(421));
    assert_eq!(upgrade(&sim, &[("host", format!("rebound.example:{port}"))]).await, Err(421));
    // The page's own origin, and a client without one, get the app.
    assert_eq!(
        upgrade(&sim, &[("origin", format!("http://127.0.0.1:{port}"))]).await.unwrap()["type"],
        "reset"
    );
    assert_eq!(
        upgrade(&sim, &[("origin", format!("http://localhost:{port}"))]).await.unwrap()["type"],
        "reset"
    );
    assert_eq!(upgrade(&sim, &[]).await.unwrap()["type"], "reset");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_and_app_files_cannot_run_script_in_the_simulators_origin() {
    let (sim, _stop) = start("files").await;
    let c = client();
    for path in ["/pkg/pic.svg", "/pkg/page.html", "/pkg/nothing.html"] {
        let r = c.get(format!("{}{path}", base(&sim))).send().await.unwrap();
        assert_eq!(r.headers()["content-security-policy"], "sandbox", "{path}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
        // Only the simulator's own page may embed them.
        assert_eq!(r.headers()["cross-origin-resource-policy"], "same-origin", "{path}");
    }
    // Ranges (media seeking) carry them too.
    let r = c.get(format!("{}/pkg/pic.svg", base(&sim))).header("range", "bytes=0-3").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
    // The app's own files, once its first page has written one.
    let url = format!(
        "{}/capsule-files/{}",
        base(&sim),
        capsule_bridge::origin::percent_encode("wxfile://usr/pic.svg")
    );
    let deadline = Instant::now() + WAIT;
    let r = loop {
        let r = c.get(&url).send().await.unwrap();
        if r.status() == StatusCode::OK {
            break r;
        }
        assert!(Instant::now() < deadline, "the app never wrote its file");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.text().await.unwrap(), SVG);
    let r = c
        .get(format!("{}/capsule-files/{}", base(&sim), "wxfile%3A%2F%2Fusr%2Fnone.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
}

/// A server on another port of this machine: `/away` redirects to `target`, `/ok` answers.
async fn redirecting_server(target: String) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let target = target.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let reply = if head.starts_with(b"GET /away") {
                    format!(
                        "HTTP/1.1 302 Found\r\nlocation: {target}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nfine".to_string()
                };
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_cannot_reach_the_simulators_own_port() {
    let (sim, _stop) = start("reach").await;
    let port = sim.addr.port();
    let other = redirecting_server(format!("http://127.0.0.1:{port}/capsule-dev/data")).await;
    sim.send(Input::Navigate {
        kind: "redirectTo".into(),
        url: format!("/pages/reach/reach?port={port}&other={other}"),
    });
    let c = client();
    let deadline = Instant::now() + WAIT;
    let results = loop {
        let data: Value = dev_get(&c, &sim, "/capsule-dev/data").await;
        let results = data
            .as_array()
            .and_then(|pages| pages.iter().find(|p| p["route"] == "pages/reach/reach"))
            .map(|p| p["data"]["results"].clone())
            .unwrap_or(Value::Null);
        if results.as_object().is_some_and(|r| r.len() == 8) {
            break results;
        }
        assert!(Instant::now() < deadline, "the app's calls did not all answer: {results}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let own = |scheme: &str, host: &str| {
        format!("url not in domain list: {scheme}://{host}:{port} is the host's own port")
    };
    assert_eq!(results["request"], format!("request:fail {}", own("http", "127.0.0.1")));
    assert_eq!(results["localhost"], format!("request:fail {}", own("http", "localhost")));
    // `127.1` is named as the URL parser (the fetcher's own) reads it.
    assert_eq!(results["short"], format!("request:fail {}", own("http", "127.0.0.1")));
    assert_eq!(results["download"], format!("downloadFile:fail {}", own("http", "127.0.0.1")));
    assert_eq!(results["upload"], format!("uploadFile:fail {}", own("http", "127.0.0.1")));
    assert_eq!(results["socket"], format!("connectSocket:fail {}", own("ws", "127.0.0.1")));
    // A redirect to it is refused too, while another port of this machine stays reachable.
    assert_eq!(results["redirect"], "request:fail redirect to a url not in domain list");
    assert_eq!(results["other"], "request:ok 200");

    // A web-view may not show the simulator either (the view asks the host first).
    let mut request = format!("ws://127.0.0.1:{port}/ws").into_client_request().unwrap();
    request.headers_mut().insert("origin", format!("http://127.0.0.1:{port}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    for src in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/capsule-dev/data"),
        format!("http://127.0.0.1:{other}/ok"),
    ] {
        let ask = json!({"v": 1, "type": "webView", "page": 1, "node": 1, "src": src});
        socket.send(tokio_tungstenite::tungstenite::Message::Text(ask.to_string().into())).await.unwrap();
        let answer = tokio::time::timeout(WAIT, async {
            loop {
                let m = socket.next().await.unwrap().unwrap();
                let Ok(text) = m.to_text() else { continue };
                let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                if v["type"] == "webViewAnswer" && v["src"] == src.as_str() {
                    return v;
                }
            }
        })
        .await
        .unwrap();
        let allowed = src.contains(&format!(":{other}/"));
        assert_eq!(answer["allowed"], allowed, "{src}: {answer}");
        if !allowed {
            assert!(answer["reason"].as_str().unwrap().ends_with("is the host's own port"), "{answer}");
        }
    }
}

/// A page of another origin, open in a real browser, tries the simulator: Chromium sends its
/// Origin, so the socket does not open and the evaluation does not run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_page_of_another_origin_cannot_drive_the_simulator() {
    let (sim, _stop) = start("browser").await;
    let port = sim.addr.port();
    let evil = format!(
        r#"<!doctype html><title>evil</title><script>
window.socket = 'pending'; window.evaluated = 'pending'; window.embedded = 'pending';
var img = new Image();
img.onload = function () {{ window.embedded = 'loaded'; }};
img.onerror = function () {{ window.embedded = 'blocked'; }};
img.src = 'http://127.0.0.1:{port}/pkg/pic.svg';
var ws = new WebSocket('ws://127.0.0.1:{port}/ws');
ws.onopen = function () {{ window.socket = 'open'; }};
ws.onerror = function () {{ window.socket = 'refused'; }};
fetch('http://127.0.0.1:{port}/capsule-dev/eval', {{ method: 'POST', mode: 'no-cors', body: JSON.stringify({{ expression: 'this.setData({{ pwned: 1 }})' }}) }})
  .then(function () {{ window.evaluated = 'answered'; }}, function () {{ window.evaluated = 'failed'; }});
</script>"#
    );
    let evil: &'static str = Box::leak(evil.into_boxed_str());
    let (origin, _server) = common::serve_html(evil).await;
    let mut b = capsule_e2e::Browser::launch(480, 860).await.unwrap();
    b.goto(&format!("{origin}/")).await.unwrap();
    b.wait_for(
        "window.socket !== 'pending' && window.evaluated !== 'pending' && window.embedded !== 'pending'",
        WAIT,
    )
    .await
    .unwrap();
    assert_eq!(b.eval("window.socket").await.unwrap(), "refused");
    assert_eq!(b.eval("window.embedded").await.unwrap(), "blocked");
    // The answer came back (refused): had it been run, the data would show it now.
    let data: Value = dev_get(&client(), &sim, "/capsule-dev/data").await;
    assert!(data.as_array().unwrap().iter().all(|p| p["data"].get("pwned").is_none()), "{data}");
    // While the simulator's own page, at the bare URL, uses its tools.
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("document.querySelector('#capsule-devtools .tabs') && document.getElementById('capsule-connection').textContent === ''", WAIT)
        .await
        .unwrap();
    let console = b
        .eval("fetch('/capsule-dev/console', { headers: { 'X-Capsule-Secret': document.querySelector('meta[name=\"capsule-secret\"]').content } }).then(r => r.status)")
        .await
        .unwrap();
    assert_eq!(console, 200);
}
