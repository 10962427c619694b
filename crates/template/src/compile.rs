//! WXML → IR, once per file: directives become control nodes, mustaches become parsed
//! expressions, `<include>` is inlined, `<import>` and `<template name>` fill the template
//! tables, and every node learns which data paths it reads.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use capsule_package::components::{join, parent};
use capsule_package::{Diagnostic, Diagnostics, Files, Span};
use serde_json::Value;

use crate::entities::decode;
use crate::expr::{self, Expr};
use crate::ir::{
    AttrIr, Binding, CompiledFile, Deps, ElementIr, FileId, ForIr, IrKind, IrNode, Key, ListenerIr, Part,
    Program, TemplateCallIr, TemplateDef, WxsModule,
};
use crate::parse::{self, Attr, Element, Level, MAX_PROBLEMS, More, Node};

/// Include chains longer than this are refused (and a cycle is caught long before).
const MAX_INCLUDE_DEPTH: usize = 32;

/// IR nodes one file may take in through `<include>` (what its includes include counted):
/// an include is inlined, so files that each include the next twice would otherwise double
/// at every level. Checked before the nodes are copied.
pub const MAX_INCLUDE_NODES: usize = 100_000;

/// IR nodes all the files of a program may take in through `<include>` together.
pub const MAX_PROGRAM_INCLUDE_NODES: usize = 1_000_000;

/// IR nodes one `<template is>` may expand to when rendered, its template calls expanded as
/// the renderer does (to [`crate::render::MAX_TEMPLATE_DEPTH`] levels; a data-driven `is`
/// counted as the largest template it could name). A template that calls itself twice
/// doubles at every level: refused here, before rendering spends anything.
pub const MAX_TEMPLATE_NODES: usize = 100_000;

/// How deep the IR of a file may nest, includes inlined and template calls expanded (every
/// element, `wx:if`, `wx:for`, `<block>`, include and template call is a level). The
/// renderer recurses once per level, so this keeps it well inside a 2 MiB stack; the parser
/// already refuses elements nested more than [`parse::MAX_NESTING`] deep in one file.
pub const MAX_IR_DEPTH: usize = 800;

/// Compiles the WXML files at `paths` (and whatever they import or include) from `files`.
/// Every problem in every file is reported.
pub fn compile_files<'p>(files: &Files, paths: impl IntoIterator<Item = &'p str>) -> (Program, Diagnostics) {
    let mut builder = Builder {
        files,
        program: Program::default(),
        in_progress: HashSet::new(),
        queued: Vec::new(),
        pending: Vec::new(),
        diags: Diagnostics::default(),
        sizes: Vec::new(),
        body_sites: Vec::new(),
        template_sites: HashMap::new(),
        inlined: 0,
    };
    for path in paths {
        builder.compile_path(path);
    }
    // Imported files, in turn: compiling them where the import stands would nest one file's
    // walk inside another's, as deep as the chain of imports.
    while let Some((id, path)) = builder.queued.pop() {
        if std::mem::take(&mut builder.pending[id]) {
            builder.compile_into(id, &path, Vec::new());
        }
    }
    builder.check_template_calls();
    (builder.program, builder.diags)
}

/// Compiles one WXML text on its own (no imports or includes can resolve), for tests,
/// benchmarks and tools.
///
/// ```
/// use capsule_template::compile::compile_source;
/// let (program, diags) = compile_source("page.wxml", "<view>{{a}}</view>");
/// assert!(diags.is_empty());
/// assert_eq!(program.files[0].body.len(), 1);
/// ```
pub fn compile_source(path: &str, text: &str) -> (Program, Diagnostics) {
    let mut files = Files::default();
    files.insert(path, text.as_bytes().to_vec());
    compile_files(&files, [path])
}

struct Builder<'f> {
    files: &'f Files,
    program: Program,
    in_progress: HashSet<FileId>,
    /// Imported files not compiled yet.
    queued: Vec<(FileId, String)>,
    /// Per file: queued and not compiled yet.
    pending: Vec<bool>,
    diags: Diagnostics,
    /// Per file: IR nodes in its body and how deep its body nests (includes inlined).
    sizes: Vec<(usize, usize)>,
    /// Per file: the `<template is>` calls in its body (those of included files too).
    body_sites: Vec<Vec<Site>>,
    /// The `<template is>` calls in each template, by (file, name).
    template_sites: HashMap<(FileId, String), Vec<Site>>,
    /// IR nodes inlined by includes so far, in all files.
    inlined: usize,
}

/// A `<template is>` call, checked once every file is compiled: that it names a template,
/// and what it expands to.
#[derive(Clone, Debug)]
struct Site {
    /// The file names resolve from.
    file: FileId,
    /// The name, when it is written out; `None` when it comes from data.
    is: Option<String>,
    /// How deep the call sits in the body it is part of (itself counted).
    depth: usize,
    /// Where a problem with it is reported: the call, or the `<include>` that copied it.
    at: (FileId, Span),
    /// Copied by an include: checked for depth only (the original is checked for the rest).
    copied: bool,
}

/// The file being compiled.
struct FileCx<'t> {
    id: FileId,
    path: String,
    text: &'t str,
    /// Names of its `<wxs>` modules.
    modules: Vec<String>,
    /// Files being included, outermost first (for cycle messages).
    include_chain: Vec<String>,
    /// Problems reported for this file so far, and those past [`MAX_PROBLEMS`].
    shown: Cell<usize>,
    more: RefCell<Option<More>>,
    /// IR ancestors of the node being compiled (in the file's body or a template's).
    depth: usize,
    /// IR nodes inlined into this file by includes.
    inlined: usize,
    /// The template calls of the body or template being compiled.
    sites: Vec<Site>,
    /// Whether the nodes being compiled are inside a `<text>`, where a `\n` escape written
    /// in the content is a line break (elsewhere it is a space, as on the platform).
    in_text: bool,
}

impl FileCx<'_> {
    fn diag(&self, level: Level, span: Span, message: impl Into<String>) -> Diagnostic {
        let d = match level {
            Level::Error => Diagnostic::error(&self.path, message),
            Level::Warning => Diagnostic::warning(&self.path, message),
        };
        d.at(self.text, span)
    }
}

impl<'f> Builder<'f> {
    /// Reports a problem in the file being compiled; past [`MAX_PROBLEMS`] in one file, only
    /// counts it (locating each would cost a pass over the text).
    fn report(&mut self, cx: &FileCx<'_>, level: Level, span: Span, message: impl Into<String>) {
        let shown = cx.shown.get();
        if shown < MAX_PROBLEMS {
            cx.shown.set(shown + 1);
            self.diags.push(cx.diag(level, span, message));
        } else {
            cx.more.borrow_mut().get_or_insert_with(|| More { span, ..More::default() }).add(level);
        }
    }

    fn compile_path(&mut self, path: &str) -> Option<FileId> {
        self.compile_with_chain(path, Vec::new())
    }

    /// The id of an imported file, compiled later if it is not yet.
    fn import(&mut self, path: &str) -> Option<FileId> {
        if let Some(&id) = self.program.by_path.get(path) {
            return Some(id);
        }
        if !self.files.contains(path) {
            return None;
        }
        let id = self.allocate(path);
        self.queued.push((id, path.to_string()));
        self.pending[id] = true;
        Some(id)
    }

    fn allocate(&mut self, path: &str) -> FileId {
        let id = self.program.files.len();
        self.program.files.push(CompiledFile { path: path.to_string(), ..CompiledFile::default() });
        self.program.by_path.insert(path.to_string(), id);
        self.sizes.push((0, 0));
        self.body_sites.push(Vec::new());
        self.pending.push(false);
        id
    }

    /// Compiles `path` now, unless it was already (a file still queued is compiled now).
    fn compile_with_chain(&mut self, path: &str, include_chain: Vec<String>) -> Option<FileId> {
        if let Some(&id) = self.program.by_path.get(path) {
            if std::mem::take(&mut self.pending[id]) {
                self.compile_into(id, path, include_chain);
            }
            return Some(id);
        }
        if !self.files.contains(path) {
            return None;
        }
        let id = self.allocate(path);
        self.compile_into(id, path, include_chain);
        Some(id)
    }

    fn compile_into(&mut self, id: FileId, path: &str, include_chain: Vec<String>) {
        let files = self.files;
        let Some(bytes) = files.get(path) else { return };
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.diags.push(Diagnostic::error(path, "the file is not valid UTF-8"));
            return;
        };
        self.in_progress.insert(id);
        let mut cx = FileCx {
            id,
            path: path.to_string(),
            text,
            modules: Vec::new(),
            include_chain,
            shown: Cell::new(0),
            more: RefCell::new(None),
            depth: 0,
            inlined: 0,
            sites: Vec::new(),
            in_text: false,
        };
        let (nodes, problems) = parse::parse(text);
        // The parser caps its own problems (and counts the rest in its last one).
        cx.shown.set(problems.len());
        for p in problems {
            self.diags.push(cx.diag(p.level, p.span, p.message));
        }
        // Modules first: a call anywhere in the file may name a module declared below it.
        collect_modules(&nodes, &mut cx.modules);
        self.compile_includes_first(&nodes, &cx);
        let mut body = Vec::new();
        self.nodes(&nodes, &mut cx, &mut body, true);
        self.in_progress.remove(&id);
        if let Some(more) = cx.more.take() {
            let p = more.problem();
            self.diags.push(cx.diag(p.level, p.span, p.message));
        }
        self.sizes[id] = (count_nodes(&body), ir_depth(&body));
        self.body_sites[id] = std::mem::take(&mut cx.sites);
        self.program.files[id].body = Arc::new(body);
    }

    /// Compiles the files this one includes before walking it: compiling them where the
    /// `<include>` stands would nest their walks inside this one's. Problems with an include
    /// (cycles, depth) are reported where it stands, by the walk.
    fn compile_includes_first(&mut self, nodes: &[Node], cx: &FileCx<'_>) {
        let mut stack = vec![nodes];
        let mut found = Vec::new();
        while let Some(nodes) = stack.pop() {
            for node in nodes {
                let Node::Element(e) = node else { continue };
                if e.tag == "include" {
                    if let Some(src) = e.attr("src").and_then(|a| a.value.as_ref()) {
                        found.push(src.raw.trim().to_string());
                    }
                } else {
                    stack.push(&e.children);
                }
            }
        }
        for src in found {
            let Some(path) = self.resolve(&cx.path, &src) else { continue };
            if path == cx.path
                || cx.include_chain.contains(&path)
                || cx.include_chain.len() >= MAX_INCLUDE_DEPTH
            {
                continue;
            }
            let mut chain = cx.include_chain.clone();
            chain.push(cx.path.clone());
            self.compile_with_chain(&path, chain);
        }
    }

    /// Resolves an `<import>` / `<include>` `src`: relative to the file, or from the package
    /// root with a leading `/`; `.wxml` may be left off.
    fn resolve(&self, from: &str, src: &str) -> Option<String> {
        let joined = match src.strip_prefix('/') {
            Some(abs) => join("", abs)?,
            None => join(parent(from), src)?,
        };
        if self.files.contains(&joined) {
            return Some(joined);
        }
        let with_ext = format!("{joined}.wxml");
        self.files.contains(&with_ext).then_some(with_ext)
    }

    fn nodes(&mut self, nodes: &[Node], cx: &mut FileCx<'_>, out: &mut Vec<IrNode>, top: bool) {
        // The wx:if chain being built, by index into `out`.
        let mut chain_open = false;
        for node in nodes {
            match node {
                Node::Text(t) => {
                    if t.raw.trim().is_empty() {
                        continue;
                    }
                    chain_open = false;
                    let escape = Some(if cx.in_text { '\n' } else { ' ' });
                    if let Some(binding) = self.binding(cx, &t.raw, t.span, false, escape) {
                        let mut deps = Deps::default();
                        binding.read_paths(&mut deps);
                        out.push(IrNode { kind: IrKind::Text(binding), sub: deps.clone(), deps });
                    }
                }
                Node::Element(e) if e.attr("wx:for").is_some() || e.attr("wx:for-items").is_some() => {
                    // wx:for comes first: a wx:if beside it is tested for each item.
                    chain_open = false;
                    self.element(e, cx, out, top);
                }
                Node::Element(e) => {
                    let elif = e.attr("wx:elif");
                    let else_ = e.attr("wx:else");
                    if let Some(attr) = elif.or(else_) {
                        if chain_open && let Some(IrNode { kind: IrKind::If(branches), .. }) = out.last_mut()
                        {
                            let cond = elif.map(|a| self.condition(cx, a));
                            let mut body = Vec::new();
                            cx.depth += 1;
                            self.element(e, cx, &mut body, top);
                            cx.depth -= 1;
                            branches.push((cond, body));
                            chain_open = elif.is_some();
                            let last = out.last_mut().expect("checked above");
                            recompute_if_deps(last);
                            continue;
                        }
                        self.report(
                            cx,
                            Level::Warning,
                            attr.name_span,
                            format!("{} without a wx:if before it; it is treated as wx:if", attr.name),
                        );
                    }
                    let cond = e.attr("wx:if").or(elif).map(|a| self.condition(cx, a));
                    let is_else_only = cond.is_none() && else_.is_some();
                    if cond.is_some() || is_else_only {
                        let mut body = Vec::new();
                        cx.depth += 1;
                        self.element(e, cx, &mut body, top);
                        cx.depth -= 1;
                        let mut node = IrNode {
                            kind: IrKind::If(vec![(cond, body)]),
                            deps: Deps::default(),
                            sub: Deps::default(),
                        };
                        recompute_if_deps(&mut node);
                        out.push(node);
                        chain_open = !is_else_only;
                    } else {
                        chain_open = false;
                        self.element(e, cx, out, top);
                    }
                }
            }
        }
    }

    /// Compiles an element (its `wx:if` already taken care of) into `out`: `wx:for` wraps it.
    fn element(&mut self, e: &Element, cx: &mut FileCx<'_>, out: &mut Vec<IrNode>, top: bool) {
        let for_attr = e.attr("wx:for").or_else(|| e.attr("wx:for-items"));
        let Some(for_attr) = for_attr else {
            self.bare_element(e, cx, out, top);
            return;
        };
        let Some(list) = self.attr_binding(cx, for_attr, false) else { return };
        let name_of = |attr: Option<&Attr>, default: &str| {
            attr.and_then(|a| a.value.as_ref())
                .map(|v| v.raw.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        let item = name_of(e.attr("wx:for-item"), "item");
        let index = name_of(e.attr("wx:for-index"), "index");
        let key = match e.attr("wx:key").and_then(|a| a.value.as_ref()) {
            None => Key::None,
            Some(v) => {
                let raw = v.raw.trim();
                if raw == "*this" {
                    Key::This
                } else if let Some(inner) = raw.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) {
                    // The platform takes a property name here; `{{item.id}}` is a common slip.
                    let prop = inner.trim().strip_prefix(&format!("{item}.")).map(str::to_string);
                    self.report(
                        cx,
                        Level::Warning,
                        v.span,
                        "wx:key takes a property name (`id`) or `*this`, not an expression",
                    );
                    prop.map_or(Key::None, Key::Prop)
                } else if raw.is_empty() {
                    Key::None
                } else {
                    Key::Prop(raw.to_string())
                }
            }
        };
        let mut body = Vec::new();
        cx.depth += 1;
        match e.attr("wx:if") {
            Some(cond_attr) => {
                let cond = self.condition(cx, cond_attr);
                let mut inner = Vec::new();
                cx.depth += 1;
                self.bare_element(e, cx, &mut inner, top);
                cx.depth -= 1;
                let mut node = IrNode {
                    kind: IrKind::If(vec![(Some(cond), inner)]),
                    deps: Deps::default(),
                    sub: Deps::default(),
                };
                recompute_if_deps(&mut node);
                body.push(node);
            }
            None => self.bare_element(e, cx, &mut body, top),
        }
        cx.depth -= 1;
        let list_path = match &list {
            Binding::Expr(expr) => expr.static_path(),
            _ => None,
        };
        let mut deps = Deps::default();
        list.read_paths(&mut deps);
        let mut sub = deps.clone();
        for node in &body {
            for path in &node.sub.0 {
                if path.first().is_some_and(|root| *root != item && *root != index) {
                    sub.add(path.clone());
                }
            }
        }
        let for_ir = ForIr { list, list_path, item, index, key, body };
        out.push(IrNode { kind: IrKind::For(Box::new(for_ir)), deps, sub });
    }

    /// An element without its `wx:if` / `wx:for`.
    fn bare_element(&mut self, e: &Element, cx: &mut FileCx<'_>, out: &mut Vec<IrNode>, top: bool) {
        if cx.depth >= MAX_IR_DEPTH && !matches!(e.tag.as_str(), "import" | "wxs") {
            self.report(
                cx,
                Level::Error,
                e.tag_span,
                format!(
                    "elements nest more than {MAX_IR_DEPTH} levels deep (wx:if, wx:for, blocks, includes and templates counted)"
                ),
            );
            return;
        }
        match e.tag.as_str() {
            "import" => {
                if let Some(id) = self.import_or_include(e, cx, "import") {
                    let file = &mut self.program.files[cx.id];
                    if !file.imports.contains(&id) {
                        file.imports.push(id);
                    }
                }
            }
            "include" => {
                let Some(id) = self.import_or_include(e, cx, "include") else { return };
                let span = e.attr("src").and_then(|a| a.value.as_ref()).map_or(e.tag_span, |v| v.span);
                let (size, depth) = self.sizes[id];
                if cx.depth + 1 + depth > MAX_IR_DEPTH {
                    self.report(
                        cx,
                        Level::Error,
                        span,
                        format!(
                            "the included file makes elements nest more than {MAX_IR_DEPTH} levels deep here"
                        ),
                    );
                    return;
                }
                if cx.inlined + size > MAX_INCLUDE_NODES {
                    self.report(
                        cx,
                        Level::Error,
                        span,
                        format!("include expansion exceeds {MAX_INCLUDE_NODES} nodes"),
                    );
                    return;
                }
                if self.inlined + size > MAX_PROGRAM_INCLUDE_NODES {
                    self.report(
                        cx,
                        Level::Error,
                        span,
                        format!("include expansion exceeds {MAX_PROGRAM_INCLUDE_NODES} nodes in all files"),
                    );
                    return;
                }
                cx.inlined += size;
                self.inlined += size;
                let file = &mut self.program.files[cx.id];
                if !file.includes.contains(&id) {
                    file.includes.push(id);
                }
                let base = cx.depth + 1;
                let copies = self.body_sites[id].iter().map(|site| Site {
                    depth: site.depth + base,
                    at: (cx.id, span),
                    copied: true,
                    ..site.clone()
                });
                cx.sites.extend(copies);
                let body = Arc::clone(&self.program.files[id].body);
                out.push(fragment(body));
            }
            "wxs" => self.wxs(e, cx),
            "template" if e.attr("name").is_some() => self.template_def(e, cx, top),
            "template" => self.template_call(e, cx, out),
            "block" => {
                let mut children = Vec::new();
                cx.depth += 1;
                self.nodes(&e.children, cx, &mut children, false);
                cx.depth -= 1;
                out.push(fragment(Arc::new(children)));
            }
            _ => {
                let mut attrs = Vec::new();
                let mut listeners = Vec::new();
                for attr in &e.attrs {
                    self.attribute(attr, cx, &mut attrs, &mut listeners);
                }
                let mut children = Vec::new();
                cx.depth += 1;
                let inside = cx.in_text || e.tag == "text";
                let in_text = std::mem::replace(&mut cx.in_text, inside);
                self.nodes(&e.children, cx, &mut children, false);
                cx.in_text = in_text;
                cx.depth -= 1;
                let mut deps = Deps::default();
                for a in &attrs {
                    a.value.read_paths(&mut deps);
                }
                for l in &listeners {
                    l.handler.read_paths(&mut deps);
                }
                let mut sub = deps.clone();
                for c in &children {
                    sub.extend(&c.sub);
                }
                let element = ElementIr { tag: Arc::from(e.tag.as_str()), attrs, listeners, children };
                out.push(IrNode { kind: IrKind::Element(element), deps, sub });
            }
        }
    }

    fn attribute(
        &mut self,
        attr: &Attr,
        cx: &mut FileCx<'_>,
        attrs: &mut Vec<AttrIr>,
        listeners: &mut Vec<ListenerIr>,
    ) {
        let name = attr.name.as_str();
        if let Some(directive) = name.strip_prefix("wx:") {
            const KNOWN: &[&str] =
                &["if", "elif", "else", "for", "for-items", "for-item", "for-index", "key"];
            if !KNOWN.contains(&directive) {
                self.report(
                    cx,
                    Level::Warning,
                    attr.name_span,
                    format!("unknown directive `{name}`; it is ignored"),
                );
            }
            return;
        }
        if let Some((event, capture, catch, mutated)) = event_of(name) {
            if event.is_empty() {
                self.report(cx, Level::Warning, attr.name_span, format!("`{name}` names no event"));
                return;
            }
            let Some(handler) = self.attr_binding(cx, attr, false) else { return };
            listeners.push(ListenerIr { event: event.to_string(), handler, capture, catch, mutated });
            return;
        }
        let Some(value) = self.attr_binding(cx, attr, false) else { return };
        if let Some(prop) = name.strip_prefix("model:") {
            // Two-way binding: the property gets the value, and the view learns which data
            // path an edit writes back to.
            let path = match &value {
                Binding::Expr(e) => e.static_path().map(|p| p.join(".")),
                _ => None,
            };
            match path {
                Some(path) => {
                    attrs.push(AttrIr { name: Arc::from(name), value: Binding::Static(Value::String(path)) })
                }
                None => self.report(
                    cx,
                    Level::Error,
                    attr.value.as_ref().map_or(attr.name_span, |v| v.span),
                    format!("`{name}` must bind a data path, such as \"{{{{value}}}}\""),
                ),
            }
            Self::push_attr(attrs, AttrIr { name: Arc::from(prop), value });
            return;
        }
        Self::push_attr(attrs, AttrIr { name: Arc::from(name), value });
    }

    /// An element has each attribute once: given again, the later one is used, as the parser
    /// warned (a view rebuilt from patches could not keep two in the page's order).
    fn push_attr(attrs: &mut Vec<AttrIr>, ir: AttrIr) {
        match attrs.iter_mut().find(|a| a.name == ir.name) {
            Some(earlier) => *earlier = ir,
            None => attrs.push(ir),
        }
    }

    fn condition(&mut self, cx: &mut FileCx<'_>, attr: &Attr) -> Expr {
        match self.attr_binding(cx, attr, false) {
            Some(Binding::Expr(e)) => e,
            Some(Binding::Static(v)) => match v {
                Value::String(s) => Expr::Str(s),
                Value::Bool(b) => Expr::Bool(b),
                _ => Expr::Bool(true),
            },
            Some(Binding::Mixed(parts)) => {
                // Text around a mustache makes a non-empty string: always true, as on the
                // platform.
                let text: String =
                    parts.iter().map(|p| if let Part::Text(t) = p { t.as_str() } else { "x" }).collect();
                Expr::Str(text)
            }
            None => Expr::Bool(false),
        }
    }

    /// An attribute's value as a binding; a bare attribute is `true`.
    fn attr_binding(&mut self, cx: &mut FileCx<'_>, attr: &Attr, object_body: bool) -> Option<Binding> {
        match &attr.value {
            None => Some(Binding::Static(Value::Bool(true))),
            Some(v) => self.binding(cx, &v.raw, v.span, object_body, None),
        }
    }

    /// Splits text into literal parts and mustaches, parsing each mustache. An invalid
    /// expression is an error, as the platform's compiler makes it. In content, `newline` is
    /// what a `\n` escape written in the literal parts becomes.
    fn binding(
        &mut self,
        cx: &mut FileCx<'_>,
        raw: &str,
        span: Span,
        object_body: bool,
        newline: Option<char>,
    ) -> Option<Binding> {
        let mut parts = Vec::new();
        let mut i = 0;
        let mut ok = true;
        while i < raw.len() {
            let Some(open) = raw[i..].find("{{").map(|o| i + o) else {
                self.literal(cx, &raw[i..], span.start + i, newline, &mut parts);
                break;
            };
            if open > i {
                self.literal(cx, &raw[i..open], span.start + i, newline, &mut parts);
            }
            let Some(end) = parse::mustache_end(raw, open) else {
                self.report(
                    cx,
                    Level::Error,
                    Span::new(span.start + open, span.start + open + 2),
                    "`{{` is not closed: expected `}}`",
                );
                return None;
            };
            let inner = &raw[open + 2..end - 2];
            let inner_start = span.start + open + 2;
            let parsed = if object_body { expr::parse_object_body(inner) } else { expr::parse(inner) };
            match parsed {
                Ok(e) => {
                    self.check_calls(cx, &e, Span::new(inner_start, inner_start + inner.len()));
                    parts.push(Part::Expr(e));
                }
                Err(err) => {
                    ok = false;
                    let at = Span::new(inner_start + err.start, inner_start + err.end.max(err.start + 1));
                    self.report(cx, Level::Error, at, format!("invalid expression: {}", err.message));
                }
            }
            i = end;
        }
        if !ok {
            return None;
        }
        Some(match parts.len() {
            0 => Binding::Static(Value::String(String::new())),
            1 => match parts.pop().expect("one part") {
                Part::Text(t) => Binding::Static(Value::String(t)),
                Part::Expr(e) => Binding::Expr(e),
            },
            _ => Binding::Mixed(parts),
        })
    }

    fn literal(
        &mut self,
        cx: &mut FileCx<'_>,
        text: &str,
        at: usize,
        newline: Option<char>,
        parts: &mut Vec<Part>,
    ) {
        if let Some(stray) = text.find("}}") {
            self.report(
                cx,
                Level::Warning,
                Span::new(at + stray, at + stray + 2),
                "stray `}}` without `{{`; it is kept as text",
            );
        }
        let escaped = match newline {
            Some(newline) if text.contains("\\n") => {
                Cow::Owned(text.replace("\\n", newline.encode_utf8(&mut [0; 4])))
            }
            _ => Cow::Borrowed(text),
        };
        let decoded = decode(&escaped).into_owned();
        match parts.last_mut() {
            Some(Part::Text(prev)) => prev.push_str(&decoded),
            _ => parts.push(Part::Text(decoded)),
        }
    }

    /// Only functions of this file's `<wxs>` modules can be called.
    fn check_calls(&mut self, cx: &FileCx<'_>, e: &Expr, span: Span) {
        let mut modules = Vec::new();
        e.call_modules(&mut modules);
        for module in modules {
            match module {
                Some(m) if cx.modules.iter().any(|n| n == m) => {}
                Some(m) => self.report(
                    cx,
                    Level::Warning,
                    span,
                    format!("`{m}` is not a <wxs> module of this file; the call gives undefined"),
                ),
                None => self.report(
                    cx,
                    Level::Warning,
                    span,
                    "only functions of <wxs> modules can be called in WXML; the call gives undefined",
                ),
            }
        }
    }

    fn import_or_include(&mut self, e: &Element, cx: &mut FileCx<'_>, what: &str) -> Option<FileId> {
        let Some(src) = e.attr("src").and_then(|a| a.value.as_ref()) else {
            self.report(cx, Level::Error, e.tag_span, format!("<{what}> needs a `src`"));
            return None;
        };
        let Some(path) = self.resolve(&cx.path, src.raw.trim()) else {
            // The platform's tools run the app: only this page misses what it named.
            let message = format!("<{what}> cannot find `{}`", src.raw.trim());
            let d = cx.diag(Level::Error, src.span, message.clone());
            self.program
                .page_errors
                .entry(cx.path.clone())
                .or_default()
                .push(format!("{}: {message}", d.position()));
            let before = self.diags.0.len();
            self.report(cx, Level::Error, src.span, message);
            if self.diags.0.len() > before
                && let Some(last) = self.diags.0.last_mut()
            {
                last.page_only = true;
            }
            return None;
        };
        if what == "import" {
            return self.import(&path);
        }
        if path == cx.path || cx.include_chain.contains(&path) {
            let mut chain = cx.include_chain.clone();
            chain.push(cx.path.clone());
            chain.push(path.clone());
            self.report(cx, Level::Error, src.span, format!("include cycle: {}", chain.join(" → ")));
            return None;
        }
        if cx.include_chain.len() >= MAX_INCLUDE_DEPTH {
            self.report(
                cx,
                Level::Error,
                src.span,
                format!("includes nest more than {MAX_INCLUDE_DEPTH} deep"),
            );
            return None;
        }
        if let Some(&id) = self.program.by_path.get(&path) {
            if self.in_progress.contains(&id) {
                self.report(cx, Level::Error, src.span, format!("include cycle through `{path}`"));
                return None;
            }
            return Some(id);
        }
        let mut chain = cx.include_chain.clone();
        chain.push(cx.path.clone());
        self.compile_with_chain(&path, chain)
    }

    fn wxs(&mut self, e: &Element, cx: &mut FileCx<'_>) {
        let Some(module) = e.attr("module").and_then(|a| a.value.as_ref()).map(|v| v.raw.trim().to_string())
        else {
            self.report(cx, Level::Error, e.tag_span, "<wxs> needs a `module` name");
            return;
        };
        let src = match e.attr("src").and_then(|a| a.value.as_ref()) {
            Some(v) => {
                let raw = v.raw.trim();
                let resolved = match raw.strip_prefix('/') {
                    Some(abs) => join("", abs),
                    None => join(parent(&cx.path), raw),
                };
                match resolved.filter(|p| self.files.contains(p)) {
                    Some(p) => Some(p),
                    None => {
                        self.report(cx, Level::Error, v.span, format!("<wxs> cannot find `{raw}`"));
                        return;
                    }
                }
            }
            None => None,
        };
        let inline = e.children.iter().find_map(|c| match c {
            Node::Text(t) => Some(t.raw.clone()),
            Node::Element(_) => None,
        });
        let file = &mut self.program.files[cx.id];
        if file.wxs.iter().any(|m| m.name == module) {
            self.report(cx, Level::Error, e.tag_span, format!("<wxs> module `{module}` is declared twice"));
            return;
        }
        file.wxs.push(WxsModule { name: module, src, inline });
    }

    fn template_def(&mut self, e: &Element, cx: &mut FileCx<'_>, top: bool) {
        let name_attr = e.attr("name").expect("checked by the caller");
        let name = name_attr.value.as_ref().map(|v| v.raw.trim().to_string()).unwrap_or_default();
        if name.is_empty() {
            self.report(cx, Level::Error, name_attr.name_span, "<template name> needs a name");
            return;
        }
        if !top {
            self.report(
                cx,
                Level::Warning,
                e.tag_span,
                format!(
                    "template `{name}` is defined inside another element; define templates at the top level"
                ),
            );
        }
        let mut body = Vec::new();
        // A template's body is counted from its own root; its calls apart from the file's.
        let outer_depth = std::mem::replace(&mut cx.depth, 0);
        let outer_sites = std::mem::take(&mut cx.sites);
        self.nodes(&e.children, cx, &mut body, false);
        cx.depth = outer_depth;
        let sites = std::mem::replace(&mut cx.sites, outer_sites);
        self.template_sites.insert((cx.id, name.clone()), sites);
        if self.program.files[cx.id].templates.iter().any(|t| t.name == name) {
            self.report(
                cx,
                Level::Warning,
                name_attr.name_span,
                format!("template `{name}` is defined twice; the last one wins"),
            );
        }
        let file = &mut self.program.files[cx.id];
        file.templates.retain(|t| t.name != name);
        file.templates.push(TemplateDef { name, body });
    }

    fn template_call(&mut self, e: &Element, cx: &mut FileCx<'_>, out: &mut Vec<IrNode>) {
        let Some(is_attr) = e.attr("is") else {
            self.report(cx, Level::Error, e.tag_span, "<template> needs `name` (to define) or `is` (to use)");
            return;
        };
        let Some(is) = self.attr_binding(cx, is_attr, false) else { return };
        let span = is_attr.value.as_ref().map_or(is_attr.name_span, |v| v.span);
        let name = match &is {
            Binding::Static(Value::String(name)) => Some(name.clone()),
            _ => None,
        };
        cx.sites.push(Site { file: cx.id, is: name, depth: cx.depth + 1, at: (cx.id, span), copied: false });
        let data = match e.attr("data") {
            None => None,
            Some(attr) => match self.attr_binding(cx, attr, true) {
                Some(Binding::Expr(e)) => Some(e),
                Some(_) => {
                    let span = attr.value.as_ref().map_or(attr.name_span, |v| v.span);
                    self.report(cx,
                        Level::Error,
                        span,
                        "template `data` must be one mustache holding an object body, such as \"{{a, b: 1}}\"",
                    );
                    None
                }
                None => None,
            },
        };
        let mut deps = Deps::default();
        is.read_paths(&mut deps);
        if let Some(d) = &data {
            let mut paths = Vec::new();
            d.read_paths(&mut paths);
            for p in paths {
                deps.add(p);
            }
        }
        let call = TemplateCallIr { is, data, file: cx.id };
        out.push(IrNode { kind: IrKind::Template(Box::new(call)), sub: deps.clone(), deps });
    }

    /// Once every file is compiled: each static `<template is>` names a template, and no call
    /// expands beyond [`MAX_TEMPLATE_NODES`] or [`MAX_IR_DEPTH`]. Expansion is computed the
    /// way the renderer expands, level by level up to its template depth, from the IR sizes
    /// alone: nothing is expanded here.
    fn check_template_calls(&mut self) {
        let program = &self.program;
        let mut index: HashMap<(FileId, &str), usize> = HashMap::new();
        let mut own: Vec<(u64, u64)> = Vec::new();
        let mut def_sites: Vec<&[Site]> = Vec::new();
        for (f, file) in program.files.iter().enumerate() {
            for t in &file.templates {
                index.insert((f, t.name.as_str()), own.len());
                own.push((count_nodes(&t.body) as u64, ir_depth(&t.body) as u64));
                def_sites.push(self.template_sites.get(&(f, t.name.clone())).map_or(&[], Vec::as_slice));
            }
        }
        // The template `name` as seen from `file` (as `Program::find_template`).
        let resolve = |file: FileId, name: &str| -> Option<usize> {
            index.get(&(file, name)).copied().or_else(|| {
                program.files.get(file)?.imports.iter().rev().find_map(|&i| index.get(&(i, name)).copied())
            })
        };
        // What a data-driven `is` in `file` may name: its templates and its imports'.
        let visible: Vec<Vec<usize>> = program
            .files
            .iter()
            .enumerate()
            .map(|(f, file)| {
                std::iter::once(f)
                    .chain(file.imports.iter().copied())
                    .flat_map(|g| {
                        let index = &index;
                        program.files[g]
                            .templates
                            .iter()
                            .filter_map(move |t| index.get(&(g, t.name.as_str())))
                    })
                    .copied()
                    .collect()
            })
            .collect();
        enum Callee {
            One(usize),
            Any(FileId),
            Nothing,
        }
        let callee = |site: &Site| match &site.is {
            Some(name) => resolve(site.file, name).map_or(Callee::Nothing, Callee::One),
            None => Callee::Any(site.file),
        };
        let calls: Vec<Vec<(Callee, u64)>> = def_sites
            .iter()
            .map(|sites| sites.iter().map(|s| (callee(s), s.depth as u64)).collect())
            .collect();
        let size_cap = MAX_TEMPLATE_NODES as u64 + 1;
        let depth_cap = MAX_IR_DEPTH as u64 + 1;
        // (size, depth) of each template rendered with `level` levels of calls allowed.
        let mut expanded = vec![(0u64, 0u64); own.len()];
        let mut any = vec![(0u64, 0u64); program.files.len()];
        for _level in 0..crate::render::MAX_TEMPLATE_DEPTH {
            let of = |c: &Callee, expanded: &[(u64, u64)], any: &[(u64, u64)]| match c {
                Callee::One(t) => expanded[*t],
                Callee::Any(f) => any[*f],
                Callee::Nothing => (0, 0),
            };
            let next: Vec<(u64, u64)> = (0..own.len())
                .map(|t| {
                    let (mut size, mut depth) = own[t];
                    for (c, at) in &calls[t] {
                        let (s, d) = of(c, &expanded, &any);
                        size = size.saturating_add(s).min(size_cap);
                        depth = depth.max(at + d).min(depth_cap);
                    }
                    (size, depth)
                })
                .collect();
            expanded = next;
            any = visible
                .iter()
                .map(|v| v.iter().fold((0, 0), |(s, d), &t| (s.max(expanded[t].0), d.max(expanded[t].1))))
                .collect();
        }
        let mut problems: Vec<(FileId, Span, Level, String)> = Vec::new();
        // Static names that name nothing, wherever they are written.
        for sites in self.body_sites.iter().chain(self.template_sites.values()) {
            for site in sites.iter().filter(|s| !s.copied) {
                if let Some(name) = &site.is
                    && resolve(site.file, name).is_none()
                {
                    let message = format!("template `{name}` is not defined here or in an imported file");
                    problems.push((site.at.0, site.at.1, Level::Warning, message));
                }
            }
        }
        let mut depths = Vec::with_capacity(program.files.len());
        for (f, sites) in self.body_sites.iter().enumerate() {
            let mut worst = self.sizes[f].1 as u64;
            for site in sites {
                let c = callee(site);
                let (size, depth) = match c {
                    Callee::One(t) => expanded[t],
                    Callee::Any(f) => any[f],
                    Callee::Nothing => (0, 0),
                };
                let what = match &site.is {
                    Some(name) => format!("template `{name}`"),
                    None => "a template named by data here".to_string(),
                };
                if !site.copied && size > MAX_TEMPLATE_NODES as u64 {
                    let message = format!(
                        "{what} expands to more than {MAX_TEMPLATE_NODES} nodes (template calls counted {} levels deep)",
                        crate::render::MAX_TEMPLATE_DEPTH
                    );
                    problems.push((site.at.0, site.at.1, Level::Error, message));
                }
                let total = site.depth as u64 + depth;
                if total > MAX_IR_DEPTH as u64 {
                    let message =
                        format!("{what} makes elements nest more than {MAX_IR_DEPTH} levels deep here");
                    problems.push((site.at.0, site.at.1, Level::Error, message));
                }
                worst = worst.max(total);
            }
            depths.push(worst as usize);
        }
        for (file, depth) in self.program.files.iter_mut().zip(depths) {
            file.depth = depth;
        }
        let mut shown: HashMap<FileId, usize> = HashMap::new();
        for (file, span, level, message) in problems {
            let count = shown.entry(file).or_default();
            if *count >= MAX_PROBLEMS {
                continue;
            }
            *count += 1;
            let path = &self.program.files[file].path;
            let d = match level {
                Level::Error => Diagnostic::error(path, message),
                Level::Warning => Diagnostic::warning(path, message),
            };
            let text = self.files.get(path).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("");
            self.diags.push(d.at(text, span));
        }
    }
}

/// IR nodes in `body`, all levels.
fn count_nodes(body: &[IrNode]) -> usize {
    let mut count = 0;
    let mut stack = vec![body];
    while let Some(nodes) = stack.pop() {
        count += nodes.len();
        for n in nodes {
            push_children(n, &mut stack);
        }
    }
    count
}

/// How deep `body` nests (an empty body is 0, a leaf 1).
fn ir_depth(body: &[IrNode]) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(body, 1)];
    let mut children = Vec::new();
    while let Some((nodes, depth)) = stack.pop() {
        if !nodes.is_empty() {
            deepest = deepest.max(depth);
        }
        for n in nodes {
            push_children(n, &mut children);
            stack.extend(children.drain(..).map(|c| (c, depth + 1)));
        }
    }
    deepest
}

fn push_children<'a>(node: &'a IrNode, out: &mut Vec<&'a [IrNode]>) {
    match &node.kind {
        IrKind::Element(e) => out.push(&e.children),
        IrKind::If(branches) => out.extend(branches.iter().map(|(_, body)| body.as_slice())),
        IrKind::For(f) => out.push(&f.body),
        IrKind::Fragment(children) => out.push(children),
        IrKind::Text(_) | IrKind::Template(_) => {}
    }
}

fn fragment(children: Arc<Vec<IrNode>>) -> IrNode {
    let mut sub = Deps::default();
    for c in children.iter() {
        sub.extend(&c.sub);
    }
    IrNode { kind: IrKind::Fragment(children), deps: Deps::default(), sub }
}

fn recompute_if_deps(node: &mut IrNode) {
    let IrKind::If(branches) = &node.kind else { return };
    let mut deps = Deps::default();
    let mut sub = Deps::default();
    for (cond, body) in branches {
        if let Some(c) = cond {
            let mut paths = Vec::new();
            c.read_paths(&mut paths);
            for p in paths {
                deps.add(p);
            }
        }
        for n in body {
            sub.extend(&n.sub);
        }
    }
    sub.extend(&deps);
    node.deps = deps;
    node.sub = sub;
}

fn collect_modules(nodes: &[Node], out: &mut Vec<String>) {
    for node in nodes {
        if let Node::Element(e) = node {
            if e.tag == "wxs" {
                if let Some(v) = e.attr("module").and_then(|a| a.value.as_ref()) {
                    out.push(v.raw.trim().to_string());
                }
            } else {
                collect_modules(&e.children, out);
            }
        }
    }
}

/// `bindtap` → `("tap", capture, catch, mutated)`.
///
/// ```
/// use capsule_template::compile::event_of;
/// assert_eq!(event_of("bindtap"), Some(("tap", false, false, false)));
/// assert_eq!(event_of("catch:touchstart"), Some(("touchstart", false, true, false)));
/// assert_eq!(event_of("capture-catch:tap"), Some(("tap", true, true, false)));
/// assert_eq!(event_of("mut-bind:tap"), Some(("tap", false, false, true)));
/// assert_eq!(event_of("class"), None);
/// ```
pub fn event_of(name: &str) -> Option<(&str, bool, bool, bool)> {
    for (prefix, capture, catch, mutated) in [
        ("capture-bind:", true, false, false),
        ("capture-catch:", true, true, false),
        ("mut-bind:", false, false, true),
        ("bind:", false, false, false),
        ("catch:", false, true, false),
        ("bind", false, false, false),
        ("catch", false, true, false),
    ] {
        if let Some(event) = name.strip_prefix(prefix) {
            return Some((event, capture, catch, mutated));
        }
    }
    None
}

/// Paths of a package's WXML files, for [`compile_files`]: every `.wxml` file, as the
/// platform's compiler takes them all.
pub fn wxml_paths(files: &Files) -> Vec<&str> {
    files.paths().filter(|p| p.ends_with(".wxml")).collect()
}

/// Turns the per-file map into lookups by page route / component path.
pub fn index_by_base(program: &Program) -> HashMap<&str, FileId> {
    program.by_path.iter().filter_map(|(p, &id)| p.strip_suffix(".wxml").map(|base| (base, id))).collect()
}

/// Compiles every WXML file of a package, as the platform's compiler does (so a broken file
/// is reported even if no page uses it). W3C MiniApp pages are not compiled yet.
pub fn compile_package(package: &capsule_package::Package) -> (Program, Diagnostics) {
    match package.manifest.dialect {
        capsule_package::Dialect::WeChat => {
            let (mut program, diags) = compile_files(&package.files, wxml_paths(&package.files));
            link_components(&mut program, &package.manifest);
            (program, diags)
        }
        capsule_package::Dialect::W3c => (Program::default(), Diagnostics::default()),
    }
}

/// Fills [`Program::components`] from the manifest: each page's and component's
/// `usingComponents` over the app's. Plugin components are left out: their tags render as
/// plain elements.
pub fn link_components(program: &mut Program, manifest: &capsule_package::Manifest) {
    use capsule_package::manifest::ComponentRef;
    use std::collections::BTreeMap;
    let tags = |own: &BTreeMap<String, ComponentRef>| -> HashMap<Arc<str>, Arc<str>> {
        manifest
            .using_components
            .iter()
            .chain(own)
            .filter_map(|(tag, target)| match target {
                ComponentRef::Package(path) => Some((Arc::from(tag.as_str()), Arc::from(path.as_str()))),
                ComponentRef::Plugin(_) | ComponentRef::Missing(_) => None,
            })
            .collect()
    };
    let pages = manifest.pages.iter().map(|p| (&p.route, &p.config.using_components, true));
    let owners = pages.chain(manifest.components.iter().map(|c| (&c.path, &c.using_components, false)));
    for (base, own, is_page) in owners {
        // A component that is not there: the page that uses it hears it when it opens.
        let app_wide = manifest.using_components.iter().filter(|(tag, _)| is_page && !own.contains_key(*tag));
        for (_, target) in own.iter().chain(app_wide) {
            if let ComponentRef::Missing(path) = target {
                program
                    .page_errors
                    .entry(format!("{base}.wxml"))
                    .or_default()
                    .push(format!("Component is not found in path \"{path}\" (using by \"{base}\")"));
            }
        }
        if let Some(file) = program.file_of(base) {
            let map = tags(own);
            if !map.is_empty() {
                program.components.insert(file, map);
            }
        }
    }
}
