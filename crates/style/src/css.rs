//! Compiled sheets → CSS text for the web view.
//!
//! The view renders the WXML tag `view` as the element `wx-view` and each page's root as
//! `<wx-page data-route="…">`, so type selectors naming built-in components are renamed, and a
//! page's rules are confined to its root element: with every page of the stack in one document,
//! a page's `.title` must not style another page's.

use cssparser::{serialize_identifier, serialize_string};

use crate::names::is_builtin_component;
use crate::sheet::{
    Combinator, Declaration, Keyframe, PseudoArgument, Rule, Selector, Sheet, SimpleSelector,
};

/// Which elements a sheet's rules may reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'a> {
    /// The whole document, as `app.wxss` does.
    Global,
    /// Only the page with this route (`pages/index/index`): each selector is prefixed with the
    /// page's root, and a selector starting with `page` means that root itself.
    Page(&'a str),
}

impl Sheet {
    /// The sheet as CSS text for the web view, one rule per line.
    ///
    /// ```
    /// use capsule_package::{Diagnostics, Files};
    /// use capsule_style::{Scope, SheetKind, compile_file};
    ///
    /// let mut files = Files::default();
    /// files.insert("pages/home/home.wxss", b"page { margin: 10rpx }\nview.card { color: red }".to_vec());
    /// let mut diags = Diagnostics::default();
    /// let sheet = compile_file(&files, "pages/home/home.wxss", SheetKind::Page, &mut diags);
    /// assert!(diags.is_empty());
    /// assert_eq!(
    ///     sheet.to_css(Scope::Page("pages/home/home")),
    ///     "wx-page[data-route=\"pages/home/home\"] {margin: calc(10 * var(--rpx))}\n\
    ///      wx-page[data-route=\"pages/home/home\"] wx-view.card {color: red}\n"
    /// );
    /// assert_eq!(sheet.to_css(Scope::Global), "wx-page {margin: calc(10 * var(--rpx))}\nwx-view.card {color: red}\n");
    /// ```
    pub fn to_css(&self, scope: Scope<'_>) -> String {
        let root = match scope {
            Scope::Global => None,
            Scope::Page(route) => {
                let mut root = String::from("wx-page[data-route=");
                serialize_string(route, &mut root).expect("writing to a String cannot fail");
                root.push(']');
                Some(root)
            }
        };
        let mut writer = Writer { out: String::new(), root };
        writer.rules(&self.rules, 0);
        writer.out
    }
}

/// `dark` or `light` when a media condition asks only for the colour scheme (as dark-mode
/// sheets write it: `(prefers-color-scheme: dark)`, perhaps after `screen and`), which the
/// web view answers with the app's theme rather than the browser's.
fn color_scheme(condition: &str) -> Option<&'static str> {
    let words: String = condition.to_ascii_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    let feature = words.strip_prefix("only ").unwrap_or(&words);
    let feature =
        feature.strip_prefix("screen and ").or_else(|| feature.strip_prefix("all and ")).unwrap_or(feature);
    match feature.replace(' ', "").as_str() {
        "(prefers-color-scheme:dark)" => Some("dark"),
        "(prefers-color-scheme:light)" => Some("light"),
        _ => None,
    }
}

struct Writer {
    out: String,
    /// The page root every selector is confined to, under [`Scope::Page`].
    root: Option<String>,
}

impl Writer {
    fn rules(&mut self, rules: &[Rule], depth: usize) {
        for rule in rules {
            match rule {
                Rule::Style(style) => {
                    if style.declarations.is_empty() {
                        continue;
                    }
                    self.indent(depth);
                    for (i, selector) in style.selectors.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.scoped_selector(selector);
                    }
                    self.out.push(' ');
                    self.declarations(&style.declarations);
                    self.out.push('\n');
                }
                Rule::Media(group) | Rule::Supports(group) => {
                    self.indent(depth);
                    let theme =
                        matches!(rule, Rule::Media(_)).then(|| color_scheme(&group.condition)).flatten();
                    if let Some(theme) = theme {
                        // The app's theme is the simulator's, not the browser's: the view
                        // sets `--capsule-theme` on the document for the rules to query.
                        self.out.push_str("@container style(--capsule-theme: ");
                        self.out.push_str(theme);
                        self.out.push(')');
                    } else {
                        self.out.push_str(if matches!(rule, Rule::Media(_)) {
                            "@media"
                        } else {
                            "@supports"
                        });
                        if !group.condition.is_empty() {
                            self.out.push(' ');
                            self.out.push_str(&group.condition);
                        }
                    }
                    self.out.push_str(" {\n");
                    self.rules(&group.rules, depth + 1);
                    self.indent(depth);
                    self.out.push_str("}\n");
                }
                Rule::Keyframes(keyframes) => {
                    self.indent(depth);
                    self.out.push('@');
                    self.out.push_str(&keyframes.vendor_prefix);
                    self.out.push_str("keyframes ");
                    self.identifier(&keyframes.name);
                    self.out.push_str(" {\n");
                    for Keyframe { selectors, declarations } in &keyframes.keyframes {
                        self.indent(depth + 1);
                        self.out.push_str(&selectors.join(", "));
                        self.out.push(' ');
                        self.declarations(declarations);
                        self.out.push('\n');
                    }
                    self.indent(depth);
                    self.out.push_str("}\n");
                }
                Rule::FontFace(font_face) => {
                    self.indent(depth);
                    self.out.push_str("@font-face ");
                    self.declarations(&font_face.declarations);
                    self.out.push('\n');
                }
            }
        }
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    fn declarations(&mut self, declarations: &[Declaration]) {
        self.out.push('{');
        for (i, declaration) in declarations.iter().enumerate() {
            if i > 0 {
                self.out.push_str("; ");
            }
            self.identifier(&declaration.name);
            self.out.push_str(": ");
            declaration.value.write_css(&mut self.out);
            if declaration.important {
                self.out.push_str(" !important");
            }
        }
        self.out.push('}');
    }

    fn identifier(&mut self, name: &str) {
        serialize_identifier(name, &mut self.out).expect("writing to a String cannot fail");
    }

    /// A selector of a rule, confined to the page root under [`Scope::Page`].
    fn scoped_selector(&mut self, selector: &Selector) {
        let Some(root) = &self.root else {
            self.selector(selector);
            return;
        };
        let first = &selector.compounds[0];
        match first.parts.split_first() {
            Some((SimpleSelector::Type(tag), rest)) if tag == "page" => {
                self.out.push_str(root);
                for part in rest {
                    self.simple(part);
                }
                for compound in &selector.compounds[1..] {
                    self.combinator(compound.combinator.unwrap_or(Combinator::Descendant));
                    for part in &compound.parts {
                        self.simple(part);
                    }
                }
            }
            _ => {
                self.out.push_str(root);
                self.out.push(' ');
                self.selector(selector);
            }
        }
    }

    fn selector(&mut self, selector: &Selector) {
        for (i, compound) in selector.compounds.iter().enumerate() {
            match compound.combinator {
                None => {}
                // A leading combinator: only in `:has(> .x)`, relative to the element.
                Some(combinator) if i == 0 => self.out.push_str(combinator_text(combinator).trim_start()),
                Some(combinator) => self.combinator(combinator),
            }
            for part in &compound.parts {
                self.simple(part);
            }
        }
    }

    fn combinator(&mut self, combinator: Combinator) {
        self.out.push_str(combinator_text(combinator));
    }

    fn simple(&mut self, part: &SimpleSelector) {
        match part {
            SimpleSelector::Type(tag) => {
                if tag == "page" || is_builtin_component(tag) {
                    self.out.push_str("wx-");
                }
                self.identifier(tag);
            }
            SimpleSelector::Class(name) => {
                self.out.push('.');
                self.identifier(name);
            }
            SimpleSelector::Id(name) => {
                self.out.push('#');
                self.identifier(name);
            }
            SimpleSelector::Attribute { name, matcher } => {
                self.out.push('[');
                self.identifier(name);
                if let Some(matcher) = matcher {
                    self.out.push_str(matcher.operator.as_str());
                    serialize_string(&matcher.value, &mut self.out).expect("writing to a String cannot fail");
                    if matcher.case_insensitive {
                        self.out.push_str(" i");
                    }
                }
                self.out.push(']');
            }
            SimpleSelector::PseudoClass { name, argument } => {
                self.out.push(':');
                self.identifier(name);
                match argument {
                    None => {}
                    Some(PseudoArgument::Text(text)) => {
                        self.out.push('(');
                        self.out.push_str(text);
                        self.out.push(')');
                    }
                    Some(PseudoArgument::Selectors(selectors)) => {
                        self.out.push('(');
                        for (i, selector) in selectors.iter().enumerate() {
                            if i > 0 {
                                self.out.push_str(", ");
                            }
                            self.selector(selector);
                        }
                        self.out.push(')');
                    }
                }
            }
            SimpleSelector::PseudoElement { name, argument } => {
                self.out.push_str("::");
                self.identifier(name);
                if let Some(text) = argument {
                    self.out.push('(');
                    self.out.push_str(text);
                    self.out.push(')');
                }
            }
        }
    }
}

fn combinator_text(combinator: Combinator) -> &'static str {
    match combinator {
        Combinator::Descendant => " ",
        Combinator::Child => " > ",
        Combinator::NextSibling => " + ",
        Combinator::SubsequentSibling => " ~ ",
    }
}
