//! Custom components end to end: lifecycles in the platform's order, properties with types,
//! defaults and observers, their own setData, triggerEvent, events crossing the boundary,
//! slots, selectComponent, and detaching.

mod common;

use capsule_runtime::{Limits, Query};
use common::*;
use serde_json::json;

/// A page using `card` (which uses `badge`), both logging what happens to them.
fn files(page_wxml: &str, page_js: &str) -> Vec<(String, String)> {
    app(&[
        ("pages/a/a.json", r#"{"usingComponents": {"card": "/components/card/card"}}"#),
        ("pages/a/a.wxml", page_wxml),
        ("pages/a/a.js", page_js),
        (
            "components/card/card.json",
            r#"{"component": true, "usingComponents": {"badge": "../badge/badge"}}"#,
        ),
        (
            "components/card/card.wxml",
            r#"<view id="title" class="title" bindtap="onTitle">{{title}} ({{count}}) {{label}}</view><badge wx:if="{{flag}}" id="b" n="{{count}}"/><slot></slot>"#,
        ),
        (
            "components/card/card.js",
            r#"Component({
                 properties: {
                   title: { type: String, value: 'untitled', observer(n, o) { console.log('title observer ' + o + ' -> ' + n) } },
                   count: Number,
                   flag: Boolean,
                   extra: { type: Object },
                 },
                 data: { label: 'x' },
                 observers: { 'count, title': function (c, t) { console.log('observers ' + c + ' ' + t) } },
                 lifetimes: {
                   created() { console.log('card.created ' + this.data.title) },
                   attached() { console.log('card.attached ' + this.data.title + ' ' + this.id) },
                   ready() { console.log('card.ready') },
                   detached() { console.log('card.detached ' + this.data.title) },
                 },
                 pageLifetimes: { hide() { console.log('card sees the page hide') } },
                 methods: {
                   onTitle(e) {
                     console.log('card tap ' + e.target.id + ' ' + e.currentTarget.id);
                     this.setData({ label: 'tapped' });
                     this.triggerEvent('pick', { title: this.data.title }, {});
                   },
                   bump() { this.setData({ label: 'bumped' }); return this.data.label },
                   shout() { this.triggerEvent('shout', { loud: true }, { bubbles: true, composed: true }) },
                 },
               })"#,
        ),
        ("components/badge/badge.json", r#"{"component": true}"#),
        ("components/badge/badge.wxml", "<text>#{{n}}</text>"),
        (
            "components/badge/badge.js",
            "Component({ properties: { n: Number }, lifetimes: { created() { console.log('badge.created') }, \
             attached() { console.log('badge.attached ' + this.data.n) }, ready() { console.log('badge.ready') }, \
             detached() { console.log('badge.detached') } } })",
        ),
    ])
}

const PAGE_JS: &str = r#"Page({
  data: { t: 'first', n: 2, show: true, on: true },
  onLoad() { console.log('page.onLoad') },
  onShow() { console.log('page.onShow') },
  onReady() { console.log('page.onReady') },
  onPick(e) { console.log('page pick ' + JSON.stringify(e.detail) + ' ' + e.target.id + ' ' + e.currentTarget.id) },
  onShout(e) { console.log('page shout ' + e.currentTarget.id) },
  onTap(e) { console.log('page tap ' + e.target.id + ' ' + e.currentTarget.id) },
  set(e) { this.setData(JSON.parse(e.detail.json)) },
  call(e) { console.log('bump gives ' + this.selectComponent('#c').bump() + '; ' + this.selectAllComponents('.card').length + ' cards') },
  loud(e) { this.selectComponent('#c').shout() },
})"#;

const PAGE_WXML: &str = r#"<view id="outer" bind:shout="onShout" bindtap="onTap">
  <card wx:if="{{show}}" id="c" class="card" title="{{t}}" count="{{n}}" flag="{{on}}" bind:pick="onPick"><text id="slotted">slot {{t}}</text></card>
</view>
<view id="set" bindinput="set"/><view id="call" bindtap="call"/><view id="loud" bindtap="loud"/>"#;

fn html(h: &Harness) -> String {
    h.answer(Query::Html).as_str().unwrap_or_default().to_string()
}

#[test]
fn lifecycles_run_in_the_platform_order() {
    let (h, out) = Harness::start(&files(PAGE_WXML, PAGE_JS), Limits::default(), None);
    assert_eq!(
        logs(&out),
        [
            "App.onLaunch pages/a/a",
            "App.onShow",
            "card.created untitled",
            "title observer untitled -> first",
            "observers 2 first",
            "badge.created",
            "card.attached first c",
            "badge.attached 2",
            "page.onLoad",
            "page.onShow",
            "card.ready",
            "badge.ready",
            "page.onReady",
        ]
    );
    let page = html(&h);
    assert!(
        page.contains(r#"<card id="c" class="card" bind:pick="onPick"><template shadowrootmode="open"><view id="title" class="title" bind:tap="onTitle">first (2) x</view><badge id="b"><template shadowrootmode="open"><text>#2</text></template></badge><slot></slot></template><text id="slotted">slot first</text></card>"#),
        "{page}"
    );
}

#[test]
fn the_page_passes_properties_and_observers_run() {
    let (h, _) = Harness::start(&files(PAGE_WXML, PAGE_JS), Limits::default(), None);
    let out = h.event("#set", "input", json!({"json": r#"{"t": "second", "n": "7"}"#}));
    assert_eq!(logs(&out), ["title observer first -> second", "observers 7 second"]);
    let page = html(&h);
    // "7" became the number 7, as the property's type says.
    assert!(page.contains("second (7) x</view>"), "{page}");
    assert!(page.contains("<text>#7</text>"), "the badge got the new count: {page}");
    assert!(page.contains("slot second"), "slot content follows the page: {page}");
    // Passing the same value again changes nothing and runs no observer.
    assert!(logs(&h.event("#set", "input", json!({"json": r#"{"n": 7}"#}))).is_empty());
    // Removing the badge detaches it; a Boolean property coerces "" to false.
    let out = h.event("#set", "input", json!({"json": r#"{"on": ""}"#}));
    assert_eq!(logs(&out), ["badge.detached"]);
    assert!(!html(&h).contains("<badge"));
}

#[test]
fn a_tap_inside_a_component_runs_its_method_and_triggers_the_pages_handler() {
    let (h, _) = Harness::start(&files(PAGE_WXML, PAGE_JS), Limits::default(), None);
    let out = logs(&h.tap("#title"));
    assert_eq!(
        out,
        [
            "card tap title title",
            // triggerEvent runs the owner's handler at once; the event's target is the card.
            r#"page pick {"title":"first"} c c"#,
            // The tap itself bubbles out of the component; outside, its target is the card.
            "page tap c outer",
        ]
    );
    assert!(html(&h).contains("first (2) tapped</view>"), "the component's setData rendered");
}

#[test]
fn a_composed_bubbling_event_reaches_ancestors_and_components_are_selected_by_selector() {
    let (h, _) = Harness::start(&files(PAGE_WXML, PAGE_JS), Limits::default(), None);
    assert_eq!(logs(&h.tap("#loud")), ["page shout outer"]);
    assert_eq!(logs(&h.tap("#call")), ["bump gives bumped; 1 cards"]);
    assert!(html(&h).contains("first (2) bumped</view>"));
}

#[test]
fn hiding_and_leaving_reach_components() {
    let (h, _) = Harness::start(&files(PAGE_WXML, PAGE_JS), Limits::default(), None);
    let out = h.event("#set", "input", json!({"json": r#"{"show": false}"#}));
    assert_eq!(logs(&out), ["card.detached first", "badge.detached"]);
    assert!(!html(&h).contains("<card"));
    // A new card is created, attached and (the page being ready) ready.
    let out = h.event("#set", "input", json!({"json": r#"{"show": true, "t": "again"}"#}));
    let lines = logs(&out);
    assert_eq!(lines[0], "card.created untitled");
    assert!(lines.contains(&"card.attached again c".to_string()), "{lines:?}");
    assert!(lines.contains(&"card.ready".to_string()), "{lines:?}");
    let out = h.request(capsule_runtime::Input::Hide);
    assert!(logs(&out).contains(&"card sees the page hide".to_string()));
}

#[test]
fn a_component_without_a_script_or_with_a_broken_one_does_not_take_the_page_down() {
    let files = app(&[
        (
            "pages/a/a.json",
            r#"{"usingComponents": {"plain": "/c/plain/plain", "broken": "/c/broken/broken"}}"#,
        ),
        ("pages/a/a.wxml", r#"<plain label="{{x}}"/><broken/><view id="after">{{x}}</view>"#),
        ("pages/a/a.js", "Page({ data: { x: 'ok' } })"),
        ("c/plain/plain.json", r#"{"component": true}"#),
        ("c/plain/plain.wxml", "<text>{{label}}</text>"),
        ("c/plain/plain.js", "Component({ properties: { label: String } })"),
        ("c/broken/broken.json", r#"{"component": true}"#),
        ("c/broken/broken.wxml", "<text>never</text>"),
        ("c/broken/broken.js", "Component({ lifetimes: { created() { throw new Error('boom') } } })"),
    ]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    assert!(logs(&out).iter().any(|l| l.contains("App.onError") && l.contains("boom")), "{:?}", logs(&out));
    let page = html(&h);
    assert!(page.contains("<view id=\"after\">ok</view>"), "{page}");
}

#[test]
fn select_component_gives_what_export_returns_and_null_when_nothing_matches() {
    let files = app(&[
        ("pages/a/a.json", r#"{"usingComponents": {"x": "/c/x/x"}}"#),
        ("pages/a/a.wxml", r#"<x id="one"/><x id="two" class="k"/><view id="go" bindtap="go"/>"#),
        (
            "pages/a/a.js",
            "Page({ go() { console.log(JSON.stringify(this.selectComponent('#one')) + ' ' + this.selectComponent('#nope') + ' ' + \
             this.selectAllComponents('x').length + ' ' + this.selectAllComponents('.k, #one').length) } })",
        ),
        ("c/x/x.json", r#"{"component": true}"#),
        ("c/x/x.wxml", "<text>x</text>"),
        ("c/x/x.js", "Component({ export() { return { from: this.id } } })"),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    assert_eq!(logs(&h.tap("#go")), [r#"{"from":"one"} null 2 2"#]);
}

#[test]
fn a_component_that_contains_itself_stops_at_the_depth_limit() {
    let files = app(&[
        ("pages/a/a.json", r#"{"usingComponents": {"loop": "/c/loop/loop"}}"#),
        ("pages/a/a.wxml", r#"<loop n="{{1}}"/><view id="after">still here</view>"#),
        ("c/loop/loop.json", r#"{"component": true, "usingComponents": {"loop": "./loop"}}"#),
        ("c/loop/loop.wxml", r#"<text>{{n}}</text><loop n="{{n + 1}}"/>"#),
        ("c/loop/loop.js", "Component({ properties: { n: Number } })"),
    ]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    assert!(terminated(&out).is_none());
    let page = html(&h);
    assert!(
        page.contains("<text>64</text>") && !page.contains("<text>65</text>"),
        "{}",
        &page[page.len().saturating_sub(300)..]
    );
    assert!(page.contains("still here"));
}

#[test]
fn relations_link_a_parent_and_the_children_in_its_slot() {
    let files = app(&[
        ("pages/a/a.json", r#"{"usingComponents": {"tabs": "/c/tabs/tabs", "tab": "/c/tab/tab"}}"#),
        (
            "pages/a/a.wxml",
            r#"<tabs id="t"><tab wx:for="{{list}}" wx:key="*this" title="{{item}}"/></tabs><view id="drop" bindtap="drop"/><view id="count" bindtap="count"/>"#,
        ),
        (
            "pages/a/a.js",
            "Page({ data: { list: ['one', 'two'] }, drop() { this.setData({ list: ['one'] }) },\n\
             count() { console.log('children ' + this.selectComponent('#t').getRelationNodes('../tab/tab').map(t => t.data.title).join(',')) } })",
        ),
        ("c/tabs/tabs.json", r#"{"component": true}"#),
        ("c/tabs/tabs.wxml", "<slot/>"),
        (
            "c/tabs/tabs.js",
            "Component({ relations: { '../tab/tab': { type: 'child', linked(t) { console.log('tabs linked ' + t.data.title) }, unlinked(t) { console.log('tabs unlinked ' + t.data.title) } } } })",
        ),
        ("c/tab/tab.json", r#"{"component": true}"#),
        ("c/tab/tab.wxml", "<text>{{title}}</text>"),
        (
            "c/tab/tab.js",
            "Component({ properties: { title: String }, relations: { '../tabs/tabs': { type: 'parent', linked(p) { console.log(this.data.title + ' found its parent ' + p.is) } } } })",
        ),
    ]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    let l = logs(&out);
    for want in [
        "one found its parent c/tabs/tabs",
        "tabs linked one",
        "two found its parent c/tabs/tabs",
        "tabs linked two",
    ] {
        assert!(l.contains(&want.to_string()), "{want}: {l:?}");
    }
    assert_eq!(logs(&h.tap("#count")), ["children one,two"]);
    assert_eq!(logs(&h.tap("#drop")), ["tabs unlinked two"]);
    assert_eq!(logs(&h.tap("#count")), ["children one"]);
}

#[test]
fn external_classes_put_the_owners_classes_in_the_template() {
    let files = app(&[
        ("pages/a/a.json", r#"{"usingComponents": {"card": "/c/card/card"}}"#),
        ("pages/a/a.wxml", r#"<card custom-class="{{cls}}"/><view id="swap" bindtap="swap"/>"#),
        ("pages/a/a.js", "Page({ data: { cls: 'red big' }, swap() { this.setData({ cls: 'blue' }) } })"),
        ("c/card/card.json", r#"{"component": true}"#),
        ("c/card/card.wxml", r#"<view class="custom-class inner">x</view><view class="{{mine}}">y</view>"#),
        (
            "c/card/card.js",
            "Component({ externalClasses: ['custom-class'], data: { mine: 'custom-class' } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let page = html(&h);
    assert!(page.contains(r#"<view class="red big inner">x</view><view class="red big">y</view>"#), "{page}");
    h.tap("#swap");
    let page = html(&h);
    assert!(page.contains(r#"<view class="blue inner">x</view><view class="blue">y</view>"#), "{page}");
}

/// The platform's component framework instantiates a component's template (creating the
/// components in it) before the component's `created`, so `selectComponent` there finds
/// them; the owner's property values arrive after `created`, with their observers, unless
/// the component asks for them first (`options.propertyEarlyInit`).
#[test]
fn a_components_template_is_instantiated_before_created_and_properties_come_after() {
    let child = "Component({ properties: { n: Number }, lifetimes: { \
        created() { console.log('child.created ' + this.data.n) }, \
        attached() { console.log('child.attached ' + this.data.n) } } })";
    let parent = |options: &str| {
        format!(
            "Component({{ options: {{ {options} }}, properties: {{ v: {{ type: Number, value: 1, \
             observer(n, o) {{ console.log('v observer ' + o + ' -> ' + n) }} }} }}, lifetimes: {{ \
             created() {{ const k = this.selectComponent('#k'); \
               console.log('parent.created v=' + this.data.v + ' child=' + (k ? k.data.n : 'none')) }}, \
             attached() {{ console.log('parent.attached ' + this.data.v) }} }} }})"
        )
    };
    let files = |options: &str| {
        app(&[
            ("pages/a/a.json", r#"{"usingComponents": {"parent": "/c/parent/parent"}}"#),
            ("pages/a/a.wxml", r#"<parent v="{{7}}"/>"#),
            ("pages/a/a.js", "Page({ onLoad() { console.log('page.onLoad') } })"),
            (
                "c/parent/parent.json",
                r#"{"component": true, "usingComponents": {"child": "../child/child"}}"#,
            ),
            ("c/parent/parent.wxml", r#"<child id="k" n="{{v}}"/>"#),
            ("c/parent/parent.js", &parent(options)),
            ("c/child/child.json", r#"{"component": true}"#),
            ("c/child/child.wxml", "<text>{{n}}</text>"),
            ("c/child/child.js", child),
        ])
    };
    let (h, out) = Harness::start(&files(""), Limits::default(), None);
    assert_eq!(
        logs(&out)[2..],
        [
            "child.created 0",
            "parent.created v=1 child=1",
            "v observer 1 -> 7",
            "parent.attached 7",
            "child.attached 7",
            "page.onLoad",
        ]
    );
    assert!(html(&h).contains("<text>7</text>"), "{}", html(&h));

    let (h, out) = Harness::start(&files("propertyEarlyInit: true"), Limits::default(), None);
    assert_eq!(
        logs(&out)[2..],
        [
            "v observer 1 -> 7",
            "child.created 0",
            "parent.created v=7 child=7",
            "parent.attached 7",
            "child.attached 7",
            "page.onLoad",
        ]
    );
    assert!(html(&h).contains("<text>7</text>"), "{}", html(&h));
}

#[test]
fn a_virtual_host_keeps_the_isolation_its_json_declares_and_instances_know_their_renderer() {
    // The platform's libraries (weui's dialog) declare `styleIsolation` in the component's
    // JSON and `virtualHost` in its options: the JSON's isolation still holds, so the view
    // must not be told `isolated`.
    let files = app(&[
        ("pages/a/a.json", r#"{"usingComponents": {"v": "/c/v/v", "w": "/c/w/w"}}"#),
        ("pages/a/a.wxml", "<v/><w/>"),
        ("pages/a/a.js", "Page({ onLoad() { console.log('page on ' + this.renderer) } })"),
        ("c/v/v.json", r#"{"component": true, "styleIsolation": "apply-shared"}"#),
        ("c/v/v.wxml", "<view>v</view>"),
        (
            "c/v/v.js",
            "Component({ options: { virtualHost: true }, lifetimes: { created() { console.log('v on ' + this.renderer) } } })",
        ),
        ("c/w/w.json", r#"{"component": true}"#),
        ("c/w/w.wxml", "<view>w</view>"),
        ("c/w/w.js", "Component({ options: { virtualHost: true, styleIsolation: 'shared' } })"),
    ]);
    let (_h, out) = Harness::start(&files, Limits::default(), None);
    let text = serde_json::to_string(&out).unwrap();
    let isolations: Vec<&str> =
        text.split("[\"isolation\",\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert_eq!(isolations, ["virtual-host", "shared virtual-host"], "{text}");
    // weui's slideview picks its template by the renderer it runs on, as the platform tells it.
    let logs = logs(&out);
    assert!(
        logs.contains(&"v on webview".to_string()) && logs.contains(&"page on webview".to_string()),
        "{logs:?}"
    );
}
