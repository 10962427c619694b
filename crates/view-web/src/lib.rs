//! `capsule-view-web` is the simulator page a browser shows for `capsule run`: the phone frame,
//! the built-in components' look and behaviour, and the script that applies the host's
//! patches to the DOM and reports what the user does. All of it is embedded in the binary.
//!
//! It owns the view protocol (protocol version [`PROTOCOL`]): the browser side, and the
//! decoding of what a view sends ([`message::decode`]), which the host validates with. It must not
//! render templates or decide event propagation: the host does both and sends patches.

pub mod message;

/// The version both sides put in every message.
pub const PROTOCOL: u32 = 1;

/// An embedded asset: its content type and bytes.
pub struct Asset {
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// The assets under `/` and `/capsule/`.
///
/// ```
/// let page = capsule_view_web::asset("/").unwrap();
/// assert_eq!(page.content_type, "text/html; charset=utf-8");
/// assert!(capsule_view_web::asset("/capsule/nothing").is_none());
/// ```
pub fn asset(path: &str) -> Option<Asset> {
    let (content_type, bytes): (&str, &[u8]) = match path {
        "/" | "/index.html" => ("text/html; charset=utf-8", include_bytes!("assets/simulator.html")),
        "/capsule/view.js" => ("text/javascript; charset=utf-8", include_bytes!("assets/view.js")),
        "/capsule/view.css" => ("text/css; charset=utf-8", include_bytes!("assets/view.css")),
        "/capsule/devtools.js" => ("text/javascript; charset=utf-8", include_bytes!("assets/devtools.js")),
        // `<picker mode="region">`'s divisions; see scripts/regions.py for where they come from.
        "/capsule/regions.json" => ("application/json", include_bytes!("assets/regions.json")),
        _ => return None,
    };
    Some(Asset { content_type, bytes })
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
