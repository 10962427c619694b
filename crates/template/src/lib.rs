//! `capsule-template` turns WXML into what a view shows: it parses templates leniently
//! ([`parse`]), compiles each file once into an IR that knows which data paths every binding
//! reads ([`compile`]), renders IR + data into a virtual [`tree::Tree`], and after `setData`
//! updates that tree, re-rendering only what reads a changed path and returning the
//! [`tree::Patch`]es a view applies ([`render`]).
//!
//! It owns: WXML syntax and its diagnostics, `{{ }}` expressions with JavaScript semantics,
//! directives, templates, imports and includes, node identity and the patch protocol. It must
//! not: run JavaScript (`<wxs>` calls go through [`expr::WxsHost`]), touch styles, or know
//! about any particular view.
//!
//! ```
//! use capsule_template::{compile::compile_source, expr::NoWxs, path::parse_data_path, render::render};
//! use serde_json::json;
//! let (program, diags) = compile_source("p.wxml", "<view wx:for='{{todos}}' wx:key='id'>{{item.title}}</view>");
//! assert!(diags.is_empty());
//! let mut data = json!({"todos": [{"id": 1, "title": "milk"}, {"id": 2, "title": "eggs"}]});
//! let mut page = render(&program, 0, &data, &NoWxs);
//! data["todos"][1]["title"] = json!("bread");
//! let patches = page.update(&program, &data, &[parse_data_path("todos[1].title").unwrap()], &NoWxs);
//! assert_eq!(patches.len(), 1); // one SetText
//! assert_eq!(page.tree.to_html(), "<view>milk</view><view>bread</view>");
//! ```

pub mod compile;
pub mod entities;
pub mod expr;
pub mod ir;
pub mod parse;
pub mod path;
pub mod render;
pub mod tree;
pub mod value;

pub use compile::{compile_files, compile_package, compile_source};
pub use ir::{Path, Program};
pub use render::{Budget, RenderError, Rendered, render, render_budgeted};
pub use tree::{Patch, Tree};
