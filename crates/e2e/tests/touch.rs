//! Touch input in a real headless Chromium: a mouse is a finger as in the platform's tools,
//! real touch input (DevTools' `Input.dispatchTouchEvent`, several fingers) is fingers, and
//! handlers get the platform's touch lists, coordinates and target offsets. Taps inside
//! built-in components with inner elements reach the same handlers as in `capsule exec`.

#[allow(dead_code, reason = "the page server is for other tests")]
mod common;

use std::path::PathBuf;
use std::time::Duration;

use capsule_e2e::Browser;

const WAIT: Duration = Duration::from_secs(30);

const APP: &[(&str, &str)] = &[
    ("app.js", "App({})"),
    (
        "pages/touch/touch.wxml",
        r#"<view id="press" style="height: 30px" bindtouchforcechange="force" bindtouchmove="force" bindtouchstart="force">press <text id="forces">{{forces}}</text></view>
<view id="pad" style="height: 100px; background: #eee" bindtouchstart="padStart" bindtouchend="padEnd">swipe here</view>
<view id="swipe">{{swipe}}</view>
<view id="area" style="position: relative; margin-left: 20px; width: 300px; height: 160px; background: #ddd" bindtouchmove="drag">
  <view id="knob" style="position: absolute; left: {{kx}}px; top: {{ky}}px; width: 20px; height: 20px; background: red"></view>
</view>
<view id="zoom" style="height: 100px; background: #ccc" bindtouchstart="zoom" bindtouchmove="zoom" bindtouchend="zoom">pinch here</view>
<view id="pinch">{{pinch}}</view>
<view id="hold" style="height: 40px" bindtap="note" bindlongpress="note" bindtouchend="note" bindtouchcancel="note">hold</view>
<view id="quick" style="height: 40px" bindtap="note" bindtouchstart="note" bindtouchend="note" bindtouchcancel="note">quick</view>
<view id="events">{{events}}</view>"#,
    ),
    (
        "pages/touch/touch.js",
        r#"Page({
  data: { swipe: '', kx: 0, ky: 0, pinch: '', events: '', forces: '' },
  padStart(e) { this.from = e.touches[0]; },
  padEnd(e) {
    const to = e.changedTouches[0];
    const dx = to.clientX - this.from.clientX, dy = to.clientY - this.from.clientY;
    const dir = Math.abs(dx) > Math.abs(dy) ? (dx < 0 ? 'left' : 'right') : (dy < 0 ? 'up' : 'down');
    this.setData({ swipe: [dir, Math.round(dx), Math.round(dy), e.touches.length, e.changedTouches.length, to.identifier === this.from.identifier].join(' ') });
  },
  drag(e) {
    const t = e.touches[0], area = e.currentTarget;
    this.setData({ kx: t.pageX - area.offsetLeft - 10, ky: t.pageY - area.offsetTop - 10 });
  },
  zoom(e) {
    if (e.type === 'touchend') { this.setData({ pinch: this.data.pinch + ' end ' + e.touches.length }); return; }
    if (e.touches.length !== 2) return;
    const [a, b] = e.touches;
    const gap = Math.hypot(a.pageX - b.pageX, a.pageY - b.pageY);
    if (!this.gap) this.gap = gap;
    this.setData({ pinch: 'scale ' + (gap / this.gap).toFixed(2) + ' ids ' + (a.identifier !== b.identifier) });
  },
  force(e) { this.setData({ forces: (this.data.forces + ' ' + e.type + ' ' + e.changedTouches[0].force).trim() }); },
  note(e) {
    const t = e.changedTouches[0] || {};
    const where = e.type === 'tap' || e.type === 'longpress' ? ' ' + (e.detail.x === t.pageX && e.detail.y === t.pageY) : '';
    this.setData({ events: (this.data.events + ' ' + e.type + where).trim() });
  },
})"#,
    ),
    (
        "pages/nest/nest.wxml",
        r#"<view id="root" bindtap="log" bindtouchstart="log" bindtouchend="log">
  <scroll-view id="sv" scroll-y style="height: 60px" bindtap="log">
    <view id="in-scroll" style="height: 40px" bindtap="log" catchtouchstart="log">in scroll</view>
  </scroll-view>
  <swiper id="sw" style="height: 60px" bindtap="log">
    <swiper-item><view id="in-swiper" bindtap="log">in swiper</view></swiper-item>
  </swiper>
  <movable-area style="width: 200px; height: 60px">
    <movable-view id="mv" direction="all" style="width: 80px; height: 40px" bindtap="log"><view id="in-movable" bindtouchend="log">in movable</view></movable-view>
  </movable-area>
  <picker-view id="pv" style="height: 120px" bindtap="log">
    <picker-view-column><view id="in-picker" bindtap="log">a</view><view>b</view></picker-view-column>
  </picker-view>
</view>
<view id="out">{{log}}</view>"#,
    ),
    (
        "pages/nest/nest.js",
        r#"Page({
  data: { log: '' },
  log(e) { this.setData({ log: (this.data.log + ' ' + e.type + ':' + e.currentTarget.id + '<' + e.target.id).trim() }); },
})"#,
    ),
    (
        "pages/hover/hover.wxml",
        r#"<view id="outer" hover-class="outer-on" hover-start-time="0" hover-stay-time="600000" style="padding: 10px">
  <view id="inner" hover-class="on" hover-start-time="0" hover-stay-time="600000" hover-stop-propagation style="height: 40px">inner</view>
</view>
<view id="brief" hover-class="on" hover-start-time="0" hover-stay-time="0" style="height: 40px">brief</view>
<view id="drag" hover-class="on" hover-start-time="0" hover-stay-time="600000" style="height: 40px">drag</view>
<button id="btn">button</button>
<button id="off" disabled hover-start-time="0" hover-stay-time="600000">disabled</button>"#,
    ),
    ("pages/hover/hover.js", "Page({})"),
];

/// The app in a fresh directory named after `name`, opening on `entry`.
fn write_app(name: &str, entry: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capsule-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let app_json = format!(r#"{{"pages": ["pages/{entry}/{entry}"]}}"#);
    for (path, text) in APP.iter().copied().chain([("app.json", app_json.as_str())]) {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

/// The current page's element matching `selector`, as a JS expression.
fn el(selector: &str) -> String {
    format!("document.querySelector('wx-page:not([style*=\"none\"]) {selector}')")
}

async fn text(b: &mut Browser, selector: &str) -> String {
    b.eval(&format!("({} || {{}}).textContent", el(selector)))
        .await
        .unwrap()
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Waits until the element's text is `expected`, and says what it was otherwise.
async fn expect_text(b: &mut Browser, selector: &str, expected: &str) {
    let condition =
        format!("({} || {{}}).textContent === {}", el(selector), serde_json::to_string(expected).unwrap());
    if b.wait_for(&condition, WAIT).await.is_err() {
        panic!("`{selector}` shows `{}`, not `{expected}`", text(b, selector).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swipes_drags_pinches_and_presses_carry_the_platforms_touch_fields() {
    let dir = write_app("touch", "touch");
    let (sim, _stop) = common::start(&dir, "touch").await;
    // A window narrower than the phone and its tools: a sideways swipe on the phone must not
    // pan the simulator's own page under the finger (it did, and the app saw 15 px of 90).
    let mut b = Browser::launch(480, 860).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for(&el("#pad"), WAIT).await.unwrap();
    // Window pixels per page pixel (the phone may be zoomed to fit).
    let scale = b
        .eval("(() => { const s = document.getElementById('capsule-screen'); return s.getBoundingClientRect().width / s.offsetWidth })()")
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    let px = |window_px: f64| (window_px / scale).round() as i64;

    // A real finger swipes left: the end event lists no finger down and the lifted one changed.
    b.swipe("#pad", -90.0, 10.0, 4).await.unwrap();
    expect_text(&mut b, "#swipe", &format!("left {} {} 0 1 true", px(-90.0), px(10.0))).await;
    // A mouse is a finger too.
    let (x, y) = b.centre("#pad").await.unwrap();
    b.mouse("mousePressed", x, y).await.unwrap();
    for i in 1..=4 {
        b.mouse("mouseMoved", x, y + 15.0 * f64::from(i)).await.unwrap();
    }
    b.mouse("mouseReleased", x, y + 60.0).await.unwrap();
    expect_text(&mut b, "#swipe", &format!("down 0 {} 0 1 true", px(60.0))).await;

    // The knob follows touchmove's page coordinates, less the area's offsets.
    let (x, y) = b.centre("#area").await.unwrap();
    b.swipe("#area", 50.0, -30.0, 5).await.unwrap();
    let centre = format!(
        "(() => {{ const r = {}.getBoundingClientRect(); return Math.abs(r.x + r.width / 2 - {}) < 2 && Math.abs(r.y + r.height / 2 - {}) < 2 }})()",
        el("#knob"),
        x + 50.0,
        y - 30.0
    );
    b.wait_for(&centre, WAIT).await.unwrap_or_else(|e| panic!("the knob did not follow the finger: {e}"));

    // Two fingers 160 px apart pinched to 80: half the scale, two identifiers, and the lift.
    b.pinch("#zoom", 160.0, 80.0, 4).await.unwrap();
    // (Chromium lifts the fingers one by one or together: the last end leaves none down.)
    let pinched = format!("{}.textContent", el("#pinch"));
    b.wait_for(
        &format!("{pinched}.startsWith('scale 0.50 ids true end ') && {pinched}.endsWith(' end 0')"),
        WAIT,
    )
    .await
    .unwrap_or_else(|e| panic!("the pinch: {e}"));

    // A held finger: long press at 350 ms, then no tap, since the page listens for it.
    let (x, y) = b.centre("#hold").await.unwrap();
    b.mouse("mousePressed", x, y).await.unwrap();
    expect_text(&mut b, "#events", "longpress true").await;
    b.mouse("mouseReleased", x, y).await.unwrap();
    expect_text(&mut b, "#events", "longpress true touchend").await;
    // A touch tap ends in touchend, not touchcancel, then the tap at the finger's point.
    let (x, y) = b.centre("#quick").await.unwrap();
    b.touch("touchStart", &[(7, x, y)]).await.unwrap();
    b.touch("touchEnd", &[]).await.unwrap();
    expect_text(&mut b, "#events", "longpress true touchend touchstart touchend tap true").await;
    // A press that moves further than a few pixels is a drag: no tap. (The click after it
    // taps whatever time it takes, as #quick does not listen for long presses.)
    b.mouse("mousePressed", x, y).await.unwrap();
    b.mouse("mouseMoved", x + 30.0, y).await.unwrap();
    b.mouse("mouseReleased", x + 30.0, y).await.unwrap();
    b.click("#quick").await.unwrap();
    let taps = "touchstart touchend tap true";
    expect_text(&mut b, "#events", &format!("longpress true touchend {taps} touchstart touchend {taps}"))
        .await;
    // A finger pressing harder as it moves: touchforcechange with the new force after the
    // move; a move at the same force sends none. (Chromium reports a new force only with a
    // move: a finger pressing harder in place is not an event there.)
    let (x, y) = b.centre("#press").await.unwrap();
    b.touch_force("touchStart", &[(3, x, y)], 0.5).await.unwrap();
    b.touch_force("touchMove", &[(3, x + 20.0, y)], 0.5).await.unwrap();
    b.touch_force("touchMove", &[(3, x + 40.0, y)], 0.75).await.unwrap();
    b.touch("touchEnd", &[]).await.unwrap();
    expect_text(&mut b, "#forces", "touchstart 0.5 touchmove 0.5 touchmove 0.75 touchforcechange 0.75").await;
    let _ = b.screenshot("touch").await;
}

/// The `capsule` binary, built if it is not (the tests of this crate do not build it).
fn capsule_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap().to_path_buf();
    let mut build = std::process::Command::new(env!("CARGO"));
    build.args(["build", "--quiet", "-p", "capsule", "--bin", "capsule"]);
    // What cargo set for this test is not the build's: a build script that watches one of
    // these (ring watches CARGO_MANIFEST_DIR) would be rerun here, and again by the next
    // plain build.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let set_for_the_test =
            ["CARGO_PKG_", "CARGO_BIN_EXE_", "CARGO_MANIFEST_"].iter().any(|p| name.starts_with(p))
                || ["CARGO_CRATE_NAME", "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR"]
                    .contains(&name.as_str())
                || ["CARGO_RUSTC_CURRENT_DIR", "OUT_DIR"].contains(&name.as_str());
        if set_for_the_test {
            build.env_remove(&name);
        }
    }
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "building the capsule binary failed");
    profile_dir.join("capsule")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taps_inside_built_in_components_reach_the_same_handlers_as_in_exec() {
    let dir = write_app("nest", "nest");
    let targets = ["#in-scroll", "#in-swiper", "#in-movable", "#in-picker"];

    // exec: a tap is touchstart, touchend, then tap on the element.
    let mut exec = std::process::Command::new(capsule_binary());
    exec.arg("exec").arg(&dir).args(["--page", "pages/nest/nest", "--print", "data"]);
    for t in targets {
        exec.args(["--step", &format!("tap {t}")]);
    }
    let out = exec.output().unwrap();
    assert!(out.status.success(), "exec failed: {}", String::from_utf8_lossy(&out.stderr));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = data["log"].as_str().unwrap().to_string();
    // What a tap inside each reaches, as the platform propagates it.
    assert!(
        expected.starts_with("touchstart:in-scroll<in-scroll touchend:root<in-scroll tap:in-scroll<in-scroll tap:sv<in-scroll tap:root<in-scroll "),
        "{expected}"
    );

    let (sim, _stop) = common::start(&dir, "nest").await;
    let mut b = Browser::launch(1280, 900).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("document.querySelector('#in-picker')", WAIT).await.unwrap();
    for t in targets {
        b.click(t).await.unwrap();
    }
    expect_text(&mut b, "#out", &expected).await;
    // Real touch input agrees too.
    for t in targets {
        let (x, y) = b.centre(t).await.unwrap();
        b.touch("touchStart", &[(1, x, y)]).await.unwrap();
        b.touch("touchEnd", &[]).await.unwrap();
    }
    expect_text(&mut b, "#out", &format!("{expected} {expected}")).await;
    let _ = b.screenshot("touch-nest").await;
}

#[test]
fn exec_swipes_as_a_finger_and_refuses_a_swipe_without_distances() {
    let dir = write_app("exec-swipe", "touch");
    let exec = |steps: &[&str]| {
        let mut c = std::process::Command::new(capsule_binary());
        c.arg("exec").arg(&dir).args(["--print", "data"]);
        for s in steps {
            c.args(["--step", s]);
        }
        c.output().unwrap()
    };
    let out = exec(&["swipe #pad -80 5", "swipe #area 30 40"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(data["swipe"], "left -80 5 0 1 true");
    // No layout headless: the area sits at 0,0, so the knob is centred on the finger.
    assert_eq!((data["kx"].as_f64(), data["ky"].as_f64()), (Some(20.0), Some(30.0)));
    let out = exec(&["swipe #pad left"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`swipe #pad left`: swipe needs a selector and two distances"), "{err}");
}

/// Whether the current page's element matching `selector` has `class`, as a JS expression.
fn has_class(selector: &str, class: &str) -> String {
    format!("{}.classList.contains('{class}')", el(selector))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_classes_come_stay_and_stop_as_on_the_platform() {
    let dir = write_app("hover", "hover");
    let (sim, _stop) = common::start(&dir, "hover").await;
    let mut b = Browser::launch(1280, 900).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for(&el("#btn"), WAIT).await.unwrap();

    // Pressed: the inner view shows its class; hover-stop-propagation keeps the outer's off
    // (which, had it come, would stay ten minutes: checked after a few more round trips).
    let (x, y) = b.centre("#inner").await.unwrap();
    b.mouse("mousePressed", x, y).await.unwrap();
    b.wait_for(&has_class("#inner", "on"), WAIT).await.unwrap();
    // Lifted: it stays its hover-stay-time (ten minutes here).
    b.mouse("mouseReleased", x, y).await.unwrap();
    b.click("#brief").await.unwrap();
    assert_eq!(b.eval(&has_class("#inner", "on")).await.unwrap(), true, "stays after the lift");
    assert_eq!(b.eval(&has_class("#outer", "outer-on")).await.unwrap(), false);

    // The outer view's padding is the outer view alone: its class shows.
    let (ox, oy) = b.centre("#outer").await.unwrap();
    let top = b.eval(&format!("{}.getBoundingClientRect().top", el("#outer"))).await.unwrap();
    b.mouse("mousePressed", ox, top.as_f64().unwrap() + 4.0).await.unwrap();
    b.wait_for(&has_class("#outer", "outer-on"), WAIT).await.unwrap();
    b.mouse("mouseReleased", ox, oy).await.unwrap();

    // A drag takes the class off at once, whatever its stay time.
    let (x, y) = b.centre("#drag").await.unwrap();
    b.mouse("mousePressed", x, y).await.unwrap();
    b.wait_for(&has_class("#drag", "on"), WAIT).await.unwrap();
    b.mouse("mouseMoved", x + 40.0, y).await.unwrap();
    b.wait_for(&format!("!{}", has_class("#drag", "on")), WAIT).await.unwrap();
    b.mouse("mouseReleased", x + 40.0, y).await.unwrap();

    // A zero stay time: off once lifted. A button is pressed with `button-hover` by default,
    // briefly; a disabled one is not.
    let (x, y) = b.centre("#brief").await.unwrap();
    b.mouse("mousePressed", x, y).await.unwrap();
    b.wait_for(&has_class("#brief", "on"), WAIT).await.unwrap();
    b.mouse("mouseReleased", x, y).await.unwrap();
    b.wait_for(&format!("!{}", has_class("#brief", "on")), WAIT).await.unwrap();
    let (x, y) = b.centre("#btn").await.unwrap();
    b.mouse("mousePressed", x, y).await.unwrap();
    b.wait_for(&has_class("#btn", "button-hover"), WAIT).await.unwrap();
    b.mouse("mouseReleased", x, y).await.unwrap();
    b.wait_for(&format!("!{}", has_class("#btn", "button-hover")), WAIT).await.unwrap();
    let (x, y) = b.centre("#off").await.unwrap();
    b.mouse("mousePressed", x, y).await.unwrap();
    b.mouse("mouseReleased", x, y).await.unwrap();
    b.click("#btn").await.unwrap();
    assert_eq!(b.eval(&has_class("#off", "button-hover")).await.unwrap(), false);
}
