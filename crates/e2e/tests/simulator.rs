//! The simulator in a real headless Chromium: a person's gestures on the page, checked in the
//! DOM. Each case saves a screenshot under `target/e2e-artifacts/`.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use capsule_e2e::Browser;
use capsule_host::Simulator;
use capsule_package::LoadOptions;

/// How long a condition may take to hold: generous, for a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(60);

/// A mini-program exercising what a person does: typing, adding, toggling, deleting,
/// navigating, switching tabs, pulling to refresh, answering a modal.
const APP: &[(&str, &str)] = &[
    (
        "app.json",
        r##"{
  "pages": ["pages/list/list", "pages/detail/detail", "pages/me/me"],
  "permission": {"scope.userLocation": {"desc": "to show shops near you"}},
  "window": {"navigationBarTitleText": "E2E", "navigationBarBackgroundColor": "#3b7ddd"},
  "tabBar": {"color": "#999999", "selectedColor": "#3b7ddd", "backgroundColor": "#ffffff",
    "list": [{"pagePath": "pages/list/list", "text": "List"}, {"pagePath": "pages/me/me", "text": "Me"}]}
}"##,
    ),
    ("app.js", "App({})"),
    ("app.wxss", ".done { text-decoration: line-through; } .item { padding: 10rpx; }"),
    ("pages/list/list.json", r#"{"navigationBarTitleText": "Items", "enablePullDownRefresh": true}"#),
    (
        "pages/list/list.wxml",
        r#"<input id="draft" value="{{draft}}" bindinput="onDraft" placeholder="new item"/>
<button id="add" type="primary" bindtap="onAdd">Add</button>
<view class="items">
  <view wx:for="{{items}}" wx:key="id" class="item {{item.done ? 'done' : ''}}" data-id="{{item.id}}">
    <text class="title" bindtap="onToggle" data-id="{{item.id}}">{{item.title}}</text>
    <text class="delete" catchtap="onDelete" data-id="{{item.id}}">x</text>
  </view>
</view>
<navigator id="to-detail" url="/pages/detail/detail?id=42">details</navigator>
<view id="refreshes">refreshed {{refreshes}}</view>
<button id="ask" bindtap="onAsk">ask</button>
<button id="authorize" bindtap="onAuthorize">authorize</button>
<button id="settings" bindtap="onSettings">settings</button>
<view id="auth">{{auth}}</view>
<view id="answer">{{answer}}</view>
<text id="decoded" decode>{{'a&lt;b&gt;'}}</text><text id="raw">{{'a&lt;b&gt;'}}</text>"#,
    ),
    (
        "pages/list/list.js",
        r#"Page({
  data: { draft: '', items: [], next: 1, refreshes: 0, answer: '', auth: '' },
  onDraft(e) { this.setData({ draft: e.detail.value }) },
  onAdd() {
    if (!this.data.draft) return;
    this.setData({ items: this.data.items.concat({ id: this.data.next, title: this.data.draft, done: false }), next: this.data.next + 1, draft: '' });
  },
  onToggle(e) {
    const i = this.data.items.findIndex(t => t.id === e.currentTarget.dataset.id);
    this.setData({ [`items[${i}].done`]: !this.data.items[i].done });
  },
  onDelete(e) { this.setData({ items: this.data.items.filter(t => t.id !== e.currentTarget.dataset.id) }) },
  onPullDownRefresh() { this.setData({ refreshes: this.data.refreshes + 1 }); wx.stopPullDownRefresh() },
  onAuthorize() {
    wx.authorize({ scope: 'scope.userLocation', success: () => this.setData({ auth: 'granted' }), fail: r => this.setData({ auth: r.errMsg }) });
  },
  onSettings() {
    wx.openSetting({ success: r => this.setData({ auth: 'location ' + r.authSetting['scope.userLocation'] }) });
  },
  onAsk() { wx.showModal({ title: 'Sure?', content: 'Really?', success: r => this.setData({ answer: r.confirm ? 'confirmed' : 'cancelled' }) }) },
})"#,
    ),
    (
        "pages/detail/detail.wxml",
        r#"<view id="detail">detail {{id}}</view><button id="tab-api" bindtap="onTabApi">badge</button><view id="tab-result">{{result}}</view>"#,
    ),
    (
        "pages/detail/detail.js",
        r#"Page({
  data: { id: '', result: '' },
  onLoad(q) { this.setData({ id: q.id }) },
  onTabApi() { wx.setTabBarBadge({ index: 0, text: '1', fail: r => this.setData({ result: r.errMsg }) }) },
})"#,
    ),
    (
        "pages/me/me.wxml",
        r#"<view id="me">me page</view>
<button id="badge" bindtap="onBadge">badge</button>
<button id="scroll" bindtap="onScroll">scroll</button>
<view id="tab-result">{{result}}</view>
<view style="height: 3000rpx"></view>
<view id="far">far</view>
<view style="height: 3000rpx"></view>"#,
    ),
    (
        "pages/me/me.js",
        r#"Page({
  data: { result: '' },
  onBadge() {
    wx.setTabBarBadge({ index: 0, text: '12345' });
    wx.showTabBarRedDot({ index: 1 });
    wx.setTabBarItem({ index: 1, text: 'Profile' });
    wx.setTabBarStyle({ backgroundColor: '#222222' });
    wx.showNavigationBarLoading();
    wx.setTabBarBadge({ index: 5, text: 'x', fail: r => this.setData({ result: r.errMsg }) });
  },
  onScroll() { wx.hideTabBar(); wx.pageScrollTo({ selector: '#far', duration: 0 }) },
})"#,
    ),
];

/// Writes a mini-program's files into a fresh directory named after `name`.
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

/// Starts a simulator on `dir` and a browser showing it.
async fn open(dir: &std::path::Path) -> (Simulator, tokio::sync::oneshot::Sender<()>, Browser) {
    let (sim, stop) = start(dir).await;
    let mut b = Browser::launch(480, 860).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    (sim, stop, b)
}

async fn start(dir: &std::path::Path) -> (Simulator, tokio::sync::oneshot::Sender<()>) {
    common::start(dir, "simulator").await
}

/// The text of the current page's element matching `selector`.
fn text_of(selector: &str) -> String {
    format!("(document.querySelector('wx-page:not([style*=\"none\"]) {selector}') || {{}}).textContent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_uses_the_simulator() {
    let dir = write_app("main", APP);
    let started = Instant::now();
    let (sim, stop, mut b) = open(&dir).await;
    b.wait_for("document.querySelector('wx-page #add')", WAIT).await.unwrap();
    println!("first paint after the simulator started: {:?}", started.elapsed());
    assert_eq!(b.eval("document.getElementById('capsule-nav-title').textContent").await.unwrap(), "Items");
    // `<text decode>` shows entities that come from data as characters; plain text does not.
    assert_eq!(b.eval(&text_of("#decoded")).await.unwrap(), "a<b>");
    assert_eq!(b.eval(&text_of("#raw")).await.unwrap(), "a&lt;b&gt;");
    b.screenshot("01-opened").await.unwrap();

    // Type an item and add it.
    b.type_into("#draft input", "milk").await.unwrap();
    b.wait_for("document.querySelector('#draft input').value === 'milk'", WAIT).await.unwrap();
    b.click("#add").await.unwrap();
    b.wait_for(&format!("{} === 'milk'", text_of(".item .title")), WAIT).await.unwrap();
    b.wait_for("document.querySelector('#draft input').value === ''", WAIT).await.unwrap();
    b.screenshot("02-added").await.unwrap();

    // Toggle it, then delete it.
    b.click(".item .title").await.unwrap();
    b.wait_for("document.querySelector('.item').classList.contains('done')", WAIT).await.unwrap();
    let style = b.eval("getComputedStyle(document.querySelector('.item')).textDecorationLine").await.unwrap();
    assert_eq!(style, "line-through", "app.wxss applies");
    b.screenshot("03-toggled").await.unwrap();
    b.click(".item .delete").await.unwrap();
    b.wait_for("!document.querySelector('.item')", WAIT).await.unwrap();

    // A tap, measured in the browser: the click until the DOM shows the change.
    b.type_into("#draft input", "eggs").await.unwrap();
    b.wait_for("document.querySelector('#draft input').value === 'eggs'", WAIT).await.unwrap();
    b.eval(
        "window.__tapStart = 0; window.__tapMs = null; new MutationObserver(function (m, o) { \
           if (document.querySelector('.item') && window.__tapStart) { window.__tapMs = performance.now() - window.__tapStart; o.disconnect(); } \
         }).observe(document.getElementById('capsule-pages'), {subtree: true, childList: true, characterData: true}); \
         document.getElementById('add').addEventListener('click', function () { window.__tapStart = performance.now(); }, {capture: true, once: true}); true",
    )
    .await
    .unwrap();
    b.click("#add").await.unwrap();
    b.wait_for("window.__tapMs !== null", WAIT).await.unwrap();
    let ms = b.eval("window.__tapMs").await.unwrap();
    println!("tap → handler → patches → DOM, measured in the browser: {ms} ms");

    // Navigate to a second page and back.
    b.click("#to-detail").await.unwrap();
    b.wait_for(&format!("{} === 'detail 42'", text_of("#detail")), WAIT).await.unwrap();
    assert_eq!(
        b.eval("getComputedStyle(document.getElementById('capsule-nav-back')).visibility").await.unwrap(),
        "visible"
    );
    b.screenshot("04-detail").await.unwrap();
    // The tab bar APIs work only while a tab page is shown.
    b.click("#tab-api").await.unwrap();
    b.wait_for(&format!("{} === 'setTabBarBadge:fail not TabBar page'", text_of("#tab-result")), WAIT)
        .await
        .unwrap();
    b.click("#capsule-nav-back").await.unwrap();
    b.wait_for(&format!("{} === 'eggs'", text_of(".item .title")), WAIT).await.unwrap();

    // Pull down to refresh: the page hears it and stops it.
    b.eval("document.getElementById('capsule-screen').scrollTop = 0; true").await.unwrap();
    b.drag("wx-page:not([style*=\"none\"]) #draft", 0.0, 150.0).await.unwrap();
    b.wait_for(&format!("{} === 'refreshed 1'", text_of("#refreshes")), WAIT).await.unwrap();
    b.wait_for("document.getElementById('capsule-refresh').className === ''", WAIT).await.unwrap();

    // A modal, answered.
    b.click("#ask").await.unwrap();
    b.wait_for("document.getElementById('capsule-modal').className === 'show'", WAIT).await.unwrap();
    b.screenshot("05-modal").await.unwrap();
    b.click("#capsule-modal .confirm").await.unwrap();
    b.wait_for(&format!("{} === 'confirmed'", text_of("#answer")), WAIT).await.unwrap();

    // A permission prompt shows the app's reason; the person allows.
    b.click("#authorize").await.unwrap();
    b.wait_for("document.getElementById('capsule-prompt').className === 'show'", WAIT).await.unwrap();
    assert_eq!(
        b.eval("document.querySelector('#capsule-prompt .content').textContent").await.unwrap(),
        "to show shops near you"
    );
    b.screenshot("06-prompt").await.unwrap();
    b.click("#capsule-prompt button[data-answer=always]").await.unwrap();
    b.wait_for(&format!("{} === 'granted'", text_of("#auth")), WAIT).await.unwrap();
    // The settings page switches it off again.
    b.click("#settings").await.unwrap();
    b.wait_for("document.getElementById('capsule-settings').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-settings input[data-scope='scope.userLocation']").await.unwrap();
    b.click("#capsule-settings .done").await.unwrap();
    b.wait_for(&format!("{} === 'location false'", text_of("#auth")), WAIT).await.unwrap();

    // Switch tabs, and back: the list page was kept alive, items and all.
    b.click("#capsule-tabbar .tab:nth-child(2)").await.unwrap();
    b.wait_for(&format!("{} === 'me page'", text_of("#me")), WAIT).await.unwrap();
    b.screenshot("07-tab").await.unwrap();
    b.click("#capsule-tabbar .tab:nth-child(1)").await.unwrap();
    b.wait_for(&format!("{} === 'eggs'", text_of(".item .title")), WAIT).await.unwrap();
    b.click("#capsule-tabbar .tab:nth-child(2)").await.unwrap();
    b.wait_for(&format!("{} === 'me page'", text_of("#me")), WAIT).await.unwrap();

    // Badges (four characters at most), a red dot, the navigation bar's loading mark; an
    // item that does not exist fails.
    b.click("#badge").await.unwrap();
    b.wait_for(
        "(document.querySelector('#capsule-tabbar .tab:nth-child(1) em.badge') || {}).textContent === '123…'",
        WAIT,
    )
    .await
    .unwrap();
    b.wait_for("!!document.querySelector('#capsule-tabbar .tab:nth-child(2) em.red-dot')", WAIT)
        .await
        .unwrap();
    b.wait_for(
        "document.querySelector('#capsule-tabbar .tab:nth-child(2) span').textContent === 'Profile'",
        WAIT,
    )
    .await
    .unwrap();
    b.wait_for(
        "getComputedStyle(document.getElementById('capsule-tabbar')).backgroundColor === 'rgb(34, 34, 34)'",
        WAIT,
    )
    .await
    .unwrap();
    b.wait_for("document.getElementById('capsule-nav-title').classList.contains('loading')", WAIT)
        .await
        .unwrap();
    b.wait_for(
        &format!("{}.startsWith('setTabBarBadge:fail tabbar item not found')", text_of("#tab-result")),
        WAIT,
    )
    .await
    .unwrap();
    b.screenshot("08-badges").await.unwrap();
    // Hide the tab bar and scroll the page to an element.
    b.click("#scroll").await.unwrap();
    b.wait_for("document.getElementById('capsule-tabbar').style.display === 'none'", WAIT).await.unwrap();
    b.wait_for(
        "(function () { var far = document.querySelector('#far').getBoundingClientRect(); \
           var screen = document.getElementById('capsule-screen').getBoundingClientRect(); \
           return document.getElementById('capsule-screen').scrollTop > 500 && Math.abs(far.top - screen.top) < 2; })()",
        WAIT,
    )
    .await
    .unwrap();

    // A view that reconnects starts from a snapshot of the current page.
    let mut late = Browser::launch(480, 860).await.unwrap();
    late.goto(&sim.url()).await.unwrap();
    late.wait_for(&format!("{} === 'me page'", text_of("#me")), WAIT).await.unwrap();
    // ... and with the tab bar as the APIs left it.
    late.wait_for(
        "(document.querySelector('#capsule-tabbar .tab:nth-child(1) em.badge') || {}).textContent === '123…'",
        WAIT,
    )
    .await
    .unwrap();
    assert_eq!(late.eval("document.getElementById('capsule-tabbar').style.display").await.unwrap(), "none");

    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The text of the element `selector` names, through component shadow roots (` >>> `).
fn deep_text(selector: &str) -> String {
    format!("({} || {{}}).textContent", capsule_e2e::query(selector))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_todo_example_works_with_its_row_component() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/todo");
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for(&format!("{} === '0 of 0 left'", deep_text(".footer")), WAIT).await.unwrap();

    // Type an item and tap add: a `todo-item` component shows it, in its shadow root.
    b.type_into(".add-input input", "buy milk").await.unwrap();
    b.wait_for("document.querySelector('.add-button').getAttribute('disabled') !== 'true'", WAIT)
        .await
        .unwrap();
    b.click(".add-button").await.unwrap();
    b.wait_for(&format!("{} === 'buy milk'", deep_text("todo-item >>> .title")), WAIT).await.unwrap();
    assert_eq!(b.eval(&deep_text(".footer")).await.unwrap(), "1 of 1 left");
    assert_eq!(
        b.eval("document.querySelector('wx-page .title') === null").await.unwrap(),
        true,
        "the row is inside the component, not in the page's DOM"
    );
    b.screenshot("10-todo-added").await.unwrap();

    // Toggle it: the component triggers `toggle`, the page updates the item and passes it back.
    b.click("todo-item >>> .check").await.unwrap();
    b.wait_for(&format!("{} === '0 of 1 left'", deep_text(".footer")), WAIT).await.unwrap();
    b.wait_for(&format!("{}.classList.contains('done')", capsule_e2e::query("todo-item >>> .item")), WAIT)
        .await
        .unwrap();
    // The component's own stylesheet applies inside it.
    let line = b
        .eval(&format!("getComputedStyle({}).textDecorationLine", capsule_e2e::query("todo-item >>> .title")))
        .await
        .unwrap();
    assert_eq!(line, "line-through");
    assert_eq!(
        b.eval(&format!("{}.textContent", capsule_e2e::query("todo-item >>> .check"))).await.unwrap(),
        "✓"
    );
    b.screenshot("11-todo-toggled").await.unwrap();

    // Delete it: the component leaves the page.
    b.click("todo-item >>> .remove").await.unwrap();
    b.wait_for("document.querySelector('todo-item') === null", WAIT).await.unwrap();
    assert_eq!(b.eval(&deep_text(".empty")).await.unwrap(), "Nothing to do. Add something above.");
    b.screenshot("12-todo-deleted").await.unwrap();
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_showcase_renders_with_its_images_and_styles() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase");
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for("document.querySelector('wx-image.logo img') && document.querySelector('wx-image.logo img').naturalWidth === 64", WAIT)
        .await
        .unwrap();
    // 96rpx on a 375 px wide device is 48 px.
    let width =
        b.eval("document.querySelector('wx-image.logo').getBoundingClientRect().width").await.unwrap();
    assert_eq!(width.as_f64().map(f64::round), Some(48.0));
    b.click("wx-navigator:nth-child(1)").await.unwrap();
    b.wait_for(&format!("{}.startsWith('Hello, Ada!')", text_of("wx-view.section-title + wx-view")), WAIT)
        .await
        .unwrap();
    b.click("wx-button").await.unwrap();
    b.wait_for(&format!("{} === 'More (2)'", text_of("wx-button .wx-button-label")), WAIT).await.unwrap();
    b.screenshot("08-showcase-bindings").await.unwrap();
    let _ = stop.send(());
}

/// Form controls, operated as a person would, and the events the page's script receives.
const FORM_APP: &[(&str, &str)] = &[
    ("app.json", r#"{"pages": ["pages/form/form"]}"#),
    ("app.js", "App({})"),
    (
        "pages/form/form.wxml",
        r#"<form bindsubmit="onSubmit" bindreset="onReset">
  <switch id="sw" name="s" bindchange="onSwitch"/>
  <checkbox-group name="c" bindchange="onChecks">
    <checkbox id="ca" value="a"/>
    <label id="lb"><checkbox value="b"/>b</label>
  </checkbox-group>
  <radio-group name="r" bindchange="onRadio">
    <radio id="rx" value="x" checked="{{true}}"/><radio id="ry" value="y"/>
  </radio-group>
  <slider id="sl" name="v" value="30" show-value/>
  <input id="tx" name="t"/>
  <progress id="pr" percent="40" show-info/>
  <icon id="ic" type="success" size="30"/>
  <picker id="pk" name="p" range="{{fruits}}" range-key="name" value="0" bindchange="onPick"><view>pick {{fruits[picked].name}}</view></picker>
  <picker id="dt" mode="date" value="2026-11-25" bindchange="onDate"><view>date</view></picker>
  <picker id="mp" mode="multiSelector" range="{{multi}}" value="{{[0, 0]}}" bindcolumnchange="onColumn" bindchange="onMulti"><view>multi</view></picker>
  <picker id="rg" mode="region" value="{{['广东省', '广州市', '海珠区']}}" bindchange="onRegion"><view>region</view></picker>
  <picker id="rg2" mode="region" level="city" custom-item="全部" bindchange="onRegion"><view>region2</view></picker>
  <textarea id="ta" auto-height bindlinechange="onLines"/>
  <rich-text id="rt" nodes="{{html}}"/>
  <rich-text id="rt2" nodes="{{tree}}"/>
  <button id="sheet" bindtap="onSheet">sheet</button>
  <button id="preview" bindtap="onPreview">preview</button>
  <movable-area id="ma" style="width: 200px; height: 200px"><movable-view id="mv" direction="all" x="{{mx}}" style="width: 50px; height: 50px; background: #3b7ddd" bindchange="onMove" bindtap="onMvTap"/></movable-area>
  <view id="mvtaps">{{mvTaps}}</view>
  <button id="place" bindtap="onPlace">place</button>
  <picker-view id="pv" style="height: 170px" value="{{[1, 2]}}" bindchange="onPv">
    <picker-view-column><view wx:for="{{[0, 1, 2, 3, 4, 5]}}" wx:key="*this">a{{item}}</view></picker-view-column>
    <picker-view-column><view wx:for="{{[0, 1, 2, 3, 4, 5]}}" wx:key="*this">b{{item}}</view></picker-view-column>
  </picker-view>
  <swiper id="sw2" indicator-dots bindchange="onSwipe"><swiper-item>one</swiper-item><swiper-item>two</swiper-item><swiper-item>three</swiper-item></swiper>
  <button id="submit" form-type="submit">submit</button>
  <button id="reset" form-type="reset">reset</button>
</form>
<view id="out">{{out}}</view>"#,
    ),
    (
        "pages/form/form.js",
        r#"Page({
  data: { out: '', picked: 0,
    html: '<p class="x" onclick="alert(1)">hi <b>there</b><script>window.pwned = 1</script><a href="javascript:alert(1)">link</a><img src="x" onerror="window.pwned = 2"></p>',
    tree: [{ name: 'div', attrs: { style: 'width: 100rpx' }, children: [{ type: 'text', text: 'from an array' }] }, { name: 'iframe', attrs: { src: 'https://example.com' } }], fruits: [{ name: 'apple' }, { name: 'pear' }, { name: 'plum' }],
    mx: 0, mvTaps: 0, multi: [['fruit', 'vegetable'], ['apple', 'pear']] },
  onColumn(e) {
    if (e.detail.column === 0) this.setData({ 'multi[1]': e.detail.value === 1 ? ['carrot', 'leek'] : ['apple', 'pear'] });
    this.setData({ out: 'column ' + e.detail.column + ' ' + e.detail.value });
  },
  onMulti(e) { this.setData({ out: 'multi ' + JSON.stringify(e.detail.value) + ' ' + this.data.multi[1][e.detail.value[1]] }) },
  onRegion(e) { this.setData({ out: 'region ' + JSON.stringify(e.detail) }) },
  onPick(e) { this.setData({ picked: e.detail.value, out: 'picked ' + e.detail.value }) },
  onDate(e) { this.setData({ out: 'date ' + e.detail.value }) },
  onLines(e) { this.setData({ out: 'lines ' + e.detail.lineCount }) },
  onMove(e) { this.setData({ out: 'moved ' + Math.round(e.detail.x) + ',' + Math.round(e.detail.y) + ' ' + e.detail.source }) },
  onPlace() { this.setData({ mx: 20 }) },
  onPv(e) { this.setData({ out: 'pv ' + JSON.stringify(e.detail.value) }) },
  onMvTap() { this.setData({ mvTaps: this.data.mvTaps + 1 }) },
  onPreview() {
    wx.previewImage({ urls: ['/img/a.png', 'http://127.0.0.1:9/b.png'], current: 'http://127.0.0.1:9/b.png' });
    wx.previewImage({ urls: [], fail: r => this.setData({ out: r.errMsg }) });
  },
  onSheet() { wx.showActionSheet({ itemList: ['A', 'B'], success: r => this.setData({ out: 'sheet ' + r.tapIndex }) }) },
  onSwipe(e) { this.setData({ out: 'swiped ' + e.detail.current + ' by ' + e.detail.source }) },
  onSwitch(e) { this.setData({ out: 'switch ' + e.detail.value }) },
  onChecks(e) { this.setData({ out: 'checks ' + JSON.stringify(e.detail.value) }) },
  onRadio(e) { this.setData({ out: 'radio ' + e.detail.value }) },
  onSubmit(e) { this.setData({ out: 'submit ' + JSON.stringify(e.detail.value) }) },
  onReset() { this.setData({ out: 'reset' }) },
})"#,
    ),
];

/// Controls reached through built-ins' inner elements: text inside a button, a button and a
/// checkbox inside a scroll-view's content, a label's text inside a view.
const NESTED_FORM_APP: &[(&str, &str)] = &[
    ("app.json", r#"{"pages": ["pages/form/form"]}"#),
    ("app.js", "App({})"),
    (
        "pages/form/form.wxml",
        r#"<form bindsubmit="onSubmit">
  <checkbox-group name="c" bindchange="onChecks">
    <scroll-view scroll-y style="height: 300px">
      <label id="lb"><view><checkbox value="a"/><text id="lbt">a</text></view></label>
      <checkbox id="cb" value="b"/>
      <button id="go" form-type="submit"><text id="gotext">go</text></button>
    </scroll-view>
  </checkbox-group>
</form>
<view id="out">{{out}}</view>"#,
    ),
    (
        "pages/form/form.js",
        r#"Page({
  data: { out: '' },
  onChecks(e) { this.setData({ out: 'checks ' + JSON.stringify(e.detail.value) }) },
  onSubmit(e) { this.setData({ out: 'submit ' + JSON.stringify(e.detail.value) }) },
})"#,
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controls_inside_built_ins_inner_elements_still_work() {
    let dir = write_app("nested-form", NESTED_FORM_APP);
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for("document.querySelector('wx-page #gotext')", WAIT).await.unwrap();
    let out =
        |expected: &str| format!("{} === {}", text_of("#out"), serde_json::to_string(expected).unwrap());
    b.click("#lbt").await.unwrap();
    b.wait_for(&out(r#"checks ["a"]"#), WAIT).await.unwrap();
    b.click("#cb").await.unwrap();
    b.wait_for(&out(r#"checks ["a","b"]"#), WAIT).await.unwrap();
    b.click("#gotext").await.unwrap();
    b.wait_for(&out(r#"submit {"c":["a","b"]}"#), WAIT).await.unwrap();
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_controls_send_the_platforms_events() {
    let dir = write_app("form", FORM_APP);
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for("document.querySelector('wx-page #submit')", WAIT).await.unwrap();
    let out =
        |expected: &str| format!("{} === {}", text_of("#out"), serde_json::to_string(expected).unwrap());

    b.click("#sw").await.unwrap();
    b.wait_for(&out("switch true"), WAIT).await.unwrap();
    b.click("#ca").await.unwrap();
    b.wait_for(&out(r#"checks ["a"]"#), WAIT).await.unwrap();
    b.click("#lb").await.unwrap();
    b.wait_for(&out(r#"checks ["a","b"]"#), WAIT).await.unwrap();
    b.click("#ry").await.unwrap();
    b.wait_for(&out("radio y"), WAIT).await.unwrap();
    b.type_into("#tx input", "hi").await.unwrap();
    assert_eq!(b.eval("document.querySelector('#pr .wx-progress-info').textContent").await.unwrap(), "40%");
    assert_eq!(
        b.eval(
            "document.querySelector('#ic').offsetWidth + ' ' + !!document.querySelector('#ic svg circle')"
        )
        .await
        .unwrap(),
        "30 true"
    );
    b.screenshot("09-form").await.unwrap();
    // A selector picker: the sheet lists the range by its key; the choice is an index.
    b.click("#pk").await.unwrap();
    b.wait_for("document.getElementById('capsule-picker').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-picker .option[data-index='2']").await.unwrap();
    b.click("#capsule-picker .confirm").await.unwrap();
    b.wait_for(&out("picked 2"), WAIT).await.unwrap();
    assert_eq!(b.eval(&text_of("#pk")).await.unwrap(), "pick plum");
    b.click("#dt").await.unwrap();
    b.wait_for("document.getElementById('capsule-picker').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-picker .confirm").await.unwrap();
    b.wait_for(&out("date 2026-11-25"), WAIT).await.unwrap();
    // A multi-column picker: a choice in the first column changes the second's range.
    b.click("#mp").await.unwrap();
    b.wait_for("document.getElementById('capsule-picker').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-picker .column[data-column='0'] .option[data-index='1']").await.unwrap();
    b.wait_for(&out("column 0 1"), WAIT).await.unwrap();
    b.wait_for("(document.querySelector(\"#capsule-picker .column[data-column='1'] .option[data-index='1']\") || {}).textContent === 'leek'", WAIT)
        .await
        .unwrap();
    b.click("#capsule-picker .column[data-column='1'] .option[data-index='1']").await.unwrap();
    b.wait_for(&out("column 1 1"), WAIT).await.unwrap();
    b.click("#capsule-picker .confirm").await.unwrap();
    b.wait_for(&out("multi [1,1] leek"), WAIT).await.unwrap();
    // A region picker starts on its value; changing the province changes the cities.
    b.click("#rg").await.unwrap();
    b.wait_for("(document.querySelector(\"#capsule-picker .column[data-column='2'] .selected\") || {}).textContent === '海珠区'", WAIT)
        .await
        .unwrap();
    b.click("#capsule-picker .confirm").await.unwrap();
    b.wait_for(
        &out(r#"region {"value":["广东省","广州市","海珠区"],"code":["440000","440100","440105"]}"#),
        WAIT,
    )
    .await
    .unwrap();
    b.click("#rg").await.unwrap();
    b.wait_for("document.getElementById('capsule-picker').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-picker .column[data-column='0'] .option[data-index='0']").await.unwrap();
    b.click("#capsule-picker .confirm").await.unwrap();
    b.wait_for(
        &out(r#"region {"value":["北京市","北京市","东城区"],"code":["110000","110100","110101"]}"#),
        WAIT,
    )
    .await
    .unwrap();
    // level="city" shows two columns; the custom item heads each, and choosing it at the
    // top leaves only it below.
    b.click("#rg2").await.unwrap();
    b.wait_for("document.querySelectorAll('#capsule-picker .column').length === 2", WAIT).await.unwrap();
    b.click("#capsule-picker .confirm").await.unwrap();
    b.wait_for(&out(r#"region {"value":["全部","全部"],"code":["",""]}"#), WAIT).await.unwrap();
    // A textarea reports its line count as it grows.
    b.type_into("#ta textarea", "one").await.unwrap();
    b.wait_for(&out("lines 1"), WAIT).await.unwrap();
    b.press_enter().await.unwrap();
    b.wait_for(&out("lines 2"), WAIT).await.unwrap();
    // rich-text is sanitised: no script, no event attributes, no javascript: URLs.
    b.wait_for("document.querySelector('#rt p')", WAIT).await.unwrap();
    assert_eq!(
        b.eval("document.querySelector('#rt').innerHTML").await.unwrap(),
        r#"<p class="x">hi <b>there</b><a>link</a><img src="x"></p>"#
    );
    assert_eq!(b.eval("window.pwned === undefined").await.unwrap(), true);
    assert_eq!(
        b.eval("document.querySelector('#rt2').innerHTML").await.unwrap(),
        r#"<div style="width: calc(100 * var(--rpx))">from an array</div>"#
    );
    // An action sheet, answered.
    b.click("#sheet").await.unwrap();
    b.wait_for("document.getElementById('capsule-action-sheet').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-action-sheet .list button[data-index='1']").await.unwrap();
    b.wait_for(&out("sheet 1"), WAIT).await.unwrap();
    // A movable-view follows a drag and stays inside its area; setData moves it too.
    b.drag("#mv", 300.0, 60.0).await.unwrap();
    b.wait_for(&out("moved 150,60 touch"), WAIT).await.unwrap();
    b.click("#place").await.unwrap();
    b.wait_for(&out("moved 20,60 "), WAIT).await.unwrap();
    assert_eq!(b.eval(&text_of("#mvtaps")).await.unwrap(), "0", "a drag is not a tap");
    b.click("#mv").await.unwrap();
    b.wait_for(&format!("{} === '1'", text_of("#mvtaps")), WAIT).await.unwrap();
    // A picker-view starts on its value; a column scrolled to another row reports every
    // column's index.
    b.wait_for("document.querySelectorAll('#pv wx-picker-view-column')[1].scrollTop === 68", WAIT)
        .await
        .unwrap();
    b.eval("document.querySelectorAll('#pv wx-picker-view-column')[0].scrollTop = 34 * 4; true")
        .await
        .unwrap();
    b.wait_for(&out("pv [4,2]"), WAIT).await.unwrap();
    // previewImage opens on `current`, steps through `urls`, and a tap closes it.
    b.click("#preview").await.unwrap();
    b.wait_for(
        &out("previewImage:fail parameter error: parameter.urls should be a non-empty Array of String"),
        WAIT,
    )
    .await
    .unwrap();
    b.wait_for("document.getElementById('capsule-preview').className === 'show'", WAIT).await.unwrap();
    assert_eq!(
        b.eval("document.querySelector('#capsule-preview img').src").await.unwrap(),
        "http://127.0.0.1:9/b.png"
    );
    assert_eq!(
        b.eval("document.querySelector('#capsule-preview .count').textContent").await.unwrap(),
        "2 / 2"
    );
    b.click("#capsule-preview .prev").await.unwrap();
    let first = b.eval("document.querySelector('#capsule-preview img').src").await.unwrap();
    assert!(first.as_str().unwrap().ends_with("/pkg/img/a.png"), "{first}");
    b.click("#capsule-preview .count").await.unwrap();
    b.wait_for("document.getElementById('capsule-preview').className === ''", WAIT).await.unwrap();
    // A swiper follows the drag, and its dots follow the swiper.
    b.drag("#sw2", -200.0, 0.0).await.unwrap();
    b.wait_for(&out("swiped 1 by touch"), WAIT).await.unwrap();
    assert_eq!(b.eval("document.querySelectorAll('#sw2 .wx-swiper-dots i').length").await.unwrap(), 3);
    assert_eq!(b.eval("[...document.querySelectorAll('#sw2 .wx-swiper-dots i')].findIndex(d => d.className === 'active')").await.unwrap(), 1);
    b.click("#submit").await.unwrap();
    b.wait_for(&out(r#"submit {"s":true,"c":["a","b"],"r":"y","v":30,"t":"hi","p":2}"#), WAIT).await.unwrap();
    b.click("#reset").await.unwrap();
    b.wait_for(&out("reset"), WAIT).await.unwrap();
    assert_eq!(b.eval("document.querySelector('#rx').classList.contains('wx-checked')").await.unwrap(), true);
    assert_eq!(
        b.eval("document.querySelector('#sw').classList.contains('wx-checked')").await.unwrap(),
        false
    );
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A page that measures itself with a selector query.
const QUERY_APP: &[(&str, &str)] = &[
    ("app.json", r#"{"pages": ["pages/q/q"]}"#),
    ("app.js", "App({})"),
    (
        "pages/q/q.wxml",
        r#"<view id="box" class="box" data-item-id="{{7}}" style="margin-left: 30px; width: 200px; height: 120px">box</view>
<view class="row" wx:for="{{[1, 2, 3]}}" wx:key="*this" style="height: 40px">{{item}}</view>
<scroll-view id="sv" scroll-y style="height: 50px"><view style="height: 300px">tall</view></scroll-view>
<button id="measure" bindtap="onMeasure">measure</button>
<view id="out">{{out}}</view>
<view id="seen">{{seen}}</view>
<view id="anim" animation="{{anim}}" style="width: 40px; height: 40px; background: #07c160"></view>
<button id="play" bindtap="onPlay">play</button>
<view style="height: 2000px"></view>
<view id="late" data-n="{{5}}" style="height: 100px">late</view>
<probe id="probe" bind:measured="onProbe"/>
<button id="probe-go" bindtap="onProbeGo">probe</button>
<view id="probed">{{probed}}</view>"#,
    ),
    ("pages/q/q.json", r#"{"usingComponents": {"probe": "/probe/probe"}}"#),
    ("probe/probe.json", r#"{"component": true}"#),
    ("probe/probe.wxml", r#"<view id="box" class="inner">inner</view>"#),
    ("probe/probe.wxss", ".inner { width: 77px; height: 10px; }"),
    (
        "probe/probe.js",
        r#"Component({ methods: { measure() {
  const own = this.createSelectorQuery();
  own.select('#box').boundingClientRect();
  own.select('#late').boundingClientRect();
  own.exec(a => wx.createSelectorQuery().in(this).select('.inner').boundingClientRect().exec(b =>
    this.triggerEvent('measured', { own: a[0].width, outside: a[1], viaIn: b[0].width }))); } } })"#,
    ),
    (
        "pages/q/q.js",
        r#"Page({
  data: { out: '', seen: '' },
  onReady() {
    this.createIntersectionObserver({ thresholds: [0, 1] }).relativeToViewport({ bottom: 0 }).observe('#late', res => {
      this.setData({ seen: this.data.seen + res.id + ':' + res.dataset.n + ':' + res.intersectionRatio + ' ' });
    });
  },
  onPlay() {
    const a = wx.createAnimation({ duration: 60 });
    a.translateX(50).opacity(0.5).step().rotate(90).width(80).step({ duration: 30 });
    const data = a.export();
    this.setData({ anim: data, out: 'steps ' + data.actions.length + ' then ' + a.export().actions.length });
  },
  onProbeGo() { this.selectComponent('#probe').measure() },
  onProbe(e) { this.setData({ probed: JSON.stringify(e.detail) }) },
  onMeasure() {
    const q = wx.createSelectorQuery();
    let single = null;
    q.select('#box').boundingClientRect(r => { single = r });
    q.selectAll('.row').boundingClientRect();
    q.selectViewport().scrollOffset();
    q.select('#box').fields({ dataset: true, computedStyle: ['width'], properties: ['class'] });
    q.select('#missing').boundingClientRect();
    q.select('#sv').scrollOffset();
    q.exec(res => this.setData({ out: JSON.stringify({ single, res }) }));
  },
})"#,
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selector_query_reports_the_real_layout() {
    let dir = write_app("query", QUERY_APP);
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for("document.querySelector('wx-page #measure')", WAIT).await.unwrap();
    b.eval("document.querySelector('#sv').scrollTop = 25; true").await.unwrap();
    b.click("#measure").await.unwrap();
    b.wait_for(&format!("{} !== ''", text_of("#out")), WAIT).await.unwrap();
    let out: serde_json::Value =
        serde_json::from_str(b.eval(&text_of("#out")).await.unwrap().as_str().unwrap()).unwrap();
    // The element's real box, relative to the page's viewport, as the browser measures it.
    let real = b
        .eval(
            "(function () { var r = document.querySelector('#box').getBoundingClientRect(); \
               var s = document.getElementById('capsule-screen').getBoundingClientRect(); \
               return [r.left - s.left, r.top - s.top, r.width, r.height]; })()",
        )
        .await
        .unwrap();
    let res = &out["res"];
    let first = &res[0];
    assert_eq!(out["single"], *first, "the per-request callback gets the same result");
    assert_eq!(first["id"], "box");
    assert_eq!(first["dataset"]["itemId"], 7, "dataset keeps the bound value's type");
    for (i, key) in ["left", "top", "width", "height"].iter().enumerate() {
        let got = first[*key].as_f64().unwrap();
        let want = real[i].as_f64().unwrap();
        assert!((got - want).abs() < 0.5, "{key}: {got} vs the real {want}");
    }
    assert_eq!(first["width"], 200.0);
    assert!((first["left"].as_f64().unwrap() - 30.0).abs() < 0.5, "{first}");
    assert_eq!(first["right"].as_f64().unwrap(), first["left"].as_f64().unwrap() + 200.0);
    // selectAll: one rect per match, in document order, stacked 40 px apart.
    let rows = res[1].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let tops: Vec<f64> = rows.iter().map(|r| r["top"].as_f64().unwrap()).collect();
    assert!((tops[1] - tops[0] - 40.0).abs() < 0.5 && (tops[2] - tops[1] - 40.0).abs() < 0.5, "{tops:?}");
    // The viewport's scroll offset, fields, a missing element, a scroll-view's offset.
    let page_top = b.eval("document.getElementById('capsule-screen').scrollTop").await.unwrap();
    assert_eq!(res[2]["scrollTop"].as_f64(), page_top.as_f64());
    assert!(res[2]["scrollHeight"].as_f64().unwrap() > 0.0);
    assert_eq!(res[3]["dataset"]["itemId"], 7);
    assert_eq!(res[3]["width"], "200px");
    assert_eq!(res[3]["class"], "box");
    assert_eq!(res[4], serde_json::Value::Null);
    assert_eq!(res[5]["scrollTop"], 25.0);
    assert_eq!(res[5]["id"], "sv");

    // An intersection observer: nothing while the target is below the fold, a report when it
    // scrolls fully into view, another when it leaves.
    assert_eq!(b.eval(&text_of("#seen")).await.unwrap(), "");
    b.eval("document.getElementById('capsule-screen').scrollTop = 100000; true").await.unwrap();
    b.wait_for(&format!("{} === 'late:5:1 '", text_of("#seen")), WAIT).await.unwrap();
    b.eval("document.getElementById('capsule-screen').scrollTop = 0; true").await.unwrap();
    b.wait_for(&format!("{} === 'late:5:1 late:5:0 '", text_of("#seen")), WAIT).await.unwrap();

    // An animation exported by wx.createAnimation plays its steps; the second keeps the
    // first's translation and adds a rotation.
    b.click("#play").await.unwrap();
    b.wait_for(&format!("{} === 'steps 2 then 0'", text_of("#out")), WAIT).await.unwrap();
    // A component's query looks inside it only: its own #box (its stylesheet makes it 77 px
    // wide), not the page's; the page's elements are not found from inside.
    b.click("#probe-go").await.unwrap();
    b.wait_for(&format!("{} === '{{\"own\":77,\"outside\":null,\"viaIn\":77}}'", text_of("#probed")), WAIT)
        .await
        .unwrap();
    b.wait_for(
        "(function () { var s = getComputedStyle(document.querySelector('#anim')); \
           return s.transform === 'matrix(0, 1, -1, 0, 50, 0)' && s.opacity === '0.5' && s.width === '80px'; })()",
        WAIT,
    )
    .await
    .unwrap();
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_view_shows_allowed_pages_only() {
    let (origin, server) =
        common::serve_html("<!doctype html><title>inner</title><h1 id=hello>hello from the web</h1>").await;
    let page_js = format!(
        r#"Page({{
  data: {{ src: 'https://not-allowed.example.com/page', log: [] }},
  onError(e) {{ this.setData({{ log: this.data.log.concat('error ' + e.detail.url), src: '{origin}/inner.html' }}) }},
  onLoad2(e) {{ this.setData({{ log: this.data.log.concat('load ' + e.detail.src) }}) }},
}})"#
    );
    let dir = write_app(
        "webview",
        &[
            ("app.json", r#"{"pages": ["pages/web/web"]}"#),
            ("app.js", "App({})"),
            (
                "pages/web/web.wxml",
                r#"<view id="log">{{log}}</view><web-view id="wv" src="{{src}}" binderror="onError" bindload="onLoad2"/>"#,
            ),
            ("pages/web/web.js", &page_js),
        ],
    );
    let (_sim, stop, mut b) = open(&dir).await;
    // The origin not in the host's list is refused; the page hears `error`, then points the
    // web-view at this machine, which development allows.
    let expected = format!("error https://not-allowed.example.com/page,load {origin}/inner.html");
    b.wait_for(&format!("{} === {:?}", text_of("#log"), expected), WAIT).await.unwrap();
    assert_eq!(
        b.eval("document.querySelector('#wv iframe').src").await.unwrap(),
        format!("{origin}/inner.html").as_str()
    );
    assert_eq!(
        b.eval("document.querySelector('#wv iframe').getAttribute('sandbox')").await.unwrap(),
        "allow-scripts allow-forms allow-popups allow-same-origin"
    );
    b.screenshot("13-web-view").await.unwrap();
    let _ = stop.send(());
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_requests_are_answered_in_the_simulator() {
    let dir = write_app(
        "device",
        &[
            (
                "app.json",
                r#"{"pages": ["pages/d/d"], "permission": {"scope.userLocation": {"desc": "to test"}}, "requiredPrivateInfos": ["getLocation"]}"#,
            ),
            ("app.js", "App({})"),
            (
                "pages/d/d.wxml",
                r#"<button id="where" bindtap="where">where</button><button id="scan" bindtap="scan">scan</button><button id="pick" bindtap="pick">pick</button>
<button id="copy" bindtap="copy">copy</button><view id="out">{{out}}</view><image id="img" wx:if="{{img}}" src="{{img}}" mode="widthFix"/>"#,
            ),
            (
                "pages/d/d.js",
                r#"Page({
  data: { out: '', img: '' },
  scan() { wx.scanCode({ success: r => this.setData({ out: 'scanned ' + r.result }), fail: r => this.setData({ out: r.errMsg }) }) },
  pick() { wx.chooseImage({ count: 1, success: r => this.setData({ out: 'picked ' + r.tempFilePaths.length, img: r.tempFilePaths[0] }), fail: r => this.setData({ out: r.errMsg }) }) },
  copy() { wx.setClipboardData({ data: 'x' }) },
  where() { wx.getLocation({ success: r => this.setData({ out: 'at ' + r.latitude + ' ' + r.longitude }), fail: r => this.setData({ out: r.errMsg }) }) },
})"#,
            ),
        ],
    );
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for("document.querySelector('wx-page #scan')", WAIT).await.unwrap();
    let out = |want: &str| format!("{} === {:?}", text_of("#out"), want);

    // scanCode: the sheet asks for what the code says.
    b.click("#scan").await.unwrap();
    b.wait_for("document.getElementById('capsule-device-sheet').className === 'show'", WAIT).await.unwrap();
    b.type_into("#capsule-device-sheet input", "hello-qr").await.unwrap();
    b.click("#capsule-device-sheet .confirm").await.unwrap();
    b.wait_for(&out("scanned hello-qr"), WAIT).await.unwrap();
    // Cancelled, it fails as on the platform.
    b.click("#scan").await.unwrap();
    b.wait_for("document.getElementById('capsule-device-sheet').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-device-sheet .cancel").await.unwrap();
    b.wait_for(&out("scanCode:fail cancel"), WAIT).await.unwrap();

    // chooseImage: a file chosen in the sheet becomes a temp file the page can show.
    let logo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase/images/logo.png");
    let logo = logo.canonicalize().unwrap();
    b.click("#pick").await.unwrap();
    b.wait_for("document.getElementById('capsule-device-sheet').className === 'show'", WAIT).await.unwrap();
    b.set_files("#capsule-device-sheet input[type=file]", &[&logo]).await.unwrap();
    b.click("#capsule-device-sheet .confirm").await.unwrap();
    b.wait_for(&out("picked 1"), WAIT).await.unwrap();
    b.wait_for("(document.querySelector('wx-page #img img') || {}).naturalWidth === 64", WAIT).await.unwrap();
    b.screenshot("14-device").await.unwrap();

    // The simulator moves the device; getLocation (once the person allows it) reports it.
    b.click("#capsule-set-location").await.unwrap();
    b.wait_for("document.getElementById('capsule-device-sheet').className === 'show' && document.querySelectorAll('#capsule-device-sheet input').length === 2", WAIT)
        .await
        .unwrap();
    b.eval("var i = document.querySelectorAll('#capsule-device-sheet input'); i[0].value = '31.23'; i[1].value = '121.47'; true").await.unwrap();
    b.click("#capsule-device-sheet .confirm").await.unwrap();
    b.wait_for("document.getElementById('capsule-device-sheet').className === ''", WAIT).await.unwrap();
    b.click("#where").await.unwrap();
    b.wait_for("document.getElementById('capsule-prompt').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-prompt [data-answer='always']").await.unwrap();
    b.wait_for(&out("at 31.23 121.47"), WAIT).await.unwrap();

    // setClipboardData shows the platform's toast.
    b.click("#copy").await.unwrap();
    b.wait_for("document.getElementById('capsule-toast').textContent === '内容已复制'", WAIT).await.unwrap();
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_reload_keeps_the_page_and_shows_build_errors_until_fixed() {
    let app_json = r#"{"pages": ["pages/a/a", "pages/b/b"]}"#;
    let dir = write_app(
        "reload",
        &[
            ("app.json", app_json),
            ("app.js", "App({})"),
            ("pages/a/a.wxml", r#"<navigator id="go" url="/pages/b/b?q=7">go</navigator>"#),
            ("pages/a/a.js", "Page({})"),
            ("pages/b/b.wxml", r#"<view id="b">first {{q}}</view>"#),
            ("pages/b/b.js", "Page({ data: { q: '' }, onLoad(o) { this.setData({ q: o.q }) } })"),
        ],
    );
    let (sim, stop) = start(&dir).await;
    let sim = std::sync::Arc::new(sim);
    let _watcher = capsule_host::watch::watch(
        sim.clone(),
        dir.clone(),
        LoadOptions::default(),
        Duration::from_millis(100),
    );
    let mut b = Browser::launch(480, 860).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("document.querySelector('wx-page #go')", WAIT).await.unwrap();
    b.click("wx-page #go").await.unwrap();
    b.wait_for(&format!("{} === 'first 7'", text_of("#b")), WAIT).await.unwrap();

    // An edit reloads the app on the page that was shown, with its query.
    std::fs::write(dir.join("pages/b/b.wxml"), r#"<view id="b">second {{q}}</view>"#).unwrap();
    b.wait_for(&format!("{} === 'second 7'", text_of("#b")), WAIT).await.unwrap();

    // A broken file: the errors show over the page, with the place and the source line.
    std::fs::write(dir.join("app.json"), "{\"pages\": [\"pages/a/a\", \"pages/b/b\",]}").unwrap();
    b.wait_for("document.getElementById('capsule-overlay').className === 'show'", WAIT).await.unwrap();
    let shown = b.eval("document.querySelector('#capsule-overlay pre').textContent").await.unwrap();
    let shown = shown.as_str().unwrap_or_default();
    assert!(shown.contains("app.json:1:"), "{shown}");
    assert!(shown.contains("\"pages/b/b\",]"), "the source line is shown: {shown}");
    b.screenshot("15-reload-error").await.unwrap();

    // Fixed: the overlay goes and the app runs again.
    std::fs::write(dir.join("app.json"), app_json).unwrap();
    b.wait_for("document.getElementById('capsule-overlay').className === ''", WAIT).await.unwrap();
    b.wait_for(&format!("{} === 'second 7'", text_of("#b")), WAIT).await.unwrap();
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_developer_tools_panels_show_and_change_the_app() {
    let (origin, server) = common::serve_html("<!doctype html><p>ok</p>").await;
    let page_js = format!(
        r#"Page({{
  data: {{ count: 1, seen: '' }},
  onLoad() {{ wx.setStorageSync('k', {{ v: 1 }}); console.log('loaded', this.data.count) }},
  log() {{ console.warn('tapped', this.data.count) }},
  read() {{ const v = wx.getStorageSync('k'); this.setData({{ seen: v === '' ? 'missing' : JSON.stringify(v) }}) }},
  fetch() {{ wx.request({{ url: '{origin}/x', dataType: 'text', success: r => this.setData({{ seen: 'fetched ' + r.statusCode }}) }}) }},
  where() {{ wx.getLocation({{ success: r => this.setData({{ seen: 'at ' + r.latitude }}), fail: r => this.setData({{ seen: r.errMsg }}) }}) }},
  big() {{ this.setData({{ blob: 'x'.repeat(300 * 1024) }}) }},
  sys() {{ this.setData({{ seen: 'width ' + wx.getSystemInfoSync().windowWidth }}) }},
}})"#
    );
    let dir = write_app(
        "devtools",
        &[
            (
                "app.json",
                r#"{"pages": ["pages/d/d"], "permission": {"scope.userLocation": {"desc": "to test"}}, "requiredPrivateInfos": ["getLocation"],
                    "darkmode": true, "themeLocation": "theme.json", "window": {"navigationBarBackgroundColor": "@navBg", "navigationBarTextStyle": "@navText"}}"#,
            ),
            (
                "theme.json",
                r##"{"light": {"navBg": "#ff0000", "navText": "black"}, "dark": {"navBg": "#0000ff", "navText": "white"}}"##,
            ),
            (
                "app.js",
                "App({ onThemeChange(r) { console.log('theme is ' + r.theme + ', system info says ' + wx.getSystemInfoSync().theme) } })",
            ),
            (
                "pages/d/d.wxml",
                r#"<view id="count">{{count}}</view><view id="seen">{{seen}}</view><button id="log" bindtap="log">log</button>
<button id="read" bindtap="read">read</button><button id="fetch" bindtap="fetch">fetch</button><button id="where" bindtap="where">where</button><button id="big" bindtap="big">big</button><button id="sys" bindtap="sys">sys</button>"#,
            ),
            ("pages/d/d.js", &page_js),
            ("pages/d/d.wxss", "@media (prefers-color-scheme: dark) { #seen { color: #010203 } }"),
        ],
    );
    let (sim, stop) = start(&dir).await;
    let mut b = Browser::launch(1100, 900).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("document.querySelector('wx-page #log')", WAIT).await.unwrap();
    let tab = |name: &str| format!("#capsule-devtools .tabs button[data-panel='{name}']");
    let seen = |want: &str| format!("{} === {:?}", text_of("#seen"), want);

    // Console: the app's lines with their level and source; evaluation behind its switch.
    b.click("#log").await.unwrap();
    b.wait_for("[...document.querySelectorAll('#capsule-devtools .line.warn')].some(l => l.textContent === 'tapped 1  (pages/d/d.js:4)')", WAIT)
        .await
        .unwrap();
    assert_eq!(
        b.eval("document.querySelector('#capsule-devtools input.eval').disabled").await.unwrap(),
        true
    );
    b.click("#capsule-devtools input.allow-eval").await.unwrap();
    b.type_into("#capsule-devtools input.eval", "this.data.count + 41").await.unwrap();
    b.press_enter().await.unwrap();
    b.wait_for("[...document.querySelectorAll('#capsule-devtools .line.result')].some(l => l.textContent === '< 42')", WAIT).await.unwrap();

    // AppData: an edit is a setData on the page.
    b.click(&tab("data")).await.unwrap();
    b.wait_for("document.querySelector('#capsule-devtools section.page pre')", WAIT).await.unwrap();
    b.type_into("#capsule-devtools section.page input.path", "count").await.unwrap();
    b.type_into("#capsule-devtools section.page input.value", "7").await.unwrap();
    b.click("#capsule-devtools section.page button.set").await.unwrap();
    b.wait_for(&format!("{} === '7'", text_of("#count")), WAIT).await.unwrap();

    // Storage: the app's key is listed; deleting it is seen by the app.
    b.click(&tab("storage")).await.unwrap();
    b.wait_for("document.querySelector(\"#capsule-devtools tr[data-key='k']\")", WAIT).await.unwrap();
    b.click("#capsule-devtools tr[data-key='k'] button.delete").await.unwrap();
    b.wait_for("!document.querySelector(\"#capsule-devtools tr[data-key='k']\")", WAIT).await.unwrap();
    b.click("#read").await.unwrap();
    b.wait_for(&seen("missing"), WAIT).await.unwrap();

    // Network: a request appears with its status.
    b.click("#fetch").await.unwrap();
    b.wait_for(&seen("fetched 200"), WAIT).await.unwrap();
    b.click(&tab("network")).await.unwrap();
    b.wait_for(&format!("[...document.querySelectorAll('#capsule-devtools table.calls td')].some(td => td.textContent === {:?})", format!("{origin}/x")), WAIT)
        .await
        .unwrap();

    // Permissions: allowed once by the person, then revoked here: the next call fails.
    b.click("#where").await.unwrap();
    b.wait_for("document.getElementById('capsule-prompt').className === 'show'", WAIT).await.unwrap();
    b.click("#capsule-prompt [data-answer='always']").await.unwrap();
    b.wait_for(&format!("{}.startsWith('at ')", text_of("#seen")), WAIT).await.unwrap();
    b.click(&tab("permissions")).await.unwrap();
    b.wait_for(
        "document.querySelector(\"#capsule-devtools .scope[data-scope='scope.userLocation'] button.revoke\")",
        WAIT,
    )
    .await
    .unwrap();
    b.click("#capsule-devtools .scope[data-scope='scope.userLocation'] button.revoke").await.unwrap();
    b.wait_for("(document.querySelector(\"#capsule-devtools .scope[data-scope='scope.userLocation'] span\") || {}).textContent === 'scope.userLocation: denied'", WAIT)
        .await
        .unwrap();
    b.click("#where").await.unwrap();
    b.wait_for(&seen("getLocation:fail auth deny"), WAIT).await.unwrap();

    // Resources: numbers, and a setData over the platform's 256 KB limit listed as a breach.
    b.click("#big").await.unwrap();
    b.click(&tab("resources")).await.unwrap();
    b.wait_for("[...document.querySelectorAll('#capsule-devtools .breaches li')].some(l => l.textContent.startsWith('setData of '))", WAIT)
        .await
        .unwrap();
    b.screenshot("16-devtools-resources").await.unwrap();

    // Device: the theme reaches the app, and the window's theme variables take the dark set.
    let nav = "getComputedStyle(document.getElementById('capsule-nav'))";
    b.wait_for(
        &format!("{nav}.backgroundColor === 'rgb(255, 0, 0)' && {nav}.color === 'rgb(0, 0, 0)'"),
        WAIT,
    )
    .await
    .unwrap();
    let seen_color = "getComputedStyle(document.querySelector('wx-page #seen')).color";
    assert_ne!(b.eval(seen_color).await.unwrap(), "rgb(1, 2, 3)", "light: the dark rule does not apply");
    b.click(&tab("device")).await.unwrap();
    b.wait_for("document.querySelector('#capsule-devtools button.dark')", WAIT).await.unwrap();
    b.click("#capsule-devtools button.dark").await.unwrap();
    b.click(&tab("console")).await.unwrap();
    b.wait_for("[...document.querySelectorAll('#capsule-devtools .line')].some(l => l.textContent.startsWith('theme is dark, system info says dark'))", WAIT)
        .await
        .unwrap();
    b.wait_for(
        &format!("{nav}.backgroundColor === 'rgb(0, 0, 255)' && {nav}.color === 'rgb(255, 255, 255)'"),
        WAIT,
    )
    .await
    .unwrap();
    // The page's dark-mode rule follows the app's theme, not the browser's.
    b.wait_for(&format!("{seen_color} === 'rgb(1, 2, 3)'"), WAIT).await.unwrap();
    b.screenshot("17-devtools-console").await.unwrap();

    // Device: another profile resizes the frame and relaunches the app, which sees it.
    b.click(&tab("device")).await.unwrap();
    b.wait_for("document.querySelectorAll('#capsule-devtools select.profile option').length > 1", WAIT)
        .await
        .unwrap();
    b.eval("var s = document.querySelector('#capsule-devtools select.profile'); s.value = 'iphone-15'; s.dispatchEvent(new Event('change')); true")
        .await
        .unwrap();
    b.wait_for("(p => Math.abs(p.getBoundingClientRect().width - 393 * (parseFloat(p.style.zoom) || 1)) < 1)(document.getElementById('capsule-phone'))", WAIT)
        .await
        .unwrap();
    // The relaunched page is the one whose `seen` is empty again (the old one said
    // `getLocation:fail auth deny`): a tap on the old one would reach nobody.
    b.wait_for(&format!("document.querySelector('wx-page #sys') && {}", seen("")), WAIT).await.unwrap();
    b.click("wx-page #sys").await.unwrap();
    b.wait_for(&seen("width 393"), WAIT).await.unwrap();
    let _ = stop.send(());
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_classes_carry_the_owners_rules_into_a_component() {
    let dir = write_app(
        "external",
        &[
            ("app.json", r#"{"pages": ["pages/p/p"]}"#),
            ("app.js", "App({})"),
            (
                "pages/p/p.wxml",
                r#"<my-card custom-class="red"/><view id="row" style="display: flex"><cell wx:for="{{[1, 2]}}" wx:key="*this" n="{{item}}"/></view>"#,
            ),
            ("pages/p/p.json", r#"{"usingComponents": {"my-card": "/c/card/card", "cell": "/c/cell/cell"}}"#),
            ("c/cell/cell.json", r#"{"component": true}"#),
            ("c/cell/cell.wxml", r#"<view class="box" style="flex: 1">{{n}}</view>"#),
            ("c/cell/cell.js", "Component({ options: { virtualHost: true }, properties: { n: Number } })"),
            ("pages/p/p.js", "Page({})"),
            (
                "pages/p/p.wxss",
                ".red { color: rgb(255, 0, 0); } .inner { background-color: rgb(0, 0, 255); }",
            ),
            ("c/card/card.json", r#"{"component": true}"#),
            ("c/card/card.wxml", r#"<view class="custom-class inner">x</view>"#),
            ("c/card/card.js", "Component({ externalClasses: ['custom-class'] })"),
        ],
    );
    let (_sim, stop, mut b) = open(&dir).await;
    let inner = capsule_e2e::query("my-card >>> .inner");
    b.wait_for(&format!("{inner} && getComputedStyle({inner}).color === 'rgb(255, 0, 0)'"), WAIT)
        .await
        .unwrap();
    // The page's other rules stay outside the component.
    assert_eq!(
        b.eval(&format!("getComputedStyle({inner}).backgroundColor")).await.unwrap(),
        "rgba(0, 0, 0, 0)"
    );
    // virtualHost: the cells' boxes are the row's flex items, sharing its width (a tag
    // without a hyphen is the element `wx-cell`).
    let cell = capsule_e2e::query("wx-cell >>> .box");
    b.wait_for(
        &format!(
            "{cell} && getComputedStyle(document.querySelector('wx-page wx-cell')).display === 'contents'"
        ),
        WAIT,
    )
    .await
    .unwrap();
    let widths = b
        .eval(&format!("[{cell}.getBoundingClientRect().width, document.querySelector('wx-page #row').getBoundingClientRect().width]"))
        .await
        .unwrap();
    assert_eq!(widths[0].as_f64().unwrap() * 2.0, widths[1].as_f64().unwrap(), "{widths}");
    let _ = stop.send(());
}

/// A short silent WAV: 8 kHz, 8-bit mono, `seconds` long.
fn silent_wav(seconds: f64) -> Vec<u8> {
    let samples = (8000.0 * seconds) as u32;
    let mut w = Vec::new();
    w.extend(b"RIFF");
    w.extend((36 + samples).to_le_bytes());
    w.extend(b"WAVEfmt ");
    w.extend(16u32.to_le_bytes());
    w.extend(1u16.to_le_bytes());
    w.extend(1u16.to_le_bytes());
    w.extend(8000u32.to_le_bytes());
    w.extend(8000u32.to_le_bytes());
    w.extend(1u16.to_le_bytes());
    w.extend(8u16.to_le_bytes());
    w.extend(b"data");
    w.extend(samples.to_le_bytes());
    w.extend(std::iter::repeat_n(128u8, samples as usize));
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_plays_seeks_and_ends_with_the_platforms_events() {
    let dir = write_app(
        "video",
        &[
            ("app.json", r#"{"pages": ["pages/v/v"]}"#),
            ("app.js", "App({})"),
            (
                "pages/v/v.wxml",
                r#"<video id="v" src="/media/tone.wav" muted bindloadedmetadata="meta" bindplay="on" bindended="on" bindseekcomplete="seeked"/>
<video id="broken" src="/media/missing.mp4" binderror="broken"/>
<button id="play" bindtap="play">play</button><button id="seek" bindtap="seek">seek</button><view id="out">{{out}}</view>"#,
            ),
            (
                "pages/v/v.js",
                r#"Page({
  data: { out: '' },
  note(s) { this.setData({ out: this.data.out + s + ';' }) },
  meta(e) { this.note('meta ' + Math.round(e.detail.duration * 10) / 10) },
  on(e) { this.note(e.type) },
  seeked(e) { this.note('seeked ' + Math.round(e.detail.position * 10) / 10) },
  broken(e) { this.note('error') },
  play() { wx.createVideoContext('v').play() },
  seek() { wx.createVideoContext('v').seek(0.5) },
})"#,
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("media")).unwrap();
    std::fs::write(dir.join("media/tone.wav"), silent_wav(0.8)).unwrap();
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for(&format!("{}.includes('meta 0.8;')", text_of("#out")), WAIT).await.unwrap();
    b.wait_for(&format!("{}.includes('error;')", text_of("#out")), WAIT).await.unwrap();
    b.click("#seek").await.unwrap();
    b.wait_for(&format!("{}.includes('seeked 0.5;')", text_of("#out")), WAIT).await.unwrap();
    b.click("#play").await.unwrap();
    b.wait_for(
        &format!("{}.includes('play;') && {}.includes('ended;')", text_of("#out"), text_of("#out")),
        WAIT,
    )
    .await
    .unwrap();
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_font_face_makes_a_font_the_page_can_use() {
    let dir = write_app(
        "font",
        &[
            ("app.json", r#"{"pages": ["pages/f/f"]}"#),
            ("app.js", "App({})"),
            ("pages/f/f.wxml", r#"<view id="out">{{out}}</view>"#),
            (
                "pages/f/f.js",
                r#"Page({ data: { out: '' }, onLoad() {
  wx.loadFontFace({ family: 'Shown', source: 'url("/fonts/face.ttf")', success: r => this.setData({ out: this.data.out + 'ok ' + r.status + ';' }),
    fail: r => this.setData({ out: this.data.out + r.errMsg + ';' }) });
  wx.loadFontFace({ family: 'Missing', source: 'url("/fonts/none.ttf")', fail: r => this.setData({ out: this.data.out + 'missing;' }) });
  wx.loadFontFace({ family: 'Far', source: 'url("https://not-allowed.example.com/x.ttf")', fail: r => this.setData({ out: this.data.out + r.errMsg + ';' }) });
} })"#,
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    std::fs::copy(system_font(), dir.join("fonts/face.ttf")).unwrap();
    let (_sim, stop, mut b) = open(&dir).await;
    for want in [
        "ok loaded;",
        "missing;",
        "loadFontFace:fail url not in domain list: https://not-allowed.example.com;",
    ] {
        b.wait_for(&format!("{}.includes({:?})", text_of("#out"), want), WAIT).await.unwrap();
    }
    assert_eq!(b.eval("document.fonts.check('12px Shown')").await.unwrap(), true);
    let _ = stop.send(());
}

/// A TrueType font from the system (Chromium's own dependencies bring some).
fn system_font() -> PathBuf {
    let mut stack = vec![PathBuf::from("/usr/share/fonts")];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "ttf") {
                return p;
            }
        }
    }
    panic!("no .ttf font under /usr/share/fonts: install fonts-dejavu-core");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_field_component_is_part_of_the_forms_submit() {
    let dir = write_app(
        "formfield",
        &[
            ("app.json", r#"{"pages": ["pages/f/f"]}"#),
            ("app.js", "App({})"),
            ("pages/f/f.json", r#"{"usingComponents": {"stepper": "/c/stepper/stepper"}}"#),
            (
                "pages/f/f.wxml",
                r#"<form bindsubmit="submit"><input name="who" value="ada"/><stepper name="count" value="{{2}}"/><button id="go" form-type="submit">go</button></form><view id="out">{{out}}</view>"#,
            ),
            (
                "pages/f/f.js",
                "Page({ data: { out: '' }, submit(e) { this.setData({ out: JSON.stringify(e.detail.value) }) } })",
            ),
            ("c/stepper/stepper.json", r#"{"component": true}"#),
            ("c/stepper/stepper.wxml", r#"<view id="plus" bindtap="plus">{{value}} +</view>"#),
            (
                "c/stepper/stepper.js",
                "Component({ behaviors: ['wx://form-field'], methods: { plus() { this.setData({ value: this.data.value + 1 }) } } })",
            ),
        ],
    );
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for("document.querySelector('wx-page #go')", WAIT).await.unwrap();
    // The component changes its own value; the form sees the value it has now.
    b.click("wx-stepper >>> #plus").await.unwrap();
    b.wait_for(&format!("{}.textContent === '3 +'", capsule_e2e::query("wx-stepper >>> #plus")), WAIT)
        .await
        .unwrap();
    b.click("wx-page #go").await.unwrap();
    b.wait_for(&format!("{} === {:?}", text_of("#out"), r#"{"who":"ada","count":3}"#), WAIT).await.unwrap();
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inner_audio_context_plays_in_the_view_and_reports_back() {
    let dir = write_app(
        "audio",
        &[
            ("app.json", r#"{"pages": ["pages/a/a"]}"#),
            ("app.js", "App({})"),
            ("pages/a/a.wxml", r#"<button id="go" bindtap="go">go</button><view id="out">{{out}}</view>"#),
            (
                "pages/a/a.js",
                r#"Page({
  data: { out: '' },
  note(s) { this.setData({ out: this.data.out + s + ';' }) },
  onLoad() {
    const a = wx.createInnerAudioContext();
    this.a = a;
    a.src = '/media/tone.wav';
    a.onCanplay(() => { if (!this.ready) { this.ready = true; this.note('canplay ' + Math.round(a.duration * 10) / 10) } });
    a.onPlay(() => this.note('play'));
    a.onEnded(() => this.note('ended'));
    const broken = wx.createInnerAudioContext();
    broken.src = '/media/missing.wav';
    broken.onError(e => this.note('error ' + e.errCode));
  },
  go() { this.a.play() },
})"#,
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("media")).unwrap();
    std::fs::write(dir.join("media/tone.wav"), silent_wav(0.6)).unwrap();
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for(&format!("{}.includes('canplay 0.6;')", text_of("#out")), WAIT).await.unwrap();
    b.wait_for(&format!("{}.includes('error 10004;')", text_of("#out")), WAIT).await.unwrap();
    b.click("wx-page #go").await.unwrap();
    b.wait_for(
        &format!("{}.includes('play;') && {}.includes('ended;')", text_of("#out"), text_of("#out")),
        WAIT,
    )
    .await
    .unwrap();
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_showcase_components_page_works_as_a_person_uses_it() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase");
    let (_sim, stop, mut b) = open(&dir).await;
    b.wait_for("document.querySelectorAll('wx-page wx-navigator').length > 9", WAIT).await.unwrap();
    b.click("wx-page wx-navigator[url='/pages/components/components']").await.unwrap();
    b.wait_for("document.querySelector(\"wx-page[data-route='pages/components/components'] wx-tabs\")", WAIT)
        .await
        .unwrap();
    let title = |n: usize| {
        capsule_e2e::query(&format!(
            "wx-page[data-route='pages/components/components'] wx-tabs >>> .title:nth-child({n})"
        ))
    };
    b.wait_for(&format!("({} || {{}}).textContent === 'Two'", title(2)), WAIT).await.unwrap();
    // Tabs: the second tab's title shows its pane (the page's slot content) and tells the page.
    b.click("wx-page[data-route='pages/components/components'] wx-tabs >>> .title:nth-child(2)")
        .await
        .unwrap();
    b.wait_for(&format!("{} === 'tab: 1'", text_of(".hint")), WAIT).await.unwrap();
    b.wait_for(
        "[...document.querySelectorAll(\"wx-page[data-route='pages/components/components'] wx-tab\")][1].shadowRoot.querySelector('.pane') !== null",
        WAIT,
    )
    .await
    .unwrap();
    // The counter: its own + button, its change event, and its value in the form's submit.
    b.click("wx-page[data-route='pages/components/components'] wx-counter >>> .step:last-child")
        .await
        .unwrap();
    b.wait_for("document.querySelector(\"wx-page[data-route='pages/components/components'] wx-counter\").getAttribute('value') === '3'", WAIT)
        .await
        .unwrap();
    b.click("wx-page[data-route='pages/components/components'] wx-button").await.unwrap();
    b.wait_for(
        "[...document.querySelectorAll('wx-page .hint')].some(h => h.textContent === 'counted: 3 · submitted: {\"cups\":3}')",
        WAIT,
    )
    .await
    .unwrap();
    b.screenshot("18-showcase-components").await.unwrap();
    let _ = stop.send(());
}
