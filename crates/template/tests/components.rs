//! Custom components in the tree: a host element with a shadow root for the component's own
//! template, the slot content beside it, properties reported to the logic layer, and each
//! component updated on its own.

use std::collections::HashMap;
use std::sync::Arc;

use capsule_package::Files;
use capsule_template::compile::compile_files;
use capsule_template::expr::NoWxs;
use capsule_template::render::{ComponentChange, render};
use capsule_template::tree::NodeKind;
use capsule_template::{Program, Rendered};
use serde_json::{Value, json};

const PAGE: &str = r#"<view class="list">
  <card wx:for="{{items}}" wx:key="id" id="card-{{item.id}}" class="c" item-title="{{item.title}}" done="{{item.done}}" bind:pick="onPick">
    <text>{{prefix}} {{item.id}}</text>
  </card>
</view>"#;

const CARD: &str = r#"<view class="title {{done ? 'done' : ''}}">{{itemTitle}}</view><slot></slot><badge wx:if="{{done}}" n="{{1}}"/>"#;

const BADGE: &str = r#"<text>#{{n}}</text>"#;

fn program() -> Program {
    let mut files = Files::default();
    files.insert("pages/p/p.wxml", PAGE.as_bytes().to_vec());
    files.insert("comp/card/card.wxml", CARD.as_bytes().to_vec());
    files.insert("comp/badge/badge.wxml", BADGE.as_bytes().to_vec());
    let (mut program, diags) =
        compile_files(&files, ["pages/p/p.wxml", "comp/card/card.wxml", "comp/badge/badge.wxml"]);
    assert!(diags.is_empty(), "{diags}");
    let tags = |tag: &str, path: &str| HashMap::from([(Arc::from(tag), Arc::from(path))]);
    let page = program.file_of("pages/p/p").unwrap();
    let card = program.file_of("comp/card/card").unwrap();
    program.components.insert(page, tags("card", "comp/card/card"));
    program.components.insert(card, tags("badge", "comp/badge/badge"));
    program
}

fn data() -> Value {
    json!({"prefix": "slot", "items": [{"id": 1, "title": "one", "done": false}, {"id": 2, "title": "two", "done": true}]})
}

fn created(changes: &[ComponentChange]) -> Vec<(u32, String, Option<u32>, Value)> {
    changes
        .iter()
        .filter_map(|c| match c {
            ComponentChange::Created { host, path, owner, props, .. } => {
                Some((*host, path.to_string(), *owner, Value::Object(props.clone())))
            }
            _ => None,
        })
        .collect()
}

/// Mounts the components `changes` created, and the ones they create, each with its
/// properties as its data, as the logic layer would; returns the later changes.
fn mount_all(program: &Program, page: &mut Rendered, changes: &[ComponentChange]) -> Vec<ComponentChange> {
    let mut later = Vec::new();
    let mut changes = changes.to_vec();
    while !changes.is_empty() {
        for (host, _, _, props) in created(&changes) {
            page.mount(program, host, &props, &NoWxs);
        }
        changes = page.take_changes();
        later.extend(changes.iter().cloned());
    }
    later
}

#[test]
fn a_component_renders_in_its_shadow_root_with_the_slot_content_beside_it() {
    let program = program();
    let page_file = program.file_of("pages/p/p").unwrap();
    let mut page = render(&program, page_file, &data(), &NoWxs);
    let changes = page.take_changes();
    let made = created(&changes);
    assert_eq!(made.len(), 2);
    assert_eq!(made[0].1, "comp/card/card");
    assert_eq!(made[0].2, None, "the page wrote it");
    // Attribute names become property names; id, class and listeners stay on the element.
    assert_eq!(made[0].3, json!({"itemTitle": "one", "done": false}));
    let before = page.tree.to_html();
    assert_eq!(
        before,
        "<view class=\"list\"><card id=\"card-1\" class=\"c\" bind:pick=\"onPick\"><template shadowrootmode=\"open\"></template><text>slot 1</text></card>\
         <card id=\"card-2\" class=\"c\" bind:pick=\"onPick\"><template shadowrootmode=\"open\"></template><text>slot 2</text></card></view>"
    );

    let all = mount_all(&program, &mut page, &changes);
    let nested = created(&all);
    assert_eq!(nested.len(), 1, "the second card shows a badge: {all:?}");
    assert_eq!(nested[0].1, "comp/badge/badge");
    assert_eq!(nested[0].2, Some(made[1].0), "the card's template wrote the badge");
    assert_eq!(nested[0].3, json!({"n": 1}));
    let html = page.tree.to_html();
    assert!(
        html.contains("<template shadowrootmode=\"open\"><view class=\"title \">one</view><slot></slot></template><text>slot 1</text>"),
        "{html}"
    );
    assert!(
        html.contains("<badge><template shadowrootmode=\"open\"><text>#1</text></template></badge>"),
        "{html}"
    );

    // Nodes know which template made them.
    let host = made[1].0;
    let title = page.tree.children(host).next().and_then(|shadow| page.tree.children(shadow).next()).unwrap();
    assert_eq!(page.tree.owner_of(title), Some(host));
    let slot_text = page.tree.children(host).nth(1).unwrap();
    assert_eq!(page.tree.owner_of(slot_text), None, "slot content is the page's");
    assert_eq!(page.tree.owner_of(host), None);
}

#[test]
fn the_owner_passes_new_properties_and_the_component_updates_alone() {
    let program = program();
    let page_file = program.file_of("pages/p/p").unwrap();
    let mut d = data();
    let mut page = render(&program, page_file, &d, &NoWxs);
    let changes = page.take_changes();
    let made = created(&changes);
    mount_all(&program, &mut page, &changes);
    let (first, _, _, _) = made[0].clone();

    // The page changes what it passes to the first card, and its own slot text.
    d["items"][0]["title"] = json!("uno");
    d["prefix"] = json!("s");
    let mut mirror = page.tree.clone();
    let patches = page.update(
        &program,
        &d,
        &[vec!["items".into(), "0".into(), "title".into()], vec!["prefix".into()]],
        &NoWxs,
    );
    for p in &patches {
        mirror.try_apply(p, usize::MAX, usize::MAX).expect("a sound patch is accepted");
    }
    assert_eq!(mirror, page.tree);
    let changes = page.take_changes();
    assert_eq!(
        changes,
        vec![ComponentChange::Props {
            host: first,
            props: serde_json::from_value(json!({"itemTitle": "uno"})).unwrap()
        }]
    );
    assert!(page.tree.to_html().contains("<text>s 1</text>"), "slot content follows the page's data");
    assert!(
        page.tree.to_html().contains(">one</view>"),
        "the component shows its own data until it is given new data"
    );

    // The logic layer sets the property in the component's data; the component re-renders.
    let patches = page.update_component(
        &program,
        first,
        &json!({"itemTitle": "uno", "done": false}),
        &[vec!["itemTitle".into()]],
        &NoWxs,
    );
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert!(page.tree.to_html().contains(">uno</view>"));
}

#[test]
fn removing_a_component_reports_it_and_the_ones_inside_it() {
    let program = program();
    let page_file = program.file_of("pages/p/p").unwrap();
    let mut d = data();
    let mut page = render(&program, page_file, &d, &NoWxs);
    let changes = page.take_changes();
    let made = created(&changes);
    let nested = created(&mount_all(&program, &mut page, &changes));
    d["items"] = json!([{"id": 1, "title": "one", "done": false}]);
    page.update(&program, &d, &[vec!["items".into()]], &NoWxs);
    assert_eq!(
        page.take_changes(),
        vec![ComponentChange::Removed { host: made[1].0 }, ComponentChange::Removed { host: nested[0].0 }]
    );
    assert!(page.component_path(made[1].0).is_none());
    assert!(page.tree.get(made[1].0).is_none());
    assert_eq!(page.component_path(made[0].0), Some("comp/card/card"));
    // Updating a component that is gone does nothing.
    assert!(
        page.update_component(&program, made[1].0, &json!({}), &[vec!["done".into()]], &NoWxs).is_empty()
    );
}

#[test]
fn a_tool_without_logic_renders_components_from_their_properties() {
    let program = program();
    let page_file = program.file_of("pages/p/p").unwrap();
    let mut page = render(&program, page_file, &data(), &NoWxs);
    page.mount_with_properties(&program, &NoWxs, 100);
    let html = page.tree.to_html();
    assert!(html.contains(">two</view>") && html.contains("<text>#1</text>"), "{html}");
    let shadows = count_shadow_roots(&page);
    assert_eq!(shadows, 3);
}

fn count_shadow_roots(page: &Rendered) -> usize {
    let mut stack = vec![page.tree.root()];
    let mut n = 0;
    while let Some(id) = stack.pop() {
        if let Some(NodeKind::Element { tag, .. }) = page.tree.get(id).map(|n| &n.kind)
            && &**tag == capsule_template::tree::SHADOW_ROOT
        {
            n += 1;
        }
        stack.extend(page.tree.children(id));
    }
    n
}
