//! setData → patches: what changes is exactly what a fresh render shows, patches applied to a
//! view's copy give the same tree, nodes that survive keep their ids, and keyed lists move
//! as few nodes as possible.

use capsule_template::compile::compile_source;
use capsule_template::expr::{NoWxs, WxsHost};
use capsule_template::path::{parse_data_path, set_path};
use capsule_template::render::{Budget, render};
use capsule_template::{Patch, Path, Program};
use proptest::prelude::*;
use serde_json::{Value, json};

const PAGE: &str = r#"
<view class="{{cls}}">{{title}}</view>
<view wx:for="{{list}}" wx:key="id" class="row {{item.done ? 'done' : ''}}" data-id="{{item.id}}">
  <text>{{item.title}}</text>
  <text wx:if="{{item.done}}">done</text>
  <text wx:else>{{suffix}}</text>
</view>
<block wx:for="{{plain}}"><text>{{index}}:{{item}}</text></block>
<view wx:if="{{show}}" bindtap="{{handler}}">shown {{count}}</view>
<view wx:else>hidden</view>
"#;

fn program() -> Program {
    let (program, diags) = compile_source("page.wxml", PAGE);
    assert!(diags.is_empty(), "{diags}");
    program
}

/// Applies `sets` (setData keys and values) to `data`, updates, and checks the invariants.
/// Returns the patches.
fn set_data(
    program: &Program,
    data: &mut Value,
    page: &mut capsule_template::Rendered,
    sets: &[(&str, Value)],
) -> Vec<Patch> {
    set_data_with(program, data, page, sets, &NoWxs)
}

/// [`set_data`] with `<wxs>` modules.
fn set_data_with(
    program: &Program,
    data: &mut Value,
    page: &mut capsule_template::Rendered,
    sets: &[(&str, Value)],
    wxs: &dyn WxsHost,
) -> Vec<Patch> {
    let mut paths: Vec<Path> = Vec::new();
    for (key, value) in sets {
        let path = parse_data_path(key).unwrap();
        set_path(data, &path, value.clone()).unwrap();
        paths.push(path);
    }
    let mut mirror = page.tree.clone();
    let patches = page.update(program, data, &paths, wxs);
    for p in &patches {
        mirror.try_apply(p, usize::MAX, usize::MAX).expect("a sound patch is accepted");
    }
    assert_eq!(mirror, page.tree, "patches applied to a copy give the same tree");
    let fresh = render(program, 0, data, wxs);
    assert_eq!(page.tree.shape(), fresh.tree.shape(), "an update shows what a fresh render shows: {sets:?}");
    patches
}

/// What each patch does, in order.
fn kinds(patches: &[Patch]) -> Vec<&'static str> {
    patches
        .iter()
        .map(|p| match p {
            Patch::Create { .. } => "create",
            Patch::CreateText { .. } => "createText",
            Patch::Insert { .. } => "insert",
            Patch::Move { .. } => "move",
            Patch::Remove { .. } => "remove",
            Patch::SetAttr { .. } => "setAttr",
            Patch::SetText { .. } => "setText",
            Patch::SetListeners { .. } => "setListeners",
            Patch::Snapshot { .. } => "snapshot",
        })
        .collect()
}

fn initial() -> Value {
    json!({
        "cls": "top", "title": "T", "suffix": "…", "show": true, "count": 1, "handler": "onTap",
        "list": [
            {"id": 1, "title": "a", "done": false},
            {"id": 2, "title": "b", "done": true},
            {"id": 3, "title": "c", "done": false}
        ],
        "plain": [10, 20]
    })
}

#[test]
fn one_changed_row_is_one_patch() {
    let program = program();
    let mut data = initial();
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("list[2].title", json!("C"))]);
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert!(matches!(&patches[0], Patch::SetText { text, .. } if text == "C"));
}

#[test]
fn toggling_a_row_swaps_its_branch_and_class() {
    let program = program();
    let mut data = initial();
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("list[0].done", json!(true))]);
    assert_eq!(kinds(&patches), ["setAttr", "remove", "create", "createText", "insert", "insert"]);
}

#[test]
fn unrelated_changes_touch_nothing() {
    let program = program();
    let mut data = initial();
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("unused.deep", json!(1))]);
    assert!(patches.is_empty());
}

#[test]
fn an_outer_value_read_inside_a_list_reaches_every_item() {
    let program = program();
    let mut data = initial();
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("suffix", json!("!"))]);
    // Two rows show the suffix (the undone ones).
    assert_eq!(patches.len(), 2, "{patches:?}");
}

#[test]
fn surviving_nodes_keep_their_ids() {
    let program = program();
    let mut data = initial();
    let mut page = render(&program, 0, &data, &NoWxs);
    let html_before = page.tree.to_html();
    let ids_before: Vec<u32> = page.tree.children(page.tree.root()).collect();
    let reversed = json!([
        {"id": 3, "title": "c", "done": false},
        {"id": 2, "title": "b", "done": true},
        {"id": 1, "title": "a", "done": false}
    ]);
    let patches = set_data(&program, &mut data, &mut page, &[("list", reversed)]);
    assert!(patches.iter().all(|p| matches!(p, Patch::Move { .. })), "{patches:?}");
    assert_eq!(patches.len(), 2, "reversing three keyed rows moves two");
    let mut ids_after: Vec<u32> = page.tree.children(page.tree.root()).collect();
    let mut ids_sorted = ids_before.clone();
    ids_sorted.sort_unstable();
    ids_after.sort_unstable();
    assert_eq!(ids_after, ids_sorted);
    assert_ne!(page.tree.to_html(), html_before);
}

#[test]
fn conditions_and_dynamic_handlers() {
    let program = program();
    let mut data = initial();
    let mut page = render(&program, 0, &data, &NoWxs);
    set_data(&program, &mut data, &mut page, &[("handler", json!("onOther"))]);
    assert!(page.tree.to_html().contains(r#"bind:tap="onOther""#));
    set_data(&program, &mut data, &mut page, &[("show", json!(false))]);
    assert!(page.tree.to_html().ends_with("<view>hidden</view>"));
    set_data(&program, &mut data, &mut page, &[("show", json!(true)), ("count", json!(5))]);
    assert!(page.tree.to_html().ends_with(r#"<view bind:tap="onOther">shown 5</view>"#));
}

#[test]
fn appending_through_an_index_path() {
    let program = program();
    let mut data = initial();
    let mut page = render(&program, 0, &data, &NoWxs);
    set_data(&program, &mut data, &mut page, &[("list[3]", json!({"id": 9, "title": "new", "done": false}))]);
    assert!(page.tree.to_html().contains("<text>new</text>"));
    set_data(&program, &mut data, &mut page, &[("plain[5]", json!(60))]);
    assert!(page.tree.to_html().contains("<text>5:60</text>"));
}

/// Random page data within the shapes `PAGE` reads.
fn item() -> impl Strategy<Value = Value> {
    (0u32..12, "[a-c]{0,2}", any::<bool>())
        .prop_map(|(id, title, done)| json!({"id": id, "title": title, "done": done}))
}

/// Distinct ids, so the list is keyed (duplicates fall back to position, also tested).
fn list() -> impl Strategy<Value = Value> {
    prop::collection::vec(item(), 0..8).prop_map(|items| {
        let mut seen = std::collections::HashSet::new();
        Value::Array(items.into_iter().filter(|i| seen.insert(i["id"].as_u64())).collect())
    })
}

#[derive(Clone, Debug)]
enum Change {
    Set(String, Value),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        list().prop_map(|l| Change::Set("list".into(), l)),
        (0usize..8, "[a-d]{0,2}").prop_map(|(i, t)| Change::Set(format!("list[{i}].title"), json!(t))),
        (0usize..8, any::<bool>()).prop_map(|(i, d)| Change::Set(format!("list[{i}].done"), json!(d))),
        (0usize..8, item()).prop_map(|(i, it)| Change::Set(format!("list[{i}]"), it)),
        prop::collection::vec(0i32..5, 0..5).prop_map(|p| Change::Set("plain".into(), json!(p))),
        (0usize..6, 0i32..9).prop_map(|(i, v)| Change::Set(format!("plain[{i}]"), json!(v))),
        "[xy]{0,2}".prop_map(|c| Change::Set("cls".into(), json!(c))),
        "[!?]{0,2}".prop_map(|s| Change::Set("suffix".into(), json!(s))),
        any::<bool>().prop_map(|b| Change::Set("show".into(), json!(b))),
        (0i32..4).prop_map(|c| Change::Set("count".into(), json!(c))),
        prop_oneof![Just("onA"), Just("onB"), Just("")].prop_map(|h| Change::Set("handler".into(), json!(h))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn updates_match_a_fresh_render(start in list(), steps in prop::collection::vec(prop::collection::vec(change(), 1..4), 1..6)) {
        let program = program();
        let mut data = initial();
        data["list"] = start;
        let mut page = render(&program, 0, &data, &NoWxs);
        for step in steps {
            let sets: Vec<(String, Value)> = step.into_iter().map(|Change::Set(k, v)| (k, v)).collect();
            let refs: Vec<(&str, Value)> = sets.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            // Indices past the end of `list` would leave nulls, which have no id: skip those.
            let list_len = data["list"].as_array().map_or(0, Vec::len);
            let valid = refs.iter().all(|(k, _)| match k.strip_prefix("list[") {
                Some(rest) => rest.split(']').next().and_then(|n| n.parse::<usize>().ok()).is_some_and(|i| i <= list_len),
                None => true,
            });
            if valid {
                set_data(&program, &mut data, &mut page, &refs);
            }
        }
    }

    #[test]
    fn keyed_reorders_move_the_fewest_nodes(keys in Just((0u32..30).collect::<Vec<_>>()).prop_shuffle(), keep in prop::collection::vec(any::<bool>(), 30)) {
        let (program, _) = compile_source("page.wxml", "<view wx:for='{{list}}' wx:key='id'>{{item.id}}</view>");
        let old: Vec<Value> = (0u32..30).map(|id| json!({"id": id})).collect();
        let new: Vec<u32> = keys.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(id, _)| id).collect();
        let mut data = json!({"list": old});
        let mut page = render(&program, 0, &data, &NoWxs);
        data["list"] = json!(new.iter().map(|id| json!({"id": id})).collect::<Vec<_>>());
        let patches = page.update(&program, &data, &[vec!["list".to_string()]], &NoWxs);
        let moves = patches.iter().filter(|p| matches!(p, Patch::Move { .. })).count();
        let removes = patches.iter().filter(|p| matches!(p, Patch::Remove { .. })).count();
        // The kept ids in their new order are old positions; everything outside a longest
        // increasing run of them has to move, and nothing else should.
        let lis = lis_len(&new);
        prop_assert_eq!(moves, new.len() - lis);
        prop_assert_eq!(removes, 30 - new.len());
        let only_moves_and_removes = patches.iter().all(|p| matches!(p, Patch::Move { .. } | Patch::Remove { .. }));
        prop_assert!(only_moves_and_removes, "unexpected patches: {:?}", patches);
        prop_assert_eq!(page.tree.shape(), render(&program, 0, &data, &NoWxs).tree.shape());
    }
}

fn lis_len(seq: &[u32]) -> usize {
    let mut tails: Vec<u32> = Vec::new();
    for &v in seq {
        let at = tails.partition_point(|&t| t < v);
        if at == tails.len() {
            tails.push(v);
        } else {
            tails[at] = v;
        }
    }
    tails.len()
}

#[test]
fn update_all_reaches_values_read_inside_lists() {
    let program = program();
    let mut data = initial();
    let mut page = render(&program, 0, &data, &NoWxs);
    data["suffix"] = json!("?");
    data["list"][0]["title"] = json!("A");
    let mut mirror = page.tree.clone();
    for p in page.update_all(&program, &data, &NoWxs) {
        mirror.try_apply(&p, usize::MAX, usize::MAX).expect("a sound patch is accepted");
    }
    assert_eq!(mirror, page.tree);
    assert_eq!(page.tree.shape(), render(&program, 0, &data, &NoWxs).tree.shape());
    assert!(page.tree.to_html().contains("<text>?</text>"));
}

#[test]
fn lists_of_numbers_strings_and_objects_see_changes_outside_them() {
    let (program, diags) = compile_source(
        "page.wxml",
        "<text wx:for=\"{{n}}\">{{label}}</text><text wx:for=\"{{s}}\">{{label}}</text><text wx:for=\"{{o}}\">{{label}}</text>",
    );
    assert!(diags.is_empty(), "{diags}");
    let mut data = json!({"n": 2, "s": "ab", "o": {"x": 1}, "label": "a"});
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("label", json!("b"))]);
    assert_eq!(patches.len(), 5, "{patches:?}");
    assert_eq!(page.tree.to_html(), "<text>b</text>".repeat(5));
}

#[test]
fn changed_items_insert_before_the_next_item_that_shows_anything() {
    let (program, diags) = compile_source(
        "page.wxml",
        "<block wx:for=\"{{list}}\"><text wx:if=\"{{item.on}}\">{{item.n}}</text></block><text>end</text>",
    );
    assert!(diags.is_empty(), "{diags}");
    let items: Vec<Value> = (0..8).map(|n| json!({"n": n, "on": n % 3 == 0})).collect();
    let mut data = json!({ "list": items });
    let mut page = render(&program, 0, &data, &NoWxs);
    let steps: [&[(&str, Value)]; 5] = [
        &[("list[1].on", json!(true)), ("list[2].on", json!(true))],
        &[("list[7].on", json!(true)), ("list[4].on", json!(true)), ("list[0].on", json!(false))],
        &[("list[6].on", json!(false)), ("list[5].on", json!(true))],
        &[("list[3].on", json!(false)), ("list[2].on", json!(false)), ("list[1].on", json!(false))],
        &[("list[0].on", json!(true)), ("list[3].on", json!(true)), ("list[6].on", json!(true))],
    ];
    for sets in steps {
        set_data(&program, &mut data, &mut page, sets);
    }
    assert_eq!(
        page.tree.to_html(),
        "<text>0</text><text>3</text><text>4</text><text>5</text><text>6</text><text>7</text><text>end</text>"
    );
}

/// Renders `template` with `data`, applies each step's setData keys and values (each checked
/// against a fresh render by `set_data`), and returns the page's HTML at the end.
fn after(template: &str, mut data: Value, steps: &[&[(&str, Value)]]) -> String {
    let (program, diags) = compile_source("page.wxml", template);
    assert!(diags.is_empty(), "{diags}");
    let mut page = render(&program, 0, &data, &NoWxs);
    for sets in steps {
        set_data(&program, &mut data, &mut page, sets);
    }
    page.tree.to_html()
}

#[test]
fn a_row_reading_its_own_list_by_name_sees_other_rows_change() {
    let rows = json!({"rows": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]});
    let template = "<text wx:for='{{rows}}' wx:key='id'>{{item.name}}/{{rows[0].name}}</text>";
    let html = after(template, rows.clone(), &[&[("rows[0].name", json!("z"))]]);
    assert_eq!(html, "<text>z/z</text><text>b/z</text>");
    let template = "<text wx:for='{{rows}}' wx:key='id'>{{rows[1].name}}</text>";
    let html = after(template, rows, &[&[("rows[1]", json!({"id": 2, "name": "y"}))]]);
    assert_eq!(html, "<text>y</text><text>y</text>");
}

#[test]
fn rows_showing_the_list_length_follow_it() {
    let template = "<view wx:for='{{rows}}' wx:key='*this'>{{index + 1}}<text>{{rows.length}}</text></view>";
    let start = json!({"rows": ["a", "b"]});
    let three = "<view>1<text>3</text></view><view>2<text>3</text></view><view>3<text>3</text></view>";
    assert_eq!(after(template, start.clone(), &[&[("rows[2]", json!("c"))]]), three);
    assert_eq!(after(template, start.clone(), &[&[("rows", json!(["a", "b", "c"]))]]), three);
    let unkeyed = template.replace(" wx:key='*this'", "");
    assert_eq!(after(&unkeyed, start, &[&[("rows[2]", json!("c"))]]), three);
    let whole = after(
        "<text wx:for='{{rows}}'>{{rows}};</text>",
        json!({"rows": [1, 2]}),
        &[&[("rows[0]", json!(5))]],
    );
    assert_eq!(whole, "<text>5,2;</text><text>5,2;</text>");
}

#[test]
fn lengths_follow_items_set_at_the_end_and_arrays_set_as_objects() {
    let template = "<text>{{rows.length}}</text><text wx:for='{{rows}}'>{{item.tags.length}};</text>";
    let data = json!({"rows": [{"tags": ["a"]}, {"tags": []}]});
    let steps: [&[(&str, Value)]; 4] = [
        &[("rows[0].tags[0]", json!("b")), ("rows[1].tags[0]", json!("a"))],
        &[("rows[0].tags[3]", json!("d"))],
        &[("rows[2].tags", json!(["x"]))],
        // A key that is not an index makes an array an object, which has no length.
        &[("rows.first.tags", json!([]))],
    ];
    assert_eq!(
        after(template, data.clone(), &steps[..3]),
        "<text>3</text><text>4;</text><text>1;</text><text>1;</text>"
    );
    assert_eq!(after(template, data, &steps), "<text></text><text>0;</text>");
}

/// A keyed list as the platform's component test tool measures it: each row its number from
/// `index` and a name; `done` sets a class.
const NUMBERED: &str = r#"<view wx:for="{{rows}}" wx:key="id" class="{{item.done ? 'done' : ''}}"><text>{{index + 1}}</text><text>{{item.name}}</text></view><text>end</text>"#;

fn numbered(names: &[&str]) -> Value {
    let rows: Vec<Value> =
        names.iter().enumerate().map(|(i, n)| json!({"id": i, "name": n, "done": false})).collect();
    json!({ "rows": rows })
}

/// The ids of the page's top-level elements, in order.
fn top_ids(page: &capsule_template::Rendered) -> Vec<u32> {
    page.tree.children(page.tree.root()).collect()
}

#[test]
fn a_changed_row_leaves_the_others_and_their_numbers_alone() {
    let (program, _) = compile_source("page.wxml", NUMBERED);
    let mut data = numbered(&["a", "b", "c"]);
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("rows[1].done", json!(true))]);
    assert_eq!(kinds(&patches), ["setAttr"]);
    let patches = set_data(&program, &mut data, &mut page, &[("rows[1].name", json!("B"))]);
    assert_eq!(kinds(&patches), ["setText"]);
    assert_eq!(
        page.tree.to_html(),
        r#"<view class=""><text>1</text><text>a</text></view><view class="done"><text>2</text><text>B</text></view><view class=""><text>3</text><text>c</text></view><text>end</text>"#
    );
}

#[test]
fn a_row_replaced_under_the_same_key_is_updated_in_place() {
    let (program, _) = compile_source("page.wxml", NUMBERED);
    let mut data = numbered(&["a", "b", "c"]);
    let mut page = render(&program, 0, &data, &NoWxs);
    let before = top_ids(&page);
    let row = json!({"id": 1, "name": "B", "done": true});
    let patches = set_data(&program, &mut data, &mut page, &[("rows[1]", row)]);
    assert_eq!(kinds(&patches), ["setAttr", "setText"]);
    assert_eq!(top_ids(&page), before);
}

#[test]
fn a_row_whose_key_changes_is_another_row() {
    let (program, _) = compile_source("page.wxml", NUMBERED);
    let mut data = numbered(&["a", "b", "c"]);
    let mut page = render(&program, 0, &data, &NoWxs);
    let before = top_ids(&page);
    let patches = set_data(&program, &mut data, &mut page, &[("rows[1].id", json!(9))]);
    assert!(!kinds(&patches).contains(&"move") && !kinds(&patches).contains(&"setText"), "{patches:?}");
    let after = top_ids(&page);
    assert_eq!((after[0], after[2], after[3]), (before[0], before[2], before[3]));
    assert_ne!(after[1], before[1], "the row with the new key is a new element");

    // Two rows trading whole values trade places, keeping their elements.
    let (first, third) = (data["rows"][0].clone(), data["rows"][2].clone());
    let before = top_ids(&page);
    let patches = set_data(&program, &mut data, &mut page, &[("rows[0]", third), ("rows[2]", first)]);
    assert!(kinds(&patches).iter().all(|k| ["move", "setText"].contains(k)), "{patches:?}");
    assert_eq!(top_ids(&page), [before[2], before[1], before[0], before[3]]);

    // A key another row has makes the list unkeyed: rows are updated where they stand.
    let before = top_ids(&page);
    set_data(&program, &mut data, &mut page, &[("rows[1].id", json!(0))]);
    assert_eq!(top_ids(&page), before);
    set_data(&program, &mut data, &mut page, &[("rows[1].id", json!(1))]);
    assert_eq!(
        page.tree.to_html(),
        r#"<view class=""><text>1</text><text>c</text></view><view class=""><text>2</text><text>b</text></view><view class=""><text>3</text><text>a</text></view><text>end</text>"#
    );
}

#[test]
fn rows_set_past_the_end_are_added_after_the_last() {
    let (program, _) = compile_source("page.wxml", NUMBERED);
    let mut data = numbered(&["a", "b"]);
    let mut page = render(&program, 0, &data, &NoWxs);
    let before = top_ids(&page);
    let row = json!({"id": 2, "name": "c", "done": false});
    let patches = set_data(&program, &mut data, &mut page, &[("rows[2]", row)]);
    assert!(kinds(&patches).iter().all(|k| ["create", "createText", "insert"].contains(k)), "{patches:?}");
    assert_eq!(top_ids(&page)[..2], before[..2]);
    // A gap fills with `null` rows, which show their numbers.
    set_data(&program, &mut data, &mut page, &[("rows[4].name", json!("e")), ("rows[0].name", json!("A"))]);
    assert_eq!(
        page.tree.to_html(),
        concat!(
            r#"<view class=""><text>1</text><text>A</text></view><view class=""><text>2</text><text>b</text></view>"#,
            r#"<view class=""><text>3</text><text>c</text></view><view class=""><text>4</text><text></text></view>"#,
            r#"<view class=""><text>5</text><text>e</text></view><text>end</text>"#
        )
    );
}

#[test]
fn a_row_changed_as_rows_are_added_stays_before_them() {
    let template = "<block wx:for='{{rows}}' wx:key='id'><text wx:if='{{item.done}}'>{{item.name}}</text></block><text>end</text>";
    let rows = json!({"rows": [{"id": 0, "name": "a", "done": false}]});
    let added = json!({"id": 1, "name": "b", "done": true});
    let html = after(template, rows, &[&[("rows[1]", added), ("rows[0].done", json!(true))]]);
    assert_eq!(html, "<text>a</text><text>b</text><text>end</text>");
}

#[test]
fn nested_lists_reach_one_inner_row() {
    let template = r#"<view wx:for="{{groups}}" wx:key="id"><text wx:for="{{item.rows}}" wx:for-item="row" wx:key="id">{{index}}:{{row.name}}@{{item.id}} </text></view>"#;
    let (program, _) = compile_source("page.wxml", template);
    let group = |id: u32| json!({"id": id, "rows": [{"id": 0, "name": "a"}, {"id": 1, "name": "b"}]});
    let mut data = json!({"groups": [group(0), group(1)]});
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("groups[1].rows[0].name", json!("x"))]);
    assert_eq!(kinds(&patches), ["setText"]);
    let patches =
        set_data(&program, &mut data, &mut page, &[("groups[1].rows[2]", json!({"id": 2, "name": "c"}))]);
    assert_eq!(kinds(&patches), ["create", "createText", "insert", "insert"]);
    // The outer row's id is read inside the inner rows, and is its key.
    set_data(&program, &mut data, &mut page, &[("groups[0].id", json!(7))]);
    assert_eq!(
        page.tree.to_html(),
        "<view><text>0:a@7 </text><text>1:b@7 </text></view><view><text>0:x@1 </text><text>1:b@1 </text><text>2:c@1 </text></view>"
    );
}

#[test]
fn a_row_and_page_data_set_together() {
    let template = "<text wx:for='{{rows}}' wx:key='id'>{{item.name}}{{mark}}</text>";
    let (program, _) = compile_source("page.wxml", template);
    let mut data = numbered(&["a", "b", "c"]);
    data["mark"] = json!("?");
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches =
        set_data(&program, &mut data, &mut page, &[("rows[1].name", json!("B")), ("mark", json!("!"))]);
    assert_eq!(kinds(&patches), ["setText", "setText", "setText"]);
    assert_eq!(page.tree.to_html(), "<text>a!</text><text>B!</text><text>c!</text>");
}

#[test]
fn a_row_field_switches_a_branch_inside_the_row() {
    let template = "<view wx:for='{{rows}}' wx:key='id'><text wx:if='{{item.done}}'>done</text><text wx:else>{{item.name}}</text></view>";
    let (program, _) = compile_source("page.wxml", template);
    let mut data = numbered(&["a", "b"]);
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("rows[1].done", json!(true))]);
    assert_eq!(kinds(&patches), ["remove", "create", "createText", "insert", "insert"]);
    assert_eq!(page.tree.to_html(), "<view><text>a</text></view><view><text>done</text></view>");
}

#[test]
fn a_template_called_in_a_row_sees_the_row_and_page_data() {
    let template = "<template name='cell'><text>{{n}}{{mark}}</text></template><view wx:for='{{rows}}' wx:key='id'><template is='cell' data='{{n: item.name, mark}}'/></view>";
    let (program, _) = compile_source("page.wxml", template);
    let mut data = numbered(&["a", "b"]);
    data["mark"] = json!("?");
    let mut page = render(&program, 0, &data, &NoWxs);
    let patches = set_data(&program, &mut data, &mut page, &[("rows[0].name", json!("A"))]);
    assert_eq!(kinds(&patches), ["setText"]);
    let patches = set_data(&program, &mut data, &mut page, &[("mark", json!("!"))]);
    assert_eq!(kinds(&patches), ["setText", "setText"]);
    assert_eq!(page.tree.to_html(), "<view><text>A!</text></view><view><text>b!</text></view>");
}

/// Renders `template` over 5,000 rows and returns a function that applies one setData and
/// says how many thousand nodes the update visited or made (the renderer asks its interrupt
/// once per 1,000).
fn visits_of(template: &str) -> impl FnMut(&[(&str, Value)]) -> usize {
    let (program, _) = compile_source("page.wxml", template);
    let names: Vec<String> = (0..5_000).map(|i| format!("row {i}")).collect();
    let mut data = numbered(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let mut page = render(&program, 0, &data, &NoWxs);
    move |sets| {
        let mut paths = Vec::new();
        for (key, value) in sets {
            paths.push(parse_data_path(key).unwrap());
            set_path(&mut data, paths.last().unwrap(), value.clone()).unwrap();
        }
        let asked = std::cell::Cell::new(0);
        let interrupt = || {
            asked.set(asked.get() + 1);
            false
        };
        let budget = Budget { interrupt: Some(&interrupt), ..Budget::default() };
        page.update_budgeted(&program, &data, &paths, &NoWxs, &budget).unwrap();
        asked.get()
    }
}

#[test]
fn one_row_changes_visit_a_few_nodes_whatever_the_length() {
    let mut visits = visits_of(NUMBERED);
    assert_eq!(visits(&[("rows[2500].done", json!(true))]), 0);
    assert_eq!(visits(&[("rows[2500]", json!({"id": 2500, "name": "new", "done": false}))]), 0);
    assert_eq!(visits(&[("rows[2500].id", json!(-1))]), 0);
    assert_eq!(visits(&[("rows[5000]", json!({"id": 5000, "name": "last", "done": false}))]), 0);
    let reversed: Vec<Value> =
        (0..5_000).rev().map(|i| json!({"id": i, "name": "", "done": false})).collect();
    assert!(visits(&[("rows", Value::Array(reversed))]) > 0, "a new list visits every row");

    // Rows showing the list's length are visited when it grows, not when a row changes.
    let mut visits = visits_of("<view wx:for='{{rows}}' wx:key='id'>{{item.name}} of {{rows.length}}</view>");
    assert_eq!(visits(&[("rows[2500].name", json!("x"))]), 0);
    assert_eq!(visits(&[("rows[4999].name", json!("x"))]), 0);
    assert!(visits(&[("rows[5000].name", json!("x"))]) > 0);
}

/// A small deterministic generator, so every run makes the same changes.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// `fmt.tag(s)`, as the page's `<wxs>` module would compute it.
struct Tags;

impl WxsHost for Tags {
    fn call(&self, module: &str, function: &str, args: &[Value]) -> Option<Value> {
        match (module, function) {
            ("fmt", "tag") => Some(json!(format!("#{}", args.first()?.as_str()?))),
            _ => None,
        }
    }
}

/// A list row reading everything a row can: its index, its fields, page data, a nested list,
/// a branch, a template call, a `<wxs>` call and the list itself; then the same rows as
/// nodes that come and go at the list's own level.
const ROWS: &str = r#"
<wxs module="fmt">module.exports = { tag: function (s) { return '#' + s } };</wxs>
<template name="badge"><text>[{{id}}{{mark}}]</text></template>
<text>{{title}}: {{rows.length}}</text>
<view wx:for="{{rows}}" wx:key="id" class="{{item.done ? 'done' : ''}}" data-i="{{index}}">
  <text>{{index + 1}}. {{item.name}} of {{rows.length}}</text>
  <text wx:if="{{item.done}}">{{fmt.tag(item.name)}}</text>
  <text wx:else>{{suffix}}</text>
  <block wx:for="{{item.tags}}" wx:for-item="tag" wx:key="*this"><text>{{tag}}@{{index}}/{{item.id}}</text></block>
  <template is="badge" data="{{...item, mark}}"/>
</view>
<block wx:for="{{rows}}" wx:key="id"><text wx:if="{{item.done}}">{{item.name}}</text></block>
<text>end</text>
"#;

fn random_row(rng: &mut Lcg) -> Value {
    let tags: Vec<String> = (0..rng.below(3)).map(|_| ["x", "y", "z"][rng.below(3)].to_string()).collect();
    let (id, name, done) = (rng.below(12), ["a", "b", "c"][rng.below(3)], rng.below(2) == 1);
    json!({"id": id, "name": name, "done": done, "tags": tags})
}

/// One random setData for the `ROWS` page whose list has `len` rows.
fn random_change(rng: &mut Lcg, len: usize) -> Vec<(String, Value)> {
    // The last row often: rows added after it insert before what it shows.
    let row = |rng: &mut Lcg| if rng.below(3) == 0 { len.saturating_sub(1) } else { rng.below(len) };
    let k = row(rng);
    let one = match rng.below(12) {
        0 => (format!("rows[{k}].name"), json!(["a", "b", "c", "d"][rng.below(4)])),
        1 | 2 => (format!("rows[{k}].done"), json!(rng.below(2) == 1)),
        3 => (format!("rows[{k}].id"), json!(rng.below(12))),
        4 => (format!("rows[{k}]"), random_row(rng)),
        5 => (format!("rows[{k}].tags[{}]", rng.below(3)), json!(["x", "y", "w"][rng.below(3)])),
        6 => (format!("rows[{k}].tags"), json!(["y", "x"])),
        7 => (format!("rows[{}]", len + rng.below(2)), random_row(rng)),
        8 => {
            let rows: Vec<Value> = (0..rng.below(6)).map(|_| random_row(rng)).collect();
            ("rows".to_string(), json!(rows))
        }
        9 => ("mark".to_string(), json!(["!", "?"][rng.below(2)])),
        10 => ("suffix".to_string(), json!(["-", "+"][rng.below(2)])),
        _ => ("title".to_string(), json!(["T", "U"][rng.below(2)])),
    };
    let mut sets = vec![one];
    if rng.below(2) == 0 {
        // A second key in the same setData: page data, or another row.
        let k = row(rng);
        sets.push(match rng.below(3) {
            0 => ("mark".to_string(), json!(["!", "?", "."][rng.below(3)])),
            1 => (format!("rows[{k}].name"), json!("e")),
            _ => (format!("rows[{k}].done"), json!(rng.below(2) == 1)),
        });
    }
    sets
}

#[test]
fn random_row_changes_match_a_fresh_render() {
    let (program, diags) = compile_source("page.wxml", ROWS);
    assert!(diags.is_empty(), "{diags}");
    for seed in 1..=4 {
        let mut rng = Lcg(seed);
        let rows: Vec<Value> = (0..6).map(|_| random_row(&mut rng)).collect();
        let mut data = json!({"title": "T", "mark": "?", "suffix": "-", "rows": rows});
        let mut page = render(&program, 0, &data, &Tags);
        for _ in 0..150 {
            let len = data["rows"].as_array().map_or(0, Vec::len);
            let sets = random_change(&mut rng, len);
            let sets: Vec<(&str, Value)> = sets.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            set_data_with(&program, &mut data, &mut page, &sets, &Tags);
        }
    }
}
