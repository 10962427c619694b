//! Which network origins an app may reach: the host policy's list (`[network] domains`), and
//! in development `127.0.0.1` / `localhost` on any port.

/// `scheme://host[:port]` of an absolute `http`, `https`, `ws` or `wss` URL, lower-cased, the
/// scheme's default port left out. `None` for anything else, and for URLs carrying user
/// names or passwords (`https://good.com@evil.com/` must not pass for `good.com`).
///
/// ```
/// use capsule_bridge::origin::origin_of;
/// assert_eq!(origin_of("HTTPS://Api.Example.com:443/a?b#c").as_deref(), Some("https://api.example.com"));
/// assert_eq!(origin_of("http://127.0.0.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
/// assert_eq!(origin_of("https://good.com@evil.com/"), None);
/// assert_eq!(origin_of("javascript:alert(1)"), None);
/// assert_eq!(origin_of("/relative/path"), None);
/// ```
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" | "ws" => "80",
        "https" | "wss" => "443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (h, Some(p.trim_start_matches('0')))
        }
        _ => (authority, None),
    };
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':');
    if host.is_empty() || !host.chars().all(valid) {
        return None;
    }
    let host = host.to_ascii_lowercase();
    Some(match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{}", if p.is_empty() { "0" } else { p }),
        _ => format!("{scheme}://{host}"),
    })
}

/// `s` percent-encoded for a URL's query: everything but unreserved characters.
///
/// ```
/// assert_eq!(capsule_bridge::origin::percent_encode("a b&c/é"), "a%20b%26c%2F%C3%A9");
/// ```
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether `url` may be reached by a call of `kind` under the host's options: the shared list
/// and the kind's own.
pub fn check_kind(url: &str, kind: &str, options: &crate::Options) -> Result<(), String> {
    match options.kind_domains.get(kind) {
        Some(own) if !own.is_empty() => {
            let all: Vec<String> = options.domains.iter().chain(own).cloned().collect();
            check(url, &all, options.dev)
        }
        _ => check(url, &options.domains, options.dev),
    }
}

/// Whether `url` may be reached under `domains` (origins as the policy lists them), and in
/// development also on this machine. The error is the reason, for the app's `errMsg`.
pub fn check(url: &str, domains: &[String], dev: bool) -> Result<(), String> {
    let origin = origin_of(url).ok_or_else(|| format!("invalid url \"{url}\""))?;
    if domains.iter().any(|d| origin_of(d).as_deref() == Some(origin.as_str())) {
        return Ok(());
    }
    if dev {
        let host = origin.split_once("://").map_or("", |(_, h)| h);
        let host = host
            .rsplit_once(':')
            .map_or(host, |(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
        if host == "127.0.0.1" || host == "localhost" {
            return Ok(());
        }
    }
    Err(format!("url not in domain list: {origin}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_origins_pass() {
        let domains = vec!["https://api.example.com".to_string(), "wss://ws.example.com:8443/".to_string()];
        assert!(check("https://api.example.com/v1/x?y=1", &domains, false).is_ok());
        assert!(check("https://API.example.com:443/", &domains, false).is_ok());
        assert!(check("wss://ws.example.com:8443/chat", &domains, false).is_ok());
        for bad in [
            "http://api.example.com/",
            "https://api.example.com:8443/",
            "https://api.example.com.evil.com/",
            "https://evil.com/?https://api.example.com",
            "https://api.example.com@evil.com/",
            "https://evil.com\\@api.example.com/",
            "http://127.0.0.1:8080/",
            "ftp://api.example.com/",
        ] {
            assert!(check(bad, &domains, false).is_err(), "{bad}");
        }
        assert_eq!(
            check("https://evil.com/x", &domains, false),
            Err("url not in domain list: https://evil.com".to_string())
        );
    }

    #[test]
    fn development_allows_this_machine_only() {
        assert!(check("http://127.0.0.1:8080/a", &[], true).is_ok());
        assert!(check("http://localhost/a", &[], true).is_ok());
        assert!(check("http://127.0.0.2/", &[], true).is_err());
        assert!(check("http://127.0.0.1.evil.com/", &[], true).is_err());
    }
}
