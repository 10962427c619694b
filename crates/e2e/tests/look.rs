//! How pages look in a real headless Chromium, where it is the platform's: `<text>`'s line
//! breaks, spaces, entities and selection, text elsewhere collapsed, the font stack and its
//! sans-serif fallback, icons drawn as shapes, checkbox and radio in line with their label,
//! and a previewed image fitted to the screen. Each case saves a screenshot under
//! `target/e2e-artifacts/`.

#[expect(dead_code, reason = "this test serves no page of its own (serve_html)")]
mod common;

use std::path::PathBuf;
use std::time::Duration;

use capsule_e2e::Browser;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

const APP: &[(&str, &str)] = &[
    ("app.json", r#"{"pages": ["pages/look/look"], "window": {"navigationBarTitleText": "Look"}}"#),
    ("app.js", "App({})"),
    (
        "images/wide.svg",
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#3b7ddd"/></svg>"##,
    ),
    (
        "pages/look/look.wxml",
        r##"<text id="br">one\ntwo</text>
<view id="sp">one\ntwo</view>
<view id="ws">
    a
      b    c   </view>
<text id="bound">{{multi}}</text><view id="bound-view">{{multi}}</view>
<text id="nb" space="nbsp">a  b</text><text id="en" space="ensp">a b</text><text id="plain">a   b</text>
<text id="dec" decode>{{ent}}</text><text id="undec">{{ent}}</text>
<text id="sel" user-select>pick</text><text id="old" selectable="true">old</text><text id="no">no</text>
<view>
  <icon id="i-success" type="success"/><icon id="i-success_no_circle" type="success_no_circle"/>
  <icon id="i-info" type="info"/><icon id="i-warn" type="warn"/><icon id="i-waiting" type="waiting"/>
  <icon id="i-cancel" type="cancel"/><icon id="i-download" type="download"/><icon id="i-search" type="search"/>
  <icon id="i-clear" type="clear"/><icon id="big" type="warn" size="40" color="#123456"/>
</view>
<view class="row"><checkbox id="cb" checked/>Apple</view>
<view class="row"><radio id="rd" checked/>Pear</view>
<view id="font" style="font-family: 'Some Windows Font'">Wide font iii WWW 字体</view>
<view id="sans" style="font-family: sans-serif">Wide font iii WWW 字体</view>
<view id="serif" style="font-family: serif">Wide font iii WWW 字体</view>
<view id="cn">中文的文字</view>
<button id="preview" bindtap="onPreview">preview</button>"##,
    ),
    (
        "pages/look/look.js",
        r#"Page({
  data: { multi: 'x\ny', ent: '&lt;a&gt;&amp;&emsp;&quot;' },
  onPreview() { wx.previewImage({ urls: ['/images/wide.svg'] }) },
})"#,
    ),
];

fn write_app(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capsule-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

/// `expression` about the element `#id` of the page (`e` in it).
async fn about(b: &mut Browser, id: &str, expression: &str) -> Value {
    b.eval(&format!(
        "(() => {{ const e = document.querySelector('wx-page #{id}'); return {expression}; }})()"
    ))
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_icons_and_controls_look_as_on_the_platform() {
    let dir = write_app("look", APP);
    let (sim, stop) = common::start(&dir, "look").await;
    let mut b = Browser::launch(480, 1000).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("document.querySelector('wx-page #preview')", WAIT).await.unwrap();

    // A `\n` escape in <text> is a line break; in a view it is a space. Bound newlines too.
    assert_eq!(about(&mut b, "br", "e.innerText").await, "one\ntwo");
    assert_eq!(about(&mut b, "sp", "e.innerText").await, "one two");
    assert_eq!(about(&mut b, "bound", "e.innerText").await, "x\ny");
    assert_eq!(about(&mut b, "bound-view", "e.innerText").await, "x y");
    let lines = about(
        &mut b,
        "br",
        "e.getBoundingClientRect().height / document.querySelector('wx-page #no').getBoundingClientRect().height",
    )
    .await;
    assert!(lines.as_f64().unwrap() > 1.8, "two lines high: {lines}");
    // Plain text outside <text> collapses its whitespace.
    assert_eq!(about(&mut b, "ws", "e.innerText").await, "a b c");

    // `space` turns spaces into characters that show; without it a run collapses.
    assert_eq!(about(&mut b, "nb", "e.textContent").await, "a\u{a0}\u{a0}b");
    assert_eq!(about(&mut b, "en", "e.textContent").await, "a\u{2002}b");
    assert_eq!(about(&mut b, "plain", "e.innerText").await, "a b");
    // `decode` decodes the platform's entities in bound text (not &quot;); without it they show.
    assert_eq!(about(&mut b, "dec", "e.textContent").await, "<a>&\u{2003}&quot;");
    assert_eq!(about(&mut b, "undec", "e.textContent").await, "&lt;a&gt;&amp;&emsp;&quot;");
    // Text is selectable only with `user-select` (or the older `selectable`).
    assert_eq!(about(&mut b, "sel", "getComputedStyle(e).userSelect").await, "text");
    assert_eq!(about(&mut b, "old", "getComputedStyle(e).userSelect").await, "text");
    assert_eq!(about(&mut b, "no", "getComputedStyle(e).userSelect").await, "none");

    // Icons: shapes in SVG (no glyphs), 23 px, each type in the platform's default colour.
    let colours = [
        ("success", "rgb(9, 187, 7)"),
        ("success_no_circle", "rgb(9, 187, 7)"),
        ("info", "rgb(16, 174, 255)"),
        ("warn", "rgb(247, 98, 96)"),
        ("waiting", "rgb(16, 174, 255)"),
        ("cancel", "rgb(244, 53, 48)"),
        ("download", "rgb(9, 187, 7)"),
        ("search", "rgb(178, 178, 178)"),
        ("clear", "rgb(178, 178, 178)"),
    ];
    for (kind, colour) in colours {
        let shown = about(
            &mut b,
            &format!("i-{kind}"),
            "[e.textContent, e.querySelectorAll('svg path, svg circle').length > 0, e.offsetWidth, e.offsetHeight, getComputedStyle(e).color]",
        )
        .await;
        assert_eq!(shown, json!(["", true, 23, 23, colour]), "icon {kind}");
    }
    assert_eq!(
        about(&mut b, "big", "[e.offsetWidth, e.offsetHeight, getComputedStyle(e).color]").await,
        json!([40, 40, "rgb(18, 52, 86)"])
    );

    // Checkbox and radio: a 24 px box whose middle is the middle of the label's text.
    for id in ["cb", "rd"] {
        let (size, gap) = {
            let v = about(
                &mut b,
                id,
                "(() => { const r = e.getBoundingClientRect(); const label = document.createRange(); label.selectNode(e.nextSibling); const l = label.getBoundingClientRect(); return [getComputedStyle(e, '::before').width, Math.abs((r.top + r.bottom) / 2 - (l.top + l.bottom) / 2)]; })()",
            )
            .await;
            (v[0].clone(), v[1].as_f64().unwrap())
        };
        assert_eq!(size, "24px", "{id}");
        assert!(gap <= 2.5, "{id}'s box is {gap}px off the middle of its label");
    }

    // Fonts: the phone's sans-serif stack; an unknown family falls back to sans-serif.
    let body = b.eval("getComputedStyle(document.body).fontFamily").await.unwrap();
    let body = body.as_str().unwrap();
    assert!(body.contains("\"PingFang SC\"") && body.ends_with("sans-serif"), "{body}");
    let widths = b
        .eval("['font', 'sans', 'serif'].map(id => { const r = document.createRange(); r.selectNodeContents(document.querySelector('wx-page #' + id)); return r.getBoundingClientRect().width; })")
        .await
        .unwrap();
    assert_eq!(widths[0], widths[1], "an unknown family renders as sans-serif: {widths}");
    assert_ne!(widths[0], widths[2], "and not as serif: {widths}");
    b.screenshot("look-text").await.unwrap();

    // previewImage fits a small image to the screen, keeping its shape.
    b.click("#preview").await.unwrap();
    b.wait_for(
        "document.getElementById('capsule-preview').classList.contains('show') && document.querySelector('#capsule-preview img').complete",
        WAIT,
    )
    .await
    .unwrap();
    let fit = b
        .eval("(() => { const p = document.getElementById('capsule-preview').getBoundingClientRect(); const i = document.querySelector('#capsule-preview img'); const r = i.getBoundingClientRect(); return [r.width === p.width, r.height === p.height, getComputedStyle(i).objectFit, i.naturalWidth < p.width]; })()")
        .await
        .unwrap();
    assert_eq!(fit, json!([true, true, "contain", true]));
    b.screenshot("look-preview").await.unwrap();
    let _ = stop.send(());
}

/// A browser whose viewport is the simulator's phone with its margin (iPhone SE, 375 × 667).
async fn phone_sized() -> Browser {
    let mut b = Browser::launch(500, 760).await.unwrap();
    let size = json!({"width": 423, "height": 715, "deviceScaleFactor": 1, "mobile": false});
    b.command("Emulation.setDeviceMetricsOverride", size).await.unwrap();
    b
}

/// The pages reviewers compare: each showcase page and the todo example opens and draws, and
/// its screenshot is kept among the test artifacts. `scripts/screens` names a folder in
/// `CAPSULE_SCREENS_DIR` (`docs/screens/`) to copy them into; the test run leaves tracked
/// files alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screens() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::env::var_os("CAPSULE_SCREENS_DIR").map(std::path::PathBuf::from);
    if let Some(out) = &out {
        std::fs::create_dir_all(out).unwrap();
    }
    let save = async |b: &mut Browser, name: &str| {
        // Images, fonts and layout settled: every image loaded, two frames drawn since.
        b.wait_for("[...document.querySelectorAll('wx-page img')].every(i => i.complete) && document.fonts.status === 'loaded'", WAIT)
            .await
            .unwrap();
        // Only the phone, showing the top of the page.
        b.eval(
            "(() => { if (!document.getElementById('screens-style')) { const s = document.createElement('style'); s.id = 'screens-style'; s.textContent = '#capsule-tools, #capsule-devtools { display: none !important; } #capsule-simulator { justify-content: flex-start !important; }'; document.head.append(s); } window.scrollTo(0, 0); document.getElementById('capsule-screen').scrollTop = 0; document.getElementById('capsule-clock').textContent = '9:41'; return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))); })()",
        )
        .await
        .unwrap();
        let shot = b.screenshot(&format!("screens-{name}")).await.unwrap();
        if let Some(out) = &out {
            std::fs::copy(&shot, out.join(format!("{name}.png"))).unwrap();
        }
    };
    let top = |route: &str| {
        format!(
            "[...document.querySelectorAll('wx-page')].pop().dataset.route === '{route}' && document.querySelector(\"wx-page[data-route='{route}']\").childElementCount > 0"
        )
    };

    let (sim, stop) = common::start(&root.join("examples/showcase"), "screens").await;
    let mut b = phone_sized().await;
    b.goto(&sim.url()).await.unwrap();
    b.wait_for(&top("pages/index/index"), WAIT).await.unwrap();
    save(&mut b, "showcase-00-index").await;
    // Every page the index links to, in its order, named after the page's route.
    let links = b
        .eval("document.querySelectorAll(\"wx-page[data-route='pages/index/index'] wx-navigator\").length")
        .await
        .unwrap();
    let links = links.as_u64().unwrap();
    assert!(links >= 10, "the index links to {links} pages");
    for n in 1..=links {
        b.click(&format!("wx-page[data-route='pages/index/index'] wx-navigator:nth-of-type({n})"))
            .await
            .unwrap();
        b.wait_for(
            "[...document.querySelectorAll('wx-page')].pop().dataset.route !== 'pages/index/index'",
            WAIT,
        )
        .await
        .unwrap();
        let route = b.eval("[...document.querySelectorAll('wx-page')].pop().dataset.route").await.unwrap();
        let route = route.as_str().unwrap().to_string();
        b.wait_for(&top(&route), WAIT).await.unwrap();
        let page = route.rsplit('/').next().unwrap();
        save(&mut b, &format!("showcase-{n:02}-{page}")).await;
        b.click("#capsule-nav-back").await.unwrap();
        b.wait_for(&top("pages/index/index"), WAIT).await.unwrap();
    }
    drop(b);
    let _ = stop.send(());
    drop(sim);

    let (sim, stop) = common::start(&root.join("examples/todo"), "screens-todo").await;
    let mut b = phone_sized().await;
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("document.querySelector('.add-input input')", WAIT).await.unwrap();
    for (n, item) in ["buy milk", "write the report", "买菜"].iter().enumerate() {
        b.type_into(".add-input input", item).await.unwrap();
        b.wait_for("document.querySelector('.add-button').getAttribute('disabled') !== 'true'", WAIT)
            .await
            .unwrap();
        b.click(".add-button").await.unwrap();
        b.wait_for(&format!("document.querySelectorAll('todo-item').length === {}", n + 1), WAIT)
            .await
            .unwrap();
    }
    b.click("todo-item >>> .check").await.unwrap();
    b.wait_for(&format!("{}.classList.contains('done')", capsule_e2e::query("todo-item >>> .item")), WAIT)
        .await
        .unwrap();
    save(&mut b, "todo").await;
    let _ = stop.send(());
}
