//! The network and file APIs from a mini-program's script, against a real HTTP and WebSocket
//! server on 127.0.0.1 that the test starts and stops: each method, headers, JSON and
//! ArrayBuffer bodies, abort, timeout, an over-size response, domains not allowed (directly
//! and by redirect), more than ten requests at once, a download, an upload, a WebSocket echo,
//! and the file system manager with its refusals and quota.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use capsule_host::{Host, HostConfig, LaunchOptions};
use capsule_runtime::{InstanceHandle, Output, PoolConfig};
use common::{logs, package};
use serde_json::json;

#[derive(Default)]
struct Counters {
    now: AtomicUsize,
    most: AtomicUsize,
}

async fn echo(
    method: Method,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    axum::Json(json!({
        "method": method.as_str(), "query": q, "contentType": header("content-type"), "x": header("x-app"),
        "referer": header("referer"), "host": header("host"), "body": String::from_utf8_lossy(&body), "length": body.len(),
    }))
    .into_response()
}

/// Close frames the WebSocket endpoint received saying the app ended, across tests.
static CLOSES: AtomicUsize = AtomicUsize::new(0);

async fn ws(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|mut socket: WebSocket| async move {
        for _ in 0..100 {
            match socket.recv().await {
                Some(Ok(Message::Close(frame))) => {
                    if frame.as_ref().is_some_and(|f| f.reason.as_str() == "the app ended") {
                        CLOSES.fetch_add(1, Ordering::SeqCst);
                    }
                    let _ = socket.send(Message::Close(frame)).await;
                    return;
                }
                Some(Ok(m)) => {
                    if socket.send(m).await.is_err() {
                        return;
                    }
                }
                _ => return,
            }
        }
    })
}

/// The test server, on a free port; stops when the returned sender is dropped.
fn serve() -> (String, tokio::sync::oneshot::Sender<()>, std::thread::JoinHandle<()>) {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let counters = Arc::new(Counters::default());
            let app = Router::new()
                .route("/echo", any(echo))
                .route(
                    "/json",
                    get(|| async {
                        (
                            [("x-test", "1"), ("set-cookie", "a=1")],
                            axum::Json(json!({"hello": "world", "n": [1, 2]})),
                        )
                    }),
                )
                .route("/text", get(|| async { "not json {" }))
                .route("/bytes", get(|| async { (0..=255u8).collect::<Vec<u8>>() }))
                .route(
                    "/slow",
                    get(|| async {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        "late"
                    }),
                )
                .route("/big", get(|| async { vec![b'x'; 11 * 1024 * 1024] }))
                .route("/away", get(|| async { Redirect::temporary("https://not-allowed.example.com/") }))
                .route("/missing", get(|| async { (StatusCode::NOT_FOUND, "nope") }))
                .route(
                    "/count",
                    get(|State(c): State<Arc<Counters>>| async move {
                        let now = c.now.fetch_add(1, Ordering::SeqCst) + 1;
                        c.most.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(150)).await;
                        c.now.fetch_sub(1, Ordering::SeqCst);
                        c.most.load(Ordering::SeqCst).to_string()
                    }),
                )
                .route("/file.txt", get(|| async { "downloaded text\n".repeat(1000) }))
                .route("/ws", get(ws))
                .with_state(counters);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
        });
    });
    let addr = addr_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    (format!("http://{addr}"), stop_tx, thread)
}

struct Net {
    /// The host (and its bridge) outlives the instance, as in a real host.
    _host: Host,
    handle: Option<InstanceHandle>,
    data: PathBuf,
    out: Vec<Output>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Runs `js` (the body of a function given `base`, the server's origin) in `onLoad` of an app
/// with the bridge in development mode, collecting outputs until `done` lines were logged
/// that start with `=` or 20 s pass.
/// With `quota`, the app's files may hold that many bytes; before it starts, its user folder
/// gets `link`, a link to `/etc`.
fn run(name: &str, js: &str, quota: Option<u64>) -> Net {
    let (base, stop, _thread) = serve();
    let page_js = format!(
        "const log = (...a) => console.log(a.map(x => typeof x === 'string' ? x : x === undefined ? 'undefined' : JSON.stringify(x)).join(' '));\n\
         Page({{ onLoad() {{ const base = '{base}'; {js}\n}} }})"
    );
    let (package, program) = package(&[
        ("app.json", r#"{"pages": ["pages/net/net"], "networkTimeout": {"request": 5000}}"#),
        ("app.js", "App({})"),
        ("pages/net/net.wxml", "<view/>"),
        ("pages/net/net.js", &page_js),
    ]);
    let data = std::env::temp_dir().join(format!("capsule-rt-net-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let threads = PoolConfig { threads: 1, ..PoolConfig::default() };
    let config = HostConfig { data_dir: data.clone(), file_quota: quota, threads, ..HostConfig::default() };
    let host = Host::new(config).unwrap();
    let folder: String = package
        .manifest
        .app_id
        .id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' })
        .collect();
    let usr = data.join(folder).join("files/usr");
    std::fs::create_dir_all(&usr).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", usr.join("link")).unwrap();
    let handle = host.launch(&host.app(package, program), LaunchOptions::default());
    let out = handle.until_done(Duration::from_secs(30));
    Net { _host: host, handle: Some(handle), data, out, _stop: stop }
}

impl Net {
    /// Logged lines, after waiting until one is `= done` (or 20 s).
    fn lines(&mut self) -> Vec<String> {
        for _ in 0..200 {
            if logs(&self.out).iter().any(|l| l == "= done") {
                break;
            }
            if let Some(o) = self.handle.as_ref().and_then(|h| h.recv(Duration::from_millis(100))) {
                self.out.push(o);
            }
        }
        logs(&self.out)
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

fn has(lines: &[String], want: &str) -> bool {
    lines.iter().any(|l| l == want)
}

#[test]
fn requests_carry_methods_headers_and_data_as_the_platform_sends_them() {
    let mut n = run(
        "methods",
        r#"
        let left = 6;
        const end = () => { if (--left === 0) log('= done') };
        const show = tag => r => { log(tag, [r.statusCode, r.data.method, r.data.query, r.data.contentType, r.data.body, r.data.x, r.data.referer]); end() };
        wx.request({ url: base + '/echo', data: { a: 1, b: 'x y', o: { k: true } }, header: { 'X-App': 'hi', Referer: 'https://fake', Host: 'evil.example' },
          success: r => { log('host', r.data.host === base.slice(7)); show('get')(r) } });
        wx.request({ url: base + '/echo?z=0', method: 'post', data: { a: 1 }, success: show('post') });
        wx.request({ url: base + '/echo', method: 'PUT', data: { a: 1, b: 'c&d' }, header: { 'content-type': 'application/x-www-form-urlencoded' }, success: show('put') });
        wx.request({ url: base + '/echo', method: 'DELETE', data: 'raw text', success: show('delete') });
        wx.request({ url: base + '/echo', method: 'FETCH', fail: r => { log('bad', r.errMsg); end() } });
        wx.request({ url: base + '/json', dataType: 'text', success: r => { log('text', typeof r.data); end() } });
    "#,
        None,
    );
    let l = n.lines();
    // GET data goes in the query (objects as JSON); the app may not set Referer or Host.
    assert!(has(&l, "host true"), "{l:#?}");
    assert!(
        has(&l, r#"get [200,"GET",[["a","1"],["b","x y"],["o","{\"k\":true}"]],"","","hi",""]"#),
        "{l:#?}"
    );
    assert!(has(&l, r#"post [200,"POST",[["z","0"]],"application/json","{\"a\":1}","",""]"#), "{l:#?}");
    assert!(
        has(&l, r#"put [200,"PUT",[],"application/x-www-form-urlencoded","a=1&b=c%26d","",""]"#),
        "{l:#?}"
    );
    assert!(has(&l, r#"delete [200,"DELETE",[],"","raw text","",""]"#), "{l:#?}");
    assert!(has(&l, r#"bad request:fail invalid method "FETCH""#), "{l:#?}");
    assert!(has(&l, "text string"), "{l:#?}");
}

#[test]
fn responses_give_json_headers_cookies_and_bytes() {
    let mut n = run(
        "responses",
        r#"
        let left = 5;
        const end = () => { if (--left === 0) log('= done') };
        const task = wx.request({ url: base + '/json', success: r => { log('json', r.statusCode, r.data, r.header['x-test'], r.cookies, r.errMsg); end() } });
        task.onHeadersReceived(h => log('headers first', h.statusCode, h.header['x-test']));
        wx.request({ url: base + '/text', success: r => { log('unparsable', r.data); end() } });
        wx.request({ url: base + '/missing', success: r => { log('404 is a success', r.statusCode, r.data); end() } });
        wx.request({ url: base + '/bytes', responseType: 'arraybuffer', success: r => {
          const b = new Uint8Array(r.data); log('bytes', r.data instanceof ArrayBuffer, b.length, b[0], b[255]); end() } });
        const up = new Uint8Array([0, 1, 2, 250]);
        wx.request({ url: base + '/echo', method: 'POST', data: up.buffer, success: r => { log('sent bytes', r.data.length); end() } });
    "#,
        None,
    );
    let l = n.lines();
    assert!(has(&l, r#"json 200 {"hello":"world","n":[1,2]} 1 ["a=1"] request:ok"#), "{l:#?}");
    let headers = l.iter().position(|x| x == "headers first 200 1").expect("headers event");
    let json = l.iter().position(|x| x.starts_with("json ")).unwrap();
    assert!(headers < json, "onHeadersReceived runs before success");
    assert!(has(&l, "unparsable not json {"), "{l:#?}");
    assert!(has(&l, "404 is a success 404 nope"), "{l:#?}");
    assert!(has(&l, "bytes true 256 0 255"), "{l:#?}");
    assert!(has(&l, "sent bytes 4"), "{l:#?}");
}

#[test]
fn abort_timeout_size_and_domains_fail_as_the_platform_words_them() {
    let mut n = run(
        "failures",
        r#"
        let left = 6;
        const end = r => { log(r.errMsg); if (--left === 0) log('= done') };
        const t = wx.request({ url: base + '/slow', fail: end });
        t.abort();
        wx.request({ url: base + '/slow', timeout: 200, fail: end });
        wx.request({ url: base + '/big', fail: end });
        wx.request({ url: 'https://not-allowed.example.com/x', fail: end });
        wx.request({ url: base + '/away', fail: end });
        wx.request({ url: 'ftp://127.0.0.1/x', fail: end });
    "#,
        None,
    );
    let l = n.lines();
    for want in [
        "request:fail abort",
        "request:fail timeout",
        "request:fail response too large: over 10485760 bytes",
        "request:fail url not in domain list: https://not-allowed.example.com",
        "request:fail redirect to a url not in domain list",
        "request:fail invalid url \"ftp://127.0.0.1/x\"",
    ] {
        assert!(has(&l, want), "{want}: {l:#?}");
    }
}

#[test]
fn more_than_ten_requests_wait_their_turn() {
    let mut n = run(
        "queue",
        r#"
        let left = 12, most = 0;
        for (let i = 0; i < 12; i++) wx.request({ url: base + '/count', dataType: 'text', success: r => {
          most = Math.max(most, Number(r.data)); if (--left === 0) { log('most at once', most); log('= done') } } });
    "#,
        None,
    );
    let l = n.lines();
    assert!(has(&l, "most at once 10"), "{l:#?}");
}

#[test]
fn a_download_lands_in_a_temp_file_the_app_can_read_save_and_upload() {
    let mut n = run(
        "files",
        r#"
        const fs = wx.getFileSystemManager();
        let progress = 0;
        const d = wx.downloadFile({ url: base + '/file.txt', success: r => {
          log('download', r.statusCode, /^wxfile:\/\/tmp_[0-9a-f]{16}\.txt$/.test(r.tempFilePath), progress > 0);
          const text = fs.readFileSync(r.tempFilePath, 'utf8');
          log('read', text.length, text.slice(0, 15));
          const saved = fs.saveFileSync(r.tempFilePath);
          log('saved', saved.startsWith('wxfile://store_'));
          wx.getSavedFileList({ success: s => log('saved list', s.fileList.length, s.fileList[0].size) });
          fs.writeFileSync(wx.env.USER_DATA_PATH + '/up.txt', 'hello upload');
          wx.uploadFile({ url: base + '/echo', filePath: wx.env.USER_DATA_PATH + '/up.txt', name: 'doc', formData: { who: 'me' },
            success: u => { const body = JSON.parse(u.data).body; log('upload', u.statusCode, body.includes('hello upload'), body.includes('name="doc"'), body.includes('me')); log('= done') },
            fail: u => { log(u.errMsg); log('= done') } });
        }, fail: r => { log(r.errMsg); log('= done') } });
        d.onProgressUpdate(p => { progress = p.progress });
    "#,
        None,
    );
    let l = n.lines();
    assert!(has(&l, "download 200 true true"), "{l:#?}");
    assert!(has(&l, "read 16000 downloaded text"), "{l:#?}");
    assert!(has(&l, "saved true"), "{l:#?}");
    assert!(has(&l, "saved list 1 16000"), "{l:#?}");
    assert!(has(&l, "upload 200 true true true"), "{l:#?}");
}

#[test]
fn a_socket_opens_echoes_text_and_bytes_and_closes() {
    let mut n = run(
        "socket",
        r#"
        const s = wx.connectSocket({ url: base.replace('http', 'ws') + '/ws', success: r => log(r.errMsg) });
        s.onOpen(() => { log('open'); s.send({ data: 'ping', success: r => log(r.errMsg) }); s.send({ data: new Uint8Array([7, 8]).buffer }) });
        let got = 0;
        s.onMessage(m => { log('message', typeof m.data === 'string' ? m.data : Array.from(new Uint8Array(m.data)).join(',')); if (++got === 2) s.close({ code: 1000, reason: 'bye' }) });
        s.onClose(c => { log('close', c.code, c.reason); s.send({ data: 'late', fail: r => { log(r.errMsg); log('= done') } }) });
        wx.connectSocket({ url: 'wss://not-allowed.example.com/ws', fail: r => log(r.errMsg) });
    "#,
        None,
    );
    let l = n.lines();
    let expected = [
        "connectSocket:ok",
        "open",
        "sendSocketMessage:ok",
        "message ping",
        "message 7,8",
        "close 1000 bye",
        "sendSocketMessage:fail WebSocket is not connected",
    ];
    let got: Vec<&str> = l.iter().map(String::as_str).filter(|x| expected.contains(x)).collect();
    assert_eq!(got, expected, "{l:#?}");
    assert!(has(&l, "connectSocket:fail url not in domain list: wss://not-allowed.example.com"), "{l:#?}");
}

#[test]
fn the_file_system_manager_works_inside_the_app_folder_only() {
    let mut n = run(
        "fs",
        r#"
        const fs = wx.getFileSystemManager();
        const root = wx.env.USER_DATA_PATH;
        const attempt = (what, f) => { try { log(what, f()) } catch (e) { log(what, e.message) } };
        attempt('mkdir', () => fs.mkdirSync(root + '/a/b', true));
        attempt('mkdir again', () => fs.mkdirSync(root + '/a'));
        attempt('write', () => fs.writeFileSync(root + '/a/b/t.txt', 'hello'));
        attempt('append', () => fs.appendFileSync(root + '/a/b/t.txt', ' world'));
        attempt('read', () => fs.readFileSync(root + '/a/b/t.txt', 'utf8'));
        attempt('base64', () => fs.readFileSync(root + '/a/b/t.txt', 'base64'));
        attempt('part', () => fs.readFileSync(root + '/a/b/t.txt', 'utf8', 6, 3));
        attempt('bytes', () => new Uint8Array(fs.readFileSync(root + '/a/b/t.txt')).length);
        attempt('write bytes', () => fs.writeFileSync(root + '/bin', new Uint8Array([1, 2, 3]).buffer));
        attempt('readdir', () => fs.readdirSync(root));
        attempt('stat', () => { const s = fs.statSync(root + '/a/b/t.txt'); return [s.size, s.isFile(), s.isDirectory()] });
        attempt('stat dir', () => fs.statSync(root + '/a').isDirectory());
        attempt('copy', () => fs.copyFileSync(root + '/a/b/t.txt', root + '/c.txt'));
        attempt('rename', () => fs.renameSync(root + '/c.txt', root + '/d.txt'));
        attempt('access gone', () => fs.accessSync(root + '/c.txt'));
        attempt('rmdir full', () => fs.rmdirSync(root + '/a'));
        attempt('rmdir all', () => fs.rmdirSync(root + '/a', true));
        attempt('unlink', () => fs.unlinkSync(root + '/d.txt'));
        attempt('rmdir root', () => fs.rmdirSync(root + '/.', true));
        attempt('rename root', () => fs.renameSync(root + '/', 'wxfile://store_x'));
        attempt('climb', () => fs.readFileSync(root + '/../../../etc/passwd', 'utf8'));
        attempt('absolute', () => fs.readFileSync('/etc/passwd', 'utf8'));
        attempt('other scheme', () => fs.readFileSync('file:///etc/passwd', 'utf8'));
        attempt('link', () => fs.readdirSync(root + '/link'));
        attempt('quota', () => fs.writeFileSync(root + '/big', 'x'.repeat(5000)));
        fs.readFile({ filePath: root + '/missing', fail: r => { log('async', r.errMsg); log('= done') } });
    "#,
        Some(4096),
    );
    let l = n.lines();
    for want in [
        "mkdir undefined",
        "mkdir again mkdirSync:fail file already exists wxfile://usr/a",
        "write undefined",
        "read hello world",
        "base64 aGVsbG8gd29ybGQ=",
        "part wor",
        "bytes 11",
        "write bytes undefined",
        r#"readdir ["a","bin","link"]"#,
        "stat [11,true,false]",
        "stat dir true",
        "access gone accessSync:fail no such file or directory, access wxfile://usr/c.txt",
        "rmdir full rmdirSync:fail directory not empty",
        "rmdir all undefined",
        "unlink undefined",
        "rmdir root rmdirSync:fail permission denied, rmdir wxfile://usr/.",
        "rename root renameSync:fail permission denied, rename wxfile://usr/",
        "climb readFileSync:fail permission denied, open wxfile://usr/../../../etc/passwd",
        "absolute readFileSync:fail permission denied, open /etc/passwd",
        "other scheme readFileSync:fail permission denied, open file:///etc/passwd",
        "quota writeFileSync:fail the maximum size of the file storage limit is exceeded",
        "async readFile:fail no such file or directory, open wxfile://usr/missing",
    ] {
        assert!(has(&l, want), "{want}: {l:#?}");
    }
    assert!(has(&l, "link readdirSync:fail permission denied, readdir wxfile://usr/link"), "{l:#?}");
    assert!(std::path::Path::new("/etc/passwd").exists(), "nothing outside was touched");
}

#[test]
fn an_instance_that_ends_closes_its_sockets() {
    let mut n = run(
        "socket-end",
        r#"
        const s = wx.connectSocket({ url: base.replace('http', 'ws') + '/ws' });
        s.onOpen(() => log('= done'));
    "#,
        None,
    );
    assert!(n.lines().contains(&"= done".to_string()));
    let before = CLOSES.load(Ordering::SeqCst);
    // The instance ends (as a reload ends the old one): its socket is closed for it.
    n.handle = None;
    let mut closed = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if CLOSES.load(Ordering::SeqCst) > before {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(closed, "the server saw no close");
}
