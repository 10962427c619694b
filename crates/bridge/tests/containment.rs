//! One app cannot hold the bridge for the others: prompts and long work wait elsewhere,
//! apps are served in turn with their queues capped and dropped when they end (and the
//! network tasks an ended instance started end with it), the file quota is kept without
//! walking, storage keys are capped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capsule_bridge::files::AppFiles;
use capsule_bridge::service::{ApiHost, MAX_QUEUED, MAX_QUEUED_BYTES, Service};
use capsule_bridge::{Answer, Api, App, Bridge, Options, Prompter};
use serde_json::{Value, json};

/// Generous: these only matter if something hangs.
const DEADLINE: Duration = Duration::from_secs(300);

fn data_dir() -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "capsule-containment-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn app(id: &str, declared: &[&str]) -> App {
    App { id: id.into(), declared: declared.iter().map(|s| s.to_string()).collect(), ..Default::default() }
}

fn err(v: &Value) -> String {
    v["errMsg"].as_str().unwrap_or("").to_string()
}

const SCOPE: &str = "scope.userLocation";

/// A person who takes their time: each prompt or settings page is reported on `asked` and
/// waits for an answer on `answers`.
struct SlowPerson {
    asked: Mutex<Sender<String>>,
    answers: Mutex<Receiver<Answer>>,
    settings: Mutex<Receiver<Vec<(String, bool)>>>,
}

impl Prompter for SlowPerson {
    fn ask(&self, app: &App, scope: &str, _: &str) -> Option<Answer> {
        self.asked.lock().unwrap().send(format!("{} {scope}", app.id)).unwrap();
        self.answers.lock().unwrap().recv_timeout(DEADLINE).ok()
    }

    fn settings(&self, app: &App, _: &[(String, bool)]) -> Option<Vec<(String, bool)>> {
        self.asked.lock().unwrap().send(format!("{} settings", app.id)).unwrap();
        self.settings.lock().unwrap().recv_timeout(DEADLINE).ok()
    }
}

struct Person {
    asked: Receiver<String>,
    answer: Sender<Answer>,
    settings: Sender<Vec<(String, bool)>>,
}

fn slow_person() -> (Arc<SlowPerson>, Person) {
    let (asked_tx, asked) = channel();
    let (answer, answers) = channel();
    let (settings, settings_rx) = channel();
    let prompter = SlowPerson {
        asked: Mutex::new(asked_tx),
        answers: Mutex::new(answers),
        settings: Mutex::new(settings_rx),
    };
    (Arc::new(prompter), Person { asked, answer, settings })
}

fn bridge_with(prompter: Option<Arc<dyn Prompter>>, quota: Option<u64>) -> Bridge {
    let mut b =
        Bridge::new(Options { prompter, data_dir: data_dir(), file_quota: quota, ..Options::default() });
    b.register(Api::new("where", vec![], |_| Ok(json!({"latitude": 1}))).needs(SCOPE));
    b
}

/// An async call whose answer arrives on the returned channel.
fn call_async(client: &dyn ApiHost, name: &str, args: Value) -> Receiver<Value> {
    let (tx, rx) = channel();
    client.call_async(
        name,
        args,
        Box::new(move |v| {
            let _ = tx.send(v);
        }),
    );
    rx
}

fn neighbour_is_served(b: &dyn ApiHost, round: usize) {
    let key = format!("k{round}");
    assert_eq!(err(&b.call_sync("setStorage", json!({"key": key, "data": round}))), "setStorageSync:ok");
    let got = b.call_sync("getStorage", json!({"key": key}));
    assert_eq!((err(&got), got["data"].clone()), ("getStorageSync:ok".to_string(), json!(round)));
}

#[test]
fn a_prompt_waiting_on_the_person_holds_no_other_call() {
    let (prompter, person) = slow_person();
    let service = Service::start(bridge_with(Some(prompter), None));
    let asking = service.client(app("asking", &[SCOPE]));
    let other = service.client(app("other", &[]));

    let first = call_async(&*asking, "where", json!({}));
    assert_eq!(person.asked.recv_timeout(DEADLINE).unwrap(), "asking scope.userLocation");
    // Two more calls on the same scope join the prompt rather than asking again.
    let second = call_async(&*asking, "where", json!({}));
    let authorize = call_async(&*asking, "authorize", json!({"scope": SCOPE}));
    // The prompt is unanswered: the other app, and the asking app itself, are served.
    for round in 0..20 {
        neighbour_is_served(&*other, round);
    }
    neighbour_is_served(&*asking, 100);
    assert!(first.try_recv().is_err(), "still waiting on the person");

    person.answer.send(Answer::Always).unwrap();
    assert_eq!(err(&first.recv_timeout(DEADLINE).unwrap()), "where:ok");
    assert_eq!(err(&second.recv_timeout(DEADLINE).unwrap()), "where:ok");
    assert_eq!(err(&authorize.recv_timeout(DEADLINE).unwrap()), "authorize:ok");
    assert!(person.asked.try_recv().is_err(), "asked once");
    // Remembered: no prompt now, and a sync call may use it.
    assert_eq!(err(&asking.call_sync("where", json!({}))), "whereSync:ok");

    // The settings page waits on the person too, off the bridge's thread.
    let settings = call_async(&*asking, "openSetting", json!({}));
    assert_eq!(person.asked.recv_timeout(DEADLINE).unwrap(), "asking settings");
    for round in 0..20 {
        neighbour_is_served(&*other, round);
    }
    person.settings.send(vec![(SCOPE.to_string(), false)]).unwrap();
    let settings = settings.recv_timeout(DEADLINE).unwrap();
    assert_eq!(err(&settings), "openSetting:ok");
    assert_eq!(settings["authSetting"], json!({SCOPE: false}));
    assert_eq!(err(&asking.call_sync("where", json!({}))), "whereSync:fail auth deny");

    let (_, reasons): (Vec<_>, Vec<String>) =
        service.bridge().audit_log().into_iter().map(|d| (d.app, d.reason)).unzip();
    assert_eq!(reasons.iter().filter(|r| *r == "allowed by the person, always").count(), 3, "{reasons:?}");
}

#[test]
fn a_prompt_for_an_ended_instance_goes_nowhere() {
    let (prompter, person) = slow_person();
    let service = Service::start(bridge_with(Some(prompter), None));
    let asking = service.client(app("asking", &[SCOPE]));
    let answer = call_async(&*asking, "where", json!({}));
    person.asked.recv_timeout(DEADLINE).unwrap();
    asking.end();
    person.answer.send(Answer::Once).unwrap();
    // The rest of the call is dropped with the instance: its reply never says `ok`.
    let got = answer.recv_timeout(DEADLINE).unwrap();
    assert_eq!(err(&got), "where:fail internal error");
    assert_eq!(
        err(&asking.call_sync("getStorage", json!({"key": "x"}))),
        "getStorageSync:fail the app has ended"
    );
}

/// A call whose work blocks until told: heavy work must not hold the bridge thread.
#[test]
fn heavy_work_runs_off_the_bridge_thread() {
    let mut b = bridge_with(None, None);
    let (release, gate) = channel::<()>();
    let gate = Mutex::new(gate);
    let (started_tx, started) = channel::<()>();
    let started_tx = Mutex::new(started_tx);
    b.register(
        Api::new("crunch", vec![], move |_| {
            started_tx.lock().unwrap().send(()).unwrap();
            gate.lock().unwrap().recv_timeout(DEADLINE).map_err(|e| e.to_string())?;
            Ok(json!({}))
        })
        .heavy(),
    );
    let service = Service::start(b);
    let (heavy, other) = (service.client(app("heavy", &[])), service.client(app("other", &[])));
    let crunched = call_async(&*heavy, "crunch", json!({}));
    // The app's own next call waits for it, keeping the order of its calls.
    let after = call_async(&*heavy, "setStorage", json!({"key": "after", "data": 1}));
    started.recv_timeout(DEADLINE).unwrap();
    for round in 0..20 {
        neighbour_is_served(&*other, round);
    }
    assert!(after.try_recv().is_err());
    release.send(()).unwrap();
    assert_eq!(err(&crunched.recv_timeout(DEADLINE).unwrap()), "crunch:ok");
    assert_eq!(err(&after.recv_timeout(DEADLINE).unwrap()), "setStorage:ok");
}

/// Counts an app's async answers by errMsg.
#[derive(Default)]
struct Tally {
    answers: Mutex<std::collections::HashMap<String, usize>>,
    total: AtomicUsize,
}

fn flood(client: &dyn ApiHost, tally: &Arc<Tally>, n: usize, key: impl Fn(usize) -> String) {
    for i in 0..n {
        let tally = tally.clone();
        client.call_async(
            "setStorage",
            json!({"key": key(i), "data": i}),
            Box::new(move |v| {
                *tally.answers.lock().unwrap().entry(err(&v)).or_default() += 1;
                tally.total.fetch_add(1, Ordering::SeqCst);
            }),
        );
    }
}

#[test]
fn a_flood_from_one_app_leaves_the_others_their_turns() {
    let service = Service::start(bridge_with(None, None));
    let flooder = service.client(app("flooder", &[]));
    let other = service.client(app("other", &[]));
    let tally = Arc::new(Tally::default());
    flood(&*flooder, &tally, 100_000, |i| format!("k{}", i % 1000));
    // Up to MAX_QUEUED calls are waiting; every sync call of the other app is answered.
    let mut served = 0;
    for round in 0..200 {
        neighbour_is_served(&*other, round);
        served += 1;
    }
    assert_eq!(served, 200);
    // Every flooding call is answered: done, or refused at once past the cap.
    let deadline = std::time::Instant::now() + DEADLINE;
    while tally.total.load(Ordering::SeqCst) < 100_000 && std::time::Instant::now() < deadline {
        // Each sync round trip waits at most one flooding call: progress, without sleeping.
        neighbour_is_served(&*other, 0);
    }
    let answers = tally.answers.lock().unwrap().clone();
    let refused = format!("setStorage:fail too many calls are waiting (at most {MAX_QUEUED} per app)");
    assert_eq!(answers.values().sum::<usize>(), 100_000, "{answers:?}");
    assert!(answers.get(&refused).copied().unwrap_or(0) >= 100_000 - MAX_QUEUED - 1000, "{answers:?}");
    assert!(answers.get("setStorage:ok").copied().unwrap_or(0) >= MAX_QUEUED, "{answers:?}");
    assert_eq!(answers.len(), 2, "{answers:?}");
}

#[test]
fn an_ended_instance_calls_are_dropped() {
    let service = Service::start(bridge_with(None, None));
    let other = service.client(app("other", &[]));
    let flooder = service.client(app("flooder", &[]));
    let tally = Arc::new(Tally::default());
    flood(&*flooder, &tally, MAX_QUEUED, |i| format!("e{i}"));
    drop(flooder);
    // Once a call of the other app has been served, nothing of the ended instance runs.
    neighbour_is_served(&*other, 0);
    let answered = tally.total.load(Ordering::SeqCst);
    let later = service.client(app("flooder", &[]));
    let keys = later.call_sync("getStorageInfo", json!({}))["keys"].as_array().unwrap().len();
    for round in 1..50 {
        neighbour_is_served(&*other, round);
    }
    assert_eq!(tally.total.load(Ordering::SeqCst), answered, "no call ran after the instance ended");
    assert_eq!(later.call_sync("getStorageInfo", json!({}))["keys"].as_array().unwrap().len(), keys);
    assert_eq!(keys, answered, "every call that ran was answered; the dropped ones never ran");
    assert!(answered < MAX_QUEUED, "{answered} of {MAX_QUEUED} ran");
    // A new instance of the same app is served as usual.
    neighbour_is_served(&*later, 7);
}

/// A WebSocket server on this machine that reports the reason of each close frame it gets,
/// and an HTTP server that accepts connections, reports them and never answers.
struct Servers {
    _runtime: tokio::runtime::Runtime,
    ws: String,
    http: String,
    closes: Receiver<String>,
    accepted: Receiver<()>,
}

fn servers() -> Servers {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let ws = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let ws_url = format!("ws://{}/ws", ws.local_addr().unwrap());
    let (close_tx, closes) = channel();
    runtime.spawn(async move {
        while let Ok((stream, _)) = ws.accept().await {
            let close_tx = close_tx.clone();
            tokio::spawn(async move {
                let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else { return };
                while let Some(Ok(message)) = socket.next().await {
                    if let Message::Close(frame) = message {
                        let _ = close_tx.send(frame.map(|f| f.reason.to_string()).unwrap_or_default());
                        return;
                    }
                }
            });
        }
    });
    let http = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let http_url = format!("http://{}/slow", http.local_addr().unwrap());
    let (accepted_tx, accepted) = channel();
    runtime.spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = http.accept().await {
            held.push(stream);
            let _ = accepted_tx.send(());
        }
    });
    Servers { _runtime: runtime, ws: ws_url, http: http_url, closes, accepted }
}

/// Opens a socket with `task` as its id, waiting until it is open.
fn open_socket(client: &dyn ApiHost, url: &str, task: u64) {
    let (opened_tx, opened) = channel();
    let opened_tx = Mutex::new(opened_tx);
    let events: capsule_bridge::Events = Arc::new(move |name: &str, _| {
        let _ = opened_tx.lock().unwrap().send(name.to_string());
    });
    client.call_with_events("connectSocket", json!({"url": url, "taskId": task}), events, Box::new(|_| {}));
    assert_eq!(opened.recv_timeout(DEADLINE).unwrap(), "open");
}

#[test]
fn an_ended_instance_tasks_end_whatever_is_queued() {
    let servers = servers();
    let mut b = Bridge::new(Options { data_dir: data_dir(), dev: true, ..Options::default() });
    // A call that holds the bridge thread until told.
    let (release, gate) = channel::<()>();
    let gate = Mutex::new(gate);
    let (held_tx, held) = channel::<()>();
    let held_tx = Mutex::new(held_tx);
    b.register(Api::new("hold", vec![], move |_| {
        held_tx.lock().unwrap().send(()).unwrap();
        gate.lock().unwrap().recv_timeout(DEADLINE).map_err(|e| e.to_string())?;
        Ok(json!({}))
    }));
    let service = Service::start(b);
    let (ending, dropped, other) =
        (service.client(app("net", &[])), service.client(app("net", &[])), service.client(app("other", &[])));

    open_socket(&*ending, &servers.ws, 1);
    open_socket(&*dropped, &servers.ws, 2);
    let request = call_async(&*ending, "request", json!({"url": servers.http, "taskId": 3}));
    servers.accepted.recv_timeout(DEADLINE).unwrap();

    // The bridge thread is held and the instance has calls queued behind it: ending it still
    // closes its socket and aborts its request at once.
    let holding = call_async(&*other, "hold", json!({}));
    held.recv_timeout(DEADLINE).unwrap();
    let queued = call_async(&*ending, "getStorageInfo", json!({}));
    ending.end();
    assert_eq!(servers.closes.recv_timeout(DEADLINE).unwrap(), "the app ended");
    assert_eq!(err(&request.recv_timeout(DEADLINE).unwrap()), "request:fail abort");
    // Dropping an instance's client ends its tasks the same way.
    drop(dropped);
    assert_eq!(servers.closes.recv_timeout(DEADLINE).unwrap(), "the app ended");

    release.send(()).unwrap();
    assert_eq!(err(&holding.recv_timeout(DEADLINE).unwrap()), "hold:ok");
    // The ended instance's queued call never ran; its later ones are refused.
    neighbour_is_served(&*other, 0);
    assert!(queued.try_recv().is_err());
    let late = call_async(&*ending, "request", json!({"url": servers.http, "taskId": 4}));
    assert_eq!(err(&late.recv_timeout(DEADLINE).unwrap()), "request:fail the app has ended");
    assert!(servers.closes.try_recv().is_err(), "each socket closed once");
}

#[test]
fn queued_arguments_are_capped_in_bytes() {
    let service = Service::start(bridge_with(None, None));
    let client = service.client(app("big", &[]));
    let (tx, rx) = channel();
    let value = "v".repeat(1000 * 1024);
    let n = MAX_QUEUED_BYTES / value.len() + 20;
    for _ in 0..n {
        let tx = tx.clone();
        client.call_async(
            "setStorage",
            json!({"key": "same", "data": value}),
            Box::new(move |v| tx.send(err(&v)).unwrap()),
        );
    }
    let answers: Vec<String> = (0..n).map(|_| rx.recv_timeout(DEADLINE).unwrap()).collect();
    let refused = answers.iter().filter(|a| a.contains("too many calls are waiting (at most 64 MiB")).count();
    assert!(refused >= 1, "{:?}", answers.iter().collect::<std::collections::HashSet<_>>());
    assert_eq!(answers.iter().filter(|a| *a == "setStorage:ok").count() + refused, n);
}

fn call(b: &Bridge, a: &App, name: &str, args: Value) -> String {
    err(&b.call(a, name, &args, false))
}

#[test]
fn the_file_quota_is_kept_without_walking() {
    let b = bridge_with(None, None);
    let a = app("files", &[]);
    let files = AppFiles::of(&b, &a);
    let usr = "wxfile://usr";
    assert_eq!(
        call(&b, &a, "fs.mkdir", json!({"dirPath": format!("{usr}/x/y/z"), "recursive": true})),
        "mkdir:ok"
    );
    for i in 0..5000 {
        let dir = ["", "/x", "/x/y", "/x/y/z"][i % 4];
        let path = format!("{usr}{dir}/f{i}.txt");
        let data = "d".repeat(i % 300);
        assert_eq!(call(&b, &a, "fs.writeFile", json!({"filePath": path, "data": data})), "writeFile:ok");
        if i % 5 == 0 {
            assert_eq!(
                call(&b, &a, "fs.appendFile", json!({"filePath": path, "data": "more"})),
                "appendFile:ok"
            );
        }
        if i % 7 == 0 {
            assert_eq!(call(&b, &a, "fs.unlink", json!({"filePath": path})), "unlink:ok");
        } else if i % 11 == 0 {
            // Over an earlier file, or to a new name.
            let to = if i % 2 == 0 { format!("{usr}/f{}.txt", i - 1) } else { format!("{usr}/r{i}.txt") };
            let _ = call(&b, &a, "fs.rename", json!({"oldPath": path, "newPath": to}));
        } else if i % 13 == 0 {
            assert_eq!(
                call(
                    &b,
                    &a,
                    "fs.copyFile",
                    json!({"srcPath": path, "destPath": format!("{usr}/c{}.txt", i % 3)})
                ),
                "copyFile:ok"
            );
        } else if i % 17 == 0 {
            // Rewritten shorter: truncation counts too.
            assert_eq!(call(&b, &a, "fs.writeFile", json!({"filePath": path, "data": "s"})), "writeFile:ok");
        }
        if i % 1000 == 999 {
            assert_eq!(files.usage(), files.walked_usage(), "after {i} writes");
        }
    }
    // Copying onto itself, renaming onto itself, failing operations: nothing changes.
    let f = format!("{usr}/f4.txt");
    assert_eq!(call(&b, &a, "fs.copyFile", json!({"srcPath": f, "destPath": f})), "copyFile:ok");
    assert_eq!(call(&b, &a, "fs.rename", json!({"oldPath": f, "newPath": f})), "rename:ok");
    assert!(
        call(&b, &a, "fs.copyFile", json!({"srcPath": format!("{usr}/x"), "destPath": format!("{usr}/cx")}))
            .contains("fail")
    );
    assert!(call(&b, &a, "fs.mkdir", json!({"dirPath": format!("{usr}/no/such")})).contains("fail"));
    assert!(
        call(&b, &a, "fs.writeFile", json!({"filePath": format!("{usr}/x"), "data": "a"})).contains("fail")
    );
    assert_eq!(files.usage(), files.walked_usage());
    // A folder and everything in it, removed.
    assert_eq!(
        call(&b, &a, "fs.rmdir", json!({"dirPath": format!("{usr}/x/y"), "recursive": true})),
        "rmdir:ok"
    );
    assert_eq!(call(&b, &a, "fs.mkdir", json!({"dirPath": format!("{usr}/e")})), "mkdir:ok");
    assert_eq!(call(&b, &a, "fs.rmdir", json!({"dirPath": format!("{usr}/e")})), "rmdir:ok");
    assert_eq!(files.usage(), files.walked_usage());
    assert_eq!(files.walks(), 1, "walked once, on first use");
}

#[test]
fn the_quota_refuses_exactly_at_the_limit() {
    use capsule_bridge::files::ENTRY_COST;
    // Nine files of 100 bytes fit (the area folders cost nothing); the tenth does not.
    let quota = 9 * (ENTRY_COST + 100) + 50;
    let b = bridge_with(None, Some(quota));
    let a = app("tight", &[]);
    let write = |name: &str, n: usize| {
        call(
            &b,
            &a,
            "fs.writeFile",
            json!({"filePath": format!("wxfile://usr/{name}"), "data": "z".repeat(n)}),
        )
    };
    for i in 0..9 {
        assert_eq!(write(&format!("f{i}"), 100), "writeFile:ok", "{i}");
    }
    assert_eq!(write("f9", 100), "writeFile:fail the maximum size of the file storage limit is exceeded");
    // Replacing a file counts its old size out; growing by what is left fits.
    assert_eq!(write("f0", 150), "writeFile:ok");
    assert_eq!(write("f1", 151), "writeFile:fail the maximum size of the file storage limit is exceeded");
    assert_eq!(call(&b, &a, "fs.unlink", json!({"filePath": "wxfile://usr/f1"})), "unlink:ok");
    assert_eq!(write("f9", 100), "writeFile:ok");
    let files = AppFiles::of(&b, &a);
    assert_eq!(files.usage(), files.walked_usage());
    assert_eq!(files.usage(), quota - 50 + 50);
}

#[test]
fn the_area_folders_cost_nothing() {
    use capsule_bridge::files::ENTRY_COST;
    let b = bridge_with(None, Some(4096));
    let a = app("areas", &[]);
    let files = AppFiles::of(&b, &a);
    let usr = "wxfile://usr";
    assert_eq!(
        call(&b, &a, "fs.mkdir", json!({"dirPath": format!("{usr}/a/b"), "recursive": true})),
        "mkdir:ok"
    );
    assert_eq!(files.usage(), 2 * ENTRY_COST, "two folders made; the areas cost nothing");
    let t = format!("{usr}/a/b/t.txt");
    assert_eq!(call(&b, &a, "fs.writeFile", json!({"filePath": t, "data": "hello"})), "writeFile:ok");
    assert_eq!(call(&b, &a, "fs.appendFile", json!({"filePath": t, "data": " world"})), "appendFile:ok");
    // A new area (a temporary file's) changes nothing.
    let before = files.usage();
    files.temp_path("txt").unwrap();
    assert_eq!(files.usage(), before);
    // A copy costs the copy, once.
    let c = format!("{usr}/c.txt");
    assert_eq!(call(&b, &a, "fs.copyFile", json!({"srcPath": t, "destPath": c})), "copyFile:ok");
    assert_eq!(files.usage(), before + ENTRY_COST + 11);
    assert_eq!(files.usage(), files.walked_usage());
    assert_eq!(
        call(&b, &a, "fs.writeFile", json!({"filePath": format!("{usr}/big"), "data": "x".repeat(5000)})),
        "writeFile:fail the maximum size of the file storage limit is exceeded"
    );
    assert_eq!(files.usage(), files.walked_usage(), "a refused write leaves nothing counted");
}

#[test]
fn storage_keys_are_capped_and_counted() {
    use capsule_bridge::storage::MAX_KEY;
    let b = bridge_with(None, None);
    let a = app("keys", &[]);
    let long = "k".repeat(MAX_KEY);
    assert_eq!(call(&b, &a, "setStorage", json!({"key": long, "data": 1})), "setStorage:ok");
    let info = b.call(&a, "getStorageInfo", &json!({}), false);
    // The key's bytes count: 4,096 + the value's "1".
    assert_eq!(info["currentSize"], json!((MAX_KEY + 1).div_ceil(1024)));
    for key in ["k".repeat(MAX_KEY + 1), "k".repeat(5 * 1024 * 1024)] {
        assert_eq!(
            call(&b, &a, "setStorage", json!({"key": key, "data": 1})),
            "setStorage:fail exceed storage key max length 4KB"
        );
        assert_eq!(
            err(&b.call(&a, "setStorage", &json!({"key": key, "data": 1}), true)),
            "setStorageSync:fail exceed storage key max length 4KB"
        );
        assert_eq!(call(&b, &a, "getStorage", json!({"key": key})), "getStorage:fail data not found");
    }
    assert_eq!(b.call(&a, "getStorageInfo", &json!({}), false)["keys"].as_array().unwrap().len(), 1);
}
