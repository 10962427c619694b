//! setData → patches: what changes is exactly what a fresh render shows, patches applied to a
//! view's copy give the same tree, nodes that survive keep their ids, and keyed lists move
//! as few nodes as possible.

use capsule_template::compile::compile_source;
use capsule_template::expr::NoWxs;
use capsule_template::path::{parse_data_path, set_path};
use capsule_template::render::render;
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
    let mut paths: Vec<Path> = Vec::new();
    for (key, value) in sets {
        let path = parse_data_path(key).unwrap();
        set_path(data, &path, value.clone()).unwrap();
        paths.push(path);
    }
    let mut mirror = page.tree.clone();
    let patches = page.update(program, data, &paths, &NoWxs);
    for p in &patches {
        mirror.apply(p);
    }
    assert_eq!(mirror, page.tree, "patches applied to a copy give the same tree");
    let fresh = render(program, 0, data, &NoWxs);
    assert_eq!(page.tree.shape(), fresh.tree.shape(), "an update shows what a fresh render shows");
    patches
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
    let kinds: Vec<&str> = patches
        .iter()
        .map(|p| match p {
            Patch::SetAttr { .. } => "setAttr",
            Patch::Remove { .. } => "remove",
            Patch::CreateText { .. } | Patch::Create { .. } => "create",
            Patch::Insert { .. } => "insert",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["setAttr", "remove", "create", "create", "insert", "insert"]);
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
        mirror.apply(&p);
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
