//! The compiled form of a WXML file: what the renderer walks. Every binding is parsed once,
//! and every node knows which data paths it reads and which its subtree reads, so an update
//! can skip what a change cannot reach.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::expr::{Expr, Scope, WxsHost};
use crate::value::{Val, array_index};

/// Index of a compiled file in a [`Program`].
pub type FileId = usize;

/// A data path: `list[3].name` is `["list", "3", "name"]`. Array indices are keys too, as in
/// JavaScript.
pub type Path = Vec<String>;

/// Every compiled WXML file of a package.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub files: Vec<CompiledFile>,
    pub by_path: HashMap<String, FileId>,
    /// The custom components each file's elements may name, tag → component path (its files
    /// without extension): the `usingComponents` of the page or component the file belongs
    /// to, over the app's. A file without an entry uses none.
    pub components: HashMap<FileId, HashMap<Arc<str>, Arc<str>>>,
    /// Errors that stay with their file (a missing `<import>` / `<include>` target), by the
    /// file's path, as `file:line:col: message`: the app runs, and a page whose template has
    /// one hears it when it opens.
    pub page_errors: HashMap<String, Vec<String>>,
}

impl Program {
    /// The files whose `<wxs>` modules a page's bindings may call, the page's own first:
    /// itself, what it imports and includes, and so on through includes.
    pub fn wxs_scope(&self, file: FileId) -> Vec<FileId> {
        let mut out = vec![file];
        let mut i = 0;
        while i < out.len() {
            if let Some(f) = self.files.get(out[i]) {
                for &next in f.imports.iter().chain(&f.includes) {
                    if !out.contains(&next) {
                        out.push(next);
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// The template of the page or component whose files are at `base` (`pages/a/a`).
    pub fn file_of(&self, base: &str) -> Option<FileId> {
        self.by_path.get(&format!("{base}.wxml")).copied()
    }

    pub fn file(&self, path: &str) -> Option<&CompiledFile> {
        self.by_path.get(path).map(|&id| &self.files[id])
    }

    /// The template `name` as seen from `file`: its own templates first, then those of the
    /// files it imports (imports are not transitive).
    pub fn find_template(&self, file: FileId, name: &str) -> Option<&TemplateDef> {
        let f = self.files.get(file)?;
        f.templates.iter().find(|t| t.name == name).or_else(|| {
            f.imports
                .iter()
                .rev()
                .find_map(|&i| self.files.get(i).and_then(|g| g.templates.iter().find(|t| t.name == name)))
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct CompiledFile {
    pub path: String,
    /// Shared with the files that include it.
    pub body: Arc<Vec<IrNode>>,
    pub templates: Vec<TemplateDef>,
    pub imports: Vec<FileId>,
    /// Files whose content was inlined by `<include>` (their `<wxs>` modules serve this file).
    pub includes: Vec<FileId>,
    pub wxs: Vec<WxsModule>,
    /// How deep its body may nest when rendered, includes inlined and template calls
    /// expanded (at most [`crate::compile::MAX_IR_DEPTH`]).
    pub depth: usize,
}

#[derive(Clone, Debug)]
pub struct TemplateDef {
    pub name: String,
    pub body: Vec<IrNode>,
}

/// A `<wxs>` module: `src` points to a `.wxs` file in the package, or the code is inline.
#[derive(Clone, Debug, PartialEq)]
pub struct WxsModule {
    pub name: String,
    pub src: Option<String>,
    pub inline: Option<String>,
}

/// The data paths a node reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deps(pub Vec<Path>);

impl Deps {
    pub fn add(&mut self, path: Path) {
        if !self.0.contains(&path) {
            self.0.push(path);
        }
    }

    pub fn extend(&mut self, other: &Deps) {
        for p in &other.0 {
            self.add(p.clone());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a change at any of `changes` may change what these paths read (see
    /// [`reaches`]).
    pub fn touches(&self, changes: &Changes) -> bool {
        match changes {
            Changes::All => !self.0.is_empty(),
            Changes::Paths(paths) => self.0.iter().any(|d| paths.iter().any(|c| reaches(c, d))),
        }
    }
}

/// One path is a prefix of the other (or they are equal).
pub fn related(a: &[String], b: &[String]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Whether a change at `changed` may change what reading `read` gives: one path is a prefix of
/// the other, or `read` is `x.length` and the change sets a key under `x` that is not an index
/// (which, through an array, makes it an object). Setting an item of an array changes its
/// length only at or past its end: the update adds `x.length` to the changed paths then (see
/// [`crate::path::grown_lengths`]), so a change to one row leaves `{{rows.length}}` alone.
pub fn reaches(changed: &[String], read: &[String]) -> bool {
    related(read, changed)
        || match read.split_last() {
            Some((last, x)) if last == "length" => {
                changed.len() > x.len() && changed.starts_with(x) && array_index(&changed[x.len()]).is_none()
            }
            _ => false,
        }
}

/// What changed since the last render, in terms of the names visible where it is used.
#[derive(Clone, Debug, PartialEq)]
pub enum Changes {
    /// Anything may have changed: re-evaluate every binding.
    All,
    Paths(Vec<Path>),
}

/// A value that is either fixed or computed from data.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding {
    /// No mustache: the value is the text (or `true` for a bare boolean attribute).
    Static(Value),
    /// Exactly one mustache and nothing else: the value is the expression's own value.
    Expr(Expr),
    /// Text and mustaches mixed: the value is the concatenated string.
    Mixed(Vec<Part>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Text(String),
    Expr(Expr),
}

impl Binding {
    pub fn read_paths(&self, deps: &mut Deps) {
        let mut paths = Vec::new();
        match self {
            Binding::Static(_) => {}
            Binding::Expr(e) => e.read_paths(&mut paths),
            Binding::Mixed(parts) => {
                for p in parts {
                    if let Part::Expr(e) = p {
                        e.read_paths(&mut paths);
                    }
                }
            }
        }
        for p in paths {
            deps.add(p);
        }
    }

    pub fn is_static(&self) -> bool {
        matches!(self, Binding::Static(_))
    }

    pub fn eval<'a>(&self, scope: &Scope<'_, 'a>, wxs: &dyn WxsHost) -> Val<'a> {
        match self {
            Binding::Static(v) => Val::owned(v.clone()),
            Binding::Expr(e) => e.eval(scope, wxs),
            Binding::Mixed(parts) => Val::str(mixed_text(parts, scope, wxs)),
        }
    }

    /// The value as JSON, the way an attribute holds it. A value larger than the scope's
    /// limit is not copied: it is `null` and the limit is passed.
    pub fn eval_json(&self, scope: &Scope<'_, '_>, wxs: &dyn WxsHost) -> Value {
        match self {
            Binding::Static(v) => v.clone(),
            Binding::Expr(e) => {
                let limit = scope.limit();
                let v = e.eval(scope, wxs);
                if limit.admit(v.weight_capped(limit.max())) { v.into_json() } else { Value::Null }
            }
            Binding::Mixed(parts) => Value::String(mixed_text(parts, scope, wxs)),
        }
    }

    /// The value as text, the way a text node shows it. A text longer than the scope's limit
    /// is not copied: it is empty and the limit is passed.
    pub fn text(&self, scope: &Scope<'_, '_>, wxs: &dyn WxsHost) -> String {
        match self {
            Binding::Static(Value::String(s)) => s.clone(),
            Binding::Static(v) => Val::of(v).to_display().into_owned(),
            Binding::Expr(e) => {
                let limit = scope.limit();
                let v = e.eval(scope, wxs);
                let text = v.to_display_within(limit);
                if limit.admit(text.len()) { text.into_owned() } else { String::new() }
            }
            Binding::Mixed(parts) => mixed_text(parts, scope, wxs),
        }
    }
}

/// Text and mustaches joined, stopping (with the limit passed) once longer than the scope's
/// limit.
fn mixed_text(parts: &[Part], scope: &Scope<'_, '_>, wxs: &dyn WxsHost) -> String {
    let limit = scope.limit();
    let mut out = String::new();
    for p in parts {
        let value = match p {
            Part::Text(_) => Val::Undefined,
            Part::Expr(e) => e.eval(scope, wxs),
        };
        let text = match p {
            Part::Text(t) => std::borrow::Cow::Borrowed(t.as_str()),
            Part::Expr(_) => value.to_display_within(limit),
        };
        if !limit.admit(out.len() + text.len()) {
            break;
        }
        out.push_str(&text);
    }
    out
}

/// An event listener as written: `bindtap`, `catch:tap`, `capture-bind:tap`, `mut-bind:tap`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerIr {
    pub event: String,
    /// The handler's name; from data when written `bindtap="{{name}}"`.
    pub handler: Binding,
    pub capture: bool,
    pub catch: bool,
    pub mutated: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttrIr {
    pub name: Arc<str>,
    pub value: Binding,
}

#[derive(Clone, Debug)]
pub struct ElementIr {
    pub tag: Arc<str>,
    pub attrs: Vec<AttrIr>,
    pub listeners: Vec<ListenerIr>,
    pub children: Vec<IrNode>,
}

/// How `wx:key` identifies list items.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// No key: items are patched in place by position.
    None,
    /// `wx:key="*this"`: the item itself (a string or number).
    This,
    /// `wx:key="id"`: a property of the item.
    Prop(String),
}

#[derive(Clone, Debug)]
pub struct ForIr {
    pub list: Binding,
    /// The static data path of the list, when it is one (`{{todos}}`): lets a change to one
    /// item reach only that item.
    pub list_path: Option<Path>,
    pub item: String,
    pub index: String,
    pub key: Key,
    pub body: Vec<IrNode>,
}

#[derive(Clone, Debug)]
pub struct TemplateCallIr {
    pub is: Binding,
    /// The object the template sees as its data, from `data="{{…}}"`.
    pub data: Option<Expr>,
    /// The file the call was written in: names resolve from there.
    pub file: FileId,
}

#[derive(Clone, Debug)]
pub enum IrKind {
    Element(ElementIr),
    Text(Binding),
    /// `wx:if` / `wx:elif` / `wx:else`: conditions in order, `None` for the else branch.
    If(Vec<(Option<Expr>, Vec<IrNode>)>),
    For(Box<ForIr>),
    /// `<block>` and `<include>` content: children without an element of their own (shared:
    /// an included file's body is not copied).
    Fragment(Arc<Vec<IrNode>>),
    Template(Box<TemplateCallIr>),
}

#[derive(Clone, Debug)]
pub struct IrNode {
    pub kind: IrKind,
    /// Paths this node's own bindings read.
    pub deps: Deps,
    /// Paths this node or anything inside it reads, in terms of the names visible at this
    /// node (a list body's `item.x` shows up as the list's own path).
    pub sub: Deps,
}
