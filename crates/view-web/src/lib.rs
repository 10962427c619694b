//! `capsule-view-web` is the simulator page a browser shows for `capsule run`: the phone frame,
//! the built-in components' look and behaviour, and the script that applies the host's
//! patches to the DOM and reports what the user does. All of it is embedded in the binary.
//!
//! It owns the view protocol ([`protocol`], version [`PROTOCOL`]): the messages both ways as
//! serde-tagged enums ([`protocol::ToView`] down, [`protocol::FromView`] up), the decoding of
//! what a view sends ([`protocol::decode`]), which the host validates with, and the browser's
//! side of it. It must not render templates or decide event propagation: the host does both
//! and sends patches.
//!
//! The browser side is plain ES modules, served as they are (no bundler): `view.js` loads
//! `view/*.js`, one module per concern (the protocol, pages, the tree and its patches, events,
//! the built-in components, pickers, sheets, queries, media, the device), and
//! `devtools.js` the developer tools beside the phone.

pub mod protocol;

pub use protocol::PROTOCOL;

/// The former name of [`protocol`].
pub use protocol as message;

/// An embedded asset: its content type and bytes.
pub struct Asset {
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// A JavaScript module under `assets/`, served at `/capsule/…`.
macro_rules! module {
    ($path:literal) => {
        (concat!("/capsule/", $path), JS, include_bytes!(concat!("assets/", $path)))
    };
}

/// Every asset: its path, content type and bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("/", HTML, include_bytes!("assets/simulator.html")),
    ("/index.html", HTML, include_bytes!("assets/simulator.html")),
    ("/capsule/view.css", "text/css; charset=utf-8", include_bytes!("assets/view.css")),
    // `<picker mode="region">`'s divisions; see scripts/regions.py for where they come from.
    ("/capsule/regions.json", "application/json", include_bytes!("assets/regions.json")),
    module!("view.js"),
    module!("view/protocol.js"),
    module!("view/pages.js"),
    module!("view/tree.js"),
    module!("view/events.js"),
    module!("view/controls.js"),
    module!("view/pickers.js"),
    module!("view/rich-text.js"),
    module!("view/animation.js"),
    module!("view/queries.js"),
    module!("view/sheets.js"),
    module!("view/capsule-button.js"),
    module!("view/media.js"),
    module!("view/device.js"),
    module!("devtools.js"),
];

/// The assets under `/` and `/capsule/`.
///
/// ```
/// let page = capsule_view_web::asset("/").unwrap();
/// assert_eq!(page.content_type, "text/html; charset=utf-8");
/// let protocol = capsule_view_web::asset("/capsule/view/protocol.js").unwrap();
/// assert_eq!(protocol.content_type, "text/javascript; charset=utf-8");
/// assert!(capsule_view_web::asset("/capsule/nothing").is_none());
/// ```
pub fn asset(path: &str) -> Option<Asset> {
    ASSETS.iter().find(|(p, _, _)| *p == path).map(|&(_, content_type, bytes)| Asset { content_type, bytes })
}

/// The content type of a package file, by its extension.
///
/// ```
/// assert_eq!(capsule_view_web::content_type("images/a.PNG"), "image/png");
/// assert_eq!(capsule_view_web::content_type("x.unknown"), "application/octet-stream");
/// ```
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "js" | "wxs" => "text/javascript; charset=utf-8",
        "css" | "wxss" => "text/css; charset=utf-8",
        "html" | "wxml" => "text/plain; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names a module imports: `(names, from)` of each `import { a, b } from './x.js';`
    /// (on one line or several), and `([], from)` of a bare `import './x.js';`.
    fn imports(text: &str) -> Vec<(Vec<&str>, &str)> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(at) =
            rest.find("\nimport ").map(|i| i + 1).or_else(|| rest.starts_with("import ").then_some(0))
        {
            let statement = &rest[at + "import ".len()..];
            let end = statement.find(';').expect("an import ends with `;`");
            let (names, from) = match statement[..end].split_once(" from ") {
                Some((names, from)) => (names.trim().trim_start_matches('{').trim_end_matches('}'), from),
                None => ("", &statement[..end]),
            };
            let names = names.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
            found.push((names, from.trim().trim_matches('\'')));
            rest = &statement[end..];
        }
        found
    }

    /// `./x.js` seen from the module at `/capsule/dir/m.js`.
    fn resolve(from_module: &str, specifier: &str) -> String {
        let mut dir: Vec<&str> = from_module.split('/').collect();
        dir.pop();
        for part in specifier.split('/') {
            match part {
                "." => {}
                ".." => {
                    dir.pop();
                }
                part => dir.push(part),
            }
        }
        dir.join("/")
    }

    #[test]
    fn every_import_is_an_embedded_module_that_exports_the_name() {
        // No bundler checks this: a browser would fail on the first missing name at load.
        let mut checked = 0;
        for &(path, content_type, bytes) in ASSETS.iter().filter(|(_, t, _)| *t == JS) {
            assert_eq!(content_type, JS);
            let text = std::str::from_utf8(bytes).unwrap();
            for (names, specifier) in imports(text) {
                let target = resolve(path, specifier);
                let module = asset(&target)
                    .unwrap_or_else(|| panic!("{path} imports {target}, which is not embedded"));
                let exported = std::str::from_utf8(module.bytes).unwrap();
                for name in names {
                    let declared = [format!("export function {name}("), format!("export var {name} ")];
                    assert!(
                        declared.iter().any(|d| exported.contains(d.as_str())),
                        "{path} imports `{name}` from {target}, which does not export it"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn the_page_loads_the_entry_modules() {
        let page = std::str::from_utf8(asset("/").unwrap().bytes).unwrap();
        for entry in ["/capsule/view.js", "/capsule/devtools.js"] {
            assert!(page.contains(&format!(r#"<script type="module" src="{entry}"></script>"#)), "{entry}");
            assert!(asset(entry).is_some(), "{entry}");
        }
    }
}
