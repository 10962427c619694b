//! The simulator's WXML panel in a real headless Chromium: the shown page's tree with a
//! custom component's shadow tree, a selected node outlined in the phone with its attributes,
//! dataset, box and computed style, and the inspect mode selecting what the pointer is over;
//! the phone zoomed to fit; the showcase's network page filling the Network and Permissions
//! panels.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use capsule_e2e::Browser;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

const APP: &[(&str, &str)] = &[
    ("app.json", r#"{"pages": ["pages/w/w"], "usingComponents": {"card": "/components/card/card"}}"#),
    ("app.js", "App({})"),
    (
        "pages/w/w.wxml",
        r#"<view class="outer">
  <view id="box" class="box" data-kind-of-thing="demo" data-n="{{3}}" style="width: 120px; height: 40px; margin: 6px; padding: 2px" bindtap="hit">box</view>
  <card id="c" title="hello"><text>slotted</text></card>
</view>
<view id="other" style="height: 50px" bindtap="hit">taps {{taps}}</view>"#,
    ),
    ("pages/w/w.js", "Page({ data: { taps: 0 }, hit() { this.setData({ taps: this.data.taps + 1 }) } })"),
    ("components/card/card.json", r#"{"component": true}"#),
    (
        "components/card/card.wxml",
        r#"<view class="frame"><view class="heading" style="height: 30px">{{title}}</view><slot></slot></view>"#,
    ),
    ("components/card/card.js", "Component({ properties: { title: String } })"),
];

fn write_app(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capsule-e2e-wxml-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

/// The row of the WXML tree whose label contains `text`.
fn row(text: &str) -> String {
    format!(
        "[...document.querySelectorAll('#capsule-devtools .wxml-tree .node')].find(r => r.querySelector('.label').textContent.includes({}))",
        json!(text)
    )
}

/// Clicks the element `expression` gives (in the devtools, not the phone: a DOM click).
async fn click_js(b: &mut Browser, expression: &str) {
    b.wait_for(expression, WAIT).await.unwrap();
    b.eval(&format!("({expression}).click(); true")).await.unwrap();
}

/// The value cell of the row `name` in the details table `table`.
fn cell(table: &str, name: &str) -> String {
    format!(
        "((document.querySelector(\"#capsule-devtools .wxml-details table.{table} tr[data-name='{name}'] td.v\") || {{}}).textContent)"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wxml_panel_shows_selects_and_inspects_the_page() {
    let dir = write_app(APP);
    let (sim, stop) = common::start(&dir, "wxml").await;
    let mut b = Browser::launch(1100, 900).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("document.querySelector('wx-page #box')", WAIT).await.unwrap();
    assert!(
        b.eval("document.querySelector('link[rel=icon]').href.startsWith('data:image/svg+xml')")
            .await
            .unwrap()
            == json!(true),
        "the simulator has a favicon"
    );
    b.click("#capsule-devtools .tabs button[data-panel='wxml']").await.unwrap();

    // The page is open, its children closed; expanding `.outer` shows `#box` and the card.
    b.wait_for(&row("<page"), WAIT).await.unwrap();
    assert_eq!(b.eval(&format!("!!{}", row("id=\"box\""))).await.unwrap(), json!(false), "closed at first");
    click_js(&mut b, &format!("{}.querySelector('.twisty')", row("class=\"outer\""))).await;
    click_js(&mut b, &row("id=\"box\"")).await;

    // Selected: the row, the outline over the element in the phone, and the details.
    b.wait_for(&format!("{}.classList.contains('selected')", row("id=\"box\"")), WAIT).await.unwrap();
    let box_id = b.eval("String(document.querySelector('wx-page #box').__capsule.id)").await.unwrap();
    assert_eq!(b.eval(&format!("{}.getAttribute('data-id')", row("id=\"box\""))).await.unwrap(), box_id);
    b.wait_for(
        "(() => { const o = document.querySelector('#capsule-wxml-outline .box'); const r = document.querySelector('wx-page #box').getBoundingClientRect(); \
         const q = o.getBoundingClientRect(); return getComputedStyle(document.getElementById('capsule-wxml-outline')).display === 'block' \
         && Math.abs(q.left - r.left) < 1 && Math.abs(q.top - r.top) < 1 && Math.abs(q.width - r.width) < 1 && Math.abs(q.height - r.height) < 1; })()",
        WAIT,
    )
    .await
    .unwrap();
    b.wait_for(&format!("{} === 'box'", cell("attrs", "id")), WAIT).await.unwrap();
    assert_eq!(b.eval(&cell("attrs", "class")).await.unwrap(), json!("box"));
    assert_eq!(b.eval(&cell("dataset", "kindOfThing")).await.unwrap(), json!("demo"));
    assert_eq!(b.eval(&cell("dataset", "n")).await.unwrap(), json!("3"));
    assert_eq!(b.eval(&cell("computed", "width")).await.unwrap(), json!("120px"));
    assert_eq!(b.eval(&cell("box", "size")).await.unwrap(), json!("124 × 44"), "the border box");
    assert_eq!(b.eval(&cell("box", "margin")).await.unwrap(), json!("6 6 6 6"));
    assert_eq!(b.eval(&cell("box", "padding")).await.unwrap(), json!("2 2 2 2"));
    // Every property, through the filter.
    b.type_into("#capsule-devtools .wxml-details input.style-filter", "padding-left").await.unwrap();
    b.wait_for(&format!("{} === '2px'", cell("computed", "padding-left")), WAIT).await.unwrap();
    b.screenshot("devtools-wxml-selected").await.unwrap();

    // The card's shadow tree, and what the page put in its slot.
    click_js(&mut b, &format!("{}.querySelector('.twisty')", row("<card"))).await;
    click_js(&mut b, &format!("{}.querySelector('.twisty')", row("#shadow-root"))).await;
    click_js(&mut b, &format!("{}.querySelector('.twisty')", row("class=\"frame\""))).await;
    b.wait_for(&row("class=\"heading\""), WAIT).await.unwrap();
    click_js(&mut b, &format!("{}.querySelector('.twisty')", row("<text>"))).await;
    b.wait_for(&row("\"slotted\""), WAIT).await.unwrap();

    // Inspect: the pointer over an element in the phone selects it, inside a component too;
    // a click there ends the mode and does not reach the app.
    b.click("#capsule-devtools button.inspect").await.unwrap();
    b.wait_for("document.querySelector('#capsule-devtools button.inspect').classList.contains('on')", WAIT)
        .await
        .unwrap();
    let centre = |sel: &str| {
        format!(
            "(() => {{ const e = {}; const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
            capsule_e2e::query(sel)
        )
    };
    let at = b.eval(&centre("wx-page #other")).await.unwrap();
    b.command("Input.dispatchMouseEvent", json!({"type": "mouseMoved", "x": at[0], "y": at[1]}))
        .await
        .unwrap();
    b.wait_for(&format!("{} === 'other'", cell("attrs", "id")), WAIT).await.unwrap();
    b.wait_for(&format!("{}.classList.contains('selected')", row("id=\"other\"")), WAIT).await.unwrap();
    let at = b.eval(&centre("wx-page #c >>> .heading")).await.unwrap();
    b.command("Input.dispatchMouseEvent", json!({"type": "mouseMoved", "x": at[0], "y": at[1]}))
        .await
        .unwrap();
    b.wait_for(&format!("{} === 'heading'", cell("attrs", "class")), WAIT).await.unwrap();
    let at = b.eval(&centre("wx-page #other")).await.unwrap();
    for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
        b.command(
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": at[0], "y": at[1], "button": "left", "buttons": if kind == "mouseReleased" { 0 } else { 1 }, "clickCount": 1}),
        )
        .await
        .unwrap();
    }
    b.wait_for("!document.querySelector('#capsule-devtools button.inspect').classList.contains('on')", WAIT)
        .await
        .unwrap();
    b.wait_for(&format!("{} === 'other'", cell("attrs", "id")), WAIT).await.unwrap();
    b.screenshot("devtools-wxml-inspected").await.unwrap();
    // Out of inspect mode, a tap reaches the app again (and the one before did not).
    b.click("wx-page #other").await.unwrap();
    b.wait_for("document.querySelector('wx-page #other').textContent === 'taps 1'", WAIT).await.unwrap();

    // Another panel hides the outline.
    b.click("#capsule-devtools .tabs button[data-panel='console']").await.unwrap();
    b.wait_for("getComputedStyle(document.getElementById('capsule-wxml-outline')).display === 'none'", WAIT)
        .await
        .unwrap();
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tall_or_rotated_device_is_zoomed_to_fit_the_window() {
    let dir = write_app(APP);
    let (sim, stop) = common::start(&dir, "wxml-fit").await;
    // 600 high: the 667-high phone does not fit unzoomed.
    let mut b = Browser::launch(1100, 600).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("document.querySelector('wx-page #box')", WAIT).await.unwrap();
    let fits = "(() => { const r = document.getElementById('capsule-phone').getBoundingClientRect(); \
                return r.height > 300 && r.height <= innerHeight - 40 && r.width <= innerWidth; })()";
    b.wait_for(fits, WAIT).await.unwrap();
    assert!(
        b.eval("parseFloat(document.getElementById('capsule-phone').style.zoom) < 1").await.unwrap()
            == json!(true)
    );
    // Rotated: the frame is now 667 wide and 375 high; it fits without zoom.
    b.click("#capsule-devtools .tabs button[data-panel='device']").await.unwrap();
    b.click("#capsule-devtools button.rotate").await.unwrap();
    b.wait_for("document.getElementById('capsule-phone').style.zoom === ''", WAIT).await.unwrap();
    b.wait_for(fits, WAIT).await.unwrap();

    // The panel area's grips: the left edge widens it, the bottom edge makes it taller.
    let width = b.eval("document.getElementById('capsule-devtools').offsetWidth").await.unwrap();
    b.drag("#capsule-devtools .grip.width", -100.0, 0.0).await.unwrap();
    b.wait_for(&format!("document.getElementById('capsule-devtools').offsetWidth === {width} + 100"), WAIT)
        .await
        .unwrap();
    let height = b.eval("document.getElementById('capsule-devtools').offsetHeight").await.unwrap();
    b.drag("#capsule-devtools .grip.height", 0.0, -100.0).await.unwrap();
    b.wait_for(&format!("document.getElementById('capsule-devtools').offsetHeight === {height} - 100"), WAIT)
        .await
        .unwrap();
    let _ = stop.send(());
}

/// Taps the centre of the element `expression` gives with real mouse events.
async fn tap(b: &mut Browser, expression: &str) {
    b.wait_for(expression, WAIT).await.unwrap();
    let at = b
        .eval(&format!(
            "(() => {{ const e = {expression}; e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ))
        .await
        .unwrap();
    for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
        b.command(
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": at[0], "y": at[1], "button": "left", "buttons": if kind == "mouseReleased" { 0 } else { 1 }, "clickCount": 1}),
        )
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_showcase_network_page_fills_the_network_and_permissions_panels() {
    let (origin, server) = common::serve_html("<!doctype html><p>ok</p>").await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase");
    let (sim, stop) = common::start(&dir, "wxml-network").await;
    let mut b = Browser::launch(1100, 900).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    tap(&mut b, "[...document.querySelectorAll('wx-page wx-navigator')].find(n => n.textContent.includes('Network and location'))").await;
    b.wait_for("document.querySelector('wx-page[data-route=\"pages/network/network\"]:not([style*=\"none\"]) #request-result')", WAIT)
        .await
        .unwrap();
    let url = format!("{origin}/hello");
    b.eval(&format!(
        "(() => {{ const i = document.querySelector('wx-page[data-route=\"pages/network/network\"] wx-input input'); i.value = {}; i.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})()",
        json!(url)
    ))
    .await
    .unwrap();
    tap(
        &mut b,
        "document.querySelector('wx-page[data-route=\"pages/network/network\"] wx-button[type=primary]')",
    )
    .await;
    let result = |id: &str| {
        format!(
            "(document.querySelector('wx-page[data-route=\"pages/network/network\"] #{id}') || {{}}).textContent"
        )
    };
    b.wait_for(&format!("{}.startsWith('status 200')", result("request-result")), WAIT).await.unwrap();
    tap(&mut b, "[...document.querySelectorAll('wx-page[data-route=\"pages/network/network\"] wx-button')].find(n => n.textContent.includes('Where am I'))").await;
    b.wait_for("document.getElementById('capsule-prompt').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-prompt button[data-answer=once]").await.unwrap();
    b.wait_for(&format!("{}.startsWith('latitude ')", result("location-result")), WAIT).await.unwrap();

    b.click("#capsule-devtools .tabs button[data-panel='network']").await.unwrap();
    b.wait_for(
        &format!(
            "[...document.querySelectorAll('#capsule-devtools table.calls td.url')].some(td => td.textContent === {})",
            json!(url)
        ),
        WAIT,
    )
    .await
    .unwrap();
    // "Allow once" leaves no setting, and the scope can still be granted or revoked here.
    b.click("#capsule-devtools .tabs button[data-panel='permissions']").await.unwrap();
    let scope = "#capsule-devtools .scope[data-scope='scope.userLocation']";
    b.wait_for(&format!("document.querySelector(\"{scope} button.grant\")"), WAIT).await.unwrap();
    b.click(&format!("{scope} button.grant")).await.unwrap();
    b.wait_for(
        &format!(
            "(document.querySelector(\"{scope} span\") || {{}}).textContent === 'scope.userLocation: granted'"
        ),
        WAIT,
    )
    .await
    .unwrap();
    b.screenshot("devtools-showcase-network").await.unwrap();
    server.abort();
    let _ = stop.send(());
}
