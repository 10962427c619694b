//! Who may talk to the simulator. The server listens on 127.0.0.1 only, but any web page the
//! developer has open can make the browser send requests there, and a DNS name rebound to
//! 127.0.0.1 makes such a page same-origin with whatever answers. So, for every route and the
//! WebSocket:
//!
//! - `Host` (and the authority of an absolute request target) must be `127.0.0.1:PORT`,
//!   `localhost:PORT` or `[::1]:PORT` of this server, else `421 Misdirected Request` — a
//!   rebound name never matches;
//! - a request that carries `Origin` must carry this server's own (`http://127.0.0.1:PORT`,
//!   `http://localhost:PORT`, `http://[::1]:PORT`), else `403`. A request without one (curl,
//!   a non-browser client) is not refused for that; browsers always send it on WebSocket
//!   upgrades and on cross-origin fetches and form posts;
//! - the developer routes (`/capsule-dev/*`) and the routes that answer prompts, settings,
//!   device sheets and move the simulated device (`/capsule-prompt/*`, `/capsule-settings/*`,
//!   `/capsule-device/*`, `/capsule-location`) also need this run's secret in
//!   [`SECRET_HEADER`], else `403`. The page at `/` carries it (`<meta name="capsule-secret">`)
//!   for its own scripts, which a page of another origin cannot read; a request it makes
//!   without `Origin` (an `<img>`, a `<script>`) carries no header either.
//!
//! Every answer carries `X-Content-Type-Options: nosniff` and `Cross-Origin-Resource-Policy:
//! same-origin` (no other page embeds what the simulator serves); package and app files are
//! served with `Content-Security-Policy: sandbox` as well (see [`sandboxed`]), so an SVG or
//! HTML file in a package cannot run script in the simulator's origin; the page refuses to be
//! framed (`frame-ancestors 'none'`), so no other page can have a person's clicks answer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Shared;

/// The header the page's scripts send the secret in.
pub const SECRET_HEADER: &str = "x-capsule-secret";

/// A fresh secret for one run: 128 bits from the operating system, as hex.
pub(crate) fn new_secret() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The names this server answers to.
fn own_hosts(port: u16) -> [String; 3] {
    [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")]
}

/// Whether `authority` (a `Host` header, a request target's) names this server.
fn is_own_host(authority: &str, port: u16) -> bool {
    let authority = authority.to_ascii_lowercase();
    if own_hosts(port).contains(&authority) {
        return true;
    }
    // A browser leaves out the scheme's default port.
    port == 80 && ["127.0.0.1", "localhost", "[::1]"].contains(&authority.as_str())
}

fn is_own_origin(origin: &[u8], port: u16) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else { return false };
    let Some(authority) = origin.strip_prefix("http://") else { return false };
    !authority.contains('/') && is_own_host(authority, port)
}

fn refuse(status: StatusCode, reason: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], reason).into_response()
}

/// Host and Origin, for every request. Every answer says `nosniff`, and that only this origin
/// may embed it (`Cross-Origin-Resource-Policy: same-origin`): a page elsewhere cannot load an
/// app's file as a script or image of its own with an `<img>` or `<script>`, which sends no
/// Origin.
pub(crate) async fn doors(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if let Err((status, reason)) = check_request(request.headers(), request.uri(), shared.port) {
        return refuse(status, reason);
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    response
}

/// The refusal (status and reason) of a request that names another host or comes from
/// another origin.
fn check_request(headers: &HeaderMap, uri: &axum::http::Uri, port: u16) -> Result<(), (StatusCode, String)> {
    let misdirected = || {
        (
            StatusCode::MISDIRECTED_REQUEST,
            format!("refused: this simulator answers only as {}\n", own_hosts(port).join(", ")),
        )
    };
    let hosts = headers.get_all(header::HOST).iter().collect::<Vec<_>>();
    match hosts.as_slice() {
        [host] if host.to_str().is_ok_and(|h| is_own_host(h, port)) => {}
        _ => return Err(misdirected()),
    }
    if let Some(authority) = uri.authority()
        && !is_own_host(authority.as_str(), port)
    {
        return Err(misdirected());
    }
    for origin in headers.get_all(header::ORIGIN) {
        if !is_own_origin(origin.as_bytes(), port) {
            return Err((
                StatusCode::FORBIDDEN,
                "refused: requests from other origins may not use the simulator\n".to_string(),
            ));
        }
    }
    Ok(())
}

/// The secret, for the routes that drive the app or answer for the person.
pub(crate) async fn secret(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let given = request.headers().get(SECRET_HEADER).map(HeaderValue::as_bytes).unwrap_or_default();
    if !same(given, shared.secret.as_bytes()) {
        return refuse(
            StatusCode::FORBIDDEN,
            "refused: this route needs the simulator page's secret (X-Capsule-Secret)\n".to_string(),
        );
    }
    next.run(request).await
}

/// Equal, in a time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Package and app files: shown by the view (images, media, fonts), never run in its origin.
pub(crate) fn sandboxed(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(host: Option<&str>, origin: Option<&str>, uri: &str) -> Option<StatusCode> {
        let mut headers = HeaderMap::new();
        if let Some(h) = host {
            headers.insert(header::HOST, h.parse().unwrap());
        }
        if let Some(o) = origin {
            headers.insert(header::ORIGIN, o.parse().unwrap());
        }
        check_request(&headers, &uri.parse().unwrap(), 4321).err().map(|r| r.0)
    }

    #[test]
    fn only_this_servers_names_and_origins_pass() {
        let misdirected = Some(StatusCode::MISDIRECTED_REQUEST);
        let forbidden = Some(StatusCode::FORBIDDEN);
        for host in ["127.0.0.1:4321", "localhost:4321", "LocalHost:4321", "[::1]:4321"] {
            assert_eq!(checked(Some(host), None, "/"), None, "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:4321",
            "127.0.0.1",
            "127.0.0.1:4322",
            "127.0.0.1:4321.evil.example",
            "127.1:4321",
            "0.0.0.0:4321",
            "localhost.:4321",
            "",
        ] {
            assert_eq!(checked(Some(host), None, "/"), misdirected, "{host}");
        }
        assert_eq!(checked(None, None, "/"), misdirected);
        assert_eq!(checked(Some("127.0.0.1:4321"), None, "http://evil.example/"), misdirected);
        assert_eq!(checked(Some("127.0.0.1:4321"), None, "http://127.0.0.1:4321/"), None);
        for origin in ["http://127.0.0.1:4321", "http://localhost:4321", "http://[::1]:4321"] {
            assert_eq!(checked(Some("127.0.0.1:4321"), Some(origin), "/ws"), None, "{origin}");
        }
        for origin in [
            "http://evil.example",
            "null",
            "",
            "https://127.0.0.1:4321",
            "http://127.0.0.1:4322",
            "http://127.0.0.1",
            "http://127.0.0.1:4321/",
            "http://127.0.0.1:4321.evil.example",
            "file://",
        ] {
            assert_eq!(checked(Some("127.0.0.1:4321"), Some(origin), "/ws"), forbidden, "{origin}");
        }
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same(b"abcd", b"abcd"));
        assert!(!same(b"abcd", b"abce"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"abcd"));
        let a = new_secret().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_secret().unwrap());
    }
}
