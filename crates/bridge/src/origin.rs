//! Which network origins an app may reach: the host policy's list (`[network] domains`), and
//! in development `127.0.0.1` / `localhost` on any port — but never the host's own doors.
//!
//! The host's own doors are the ports this process listens on (the simulator's, later the
//! automation port and `/metrics`): a server registers each with [`refuse_port`] for as long
//! as it listens, and every check refuses this machine on those ports, whatever the policy or
//! the mode says, for every kind of call (request, download, upload, socket, `web-view`,
//! fonts) and for every redirect. The list is the process's: an app in one host cannot reach
//! the doors of another host in the same process either.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

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
/// development also on this machine; never one of the host's own doors ([`refuse_port`]).
/// The error is the reason, for the app's `errMsg`.
pub fn check(url: &str, domains: &[String], dev: bool) -> Result<(), String> {
    let origin = origin_of(url).ok_or_else(|| format!("invalid url \"{url}\""))?;
    if is_host_door(&origin) {
        return Err(format!("url not in domain list: {origin} is the host's own port"));
    }
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

/// The ports the host listens on, each with the id of the [`Door`] that registered it.
static DOORS: Mutex<Vec<(u64, u16)>> = Mutex::new(Vec::new());
static NEXT_DOOR: AtomicU64 = AtomicU64::new(0);

/// A port of the host's own, refused to every app while this value lives (drop it when the
/// server stops listening).
#[must_use = "the port is refused only while the Door lives"]
#[derive(Debug)]
pub struct Door {
    id: u64,
    port: u16,
}

impl Door {
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Door {
    fn drop(&mut self) {
        DOORS.lock().unwrap_or_else(|p| p.into_inner()).retain(|(id, _)| *id != self.id);
    }
}

/// Registers a port the host listens on (on this machine): no app reaches it while the
/// returned [`Door`] lives.
///
/// ```
/// use capsule_bridge::origin::{check, refuse_port};
/// let door = refuse_port(20_123);
/// assert_eq!(
///     check("http://127.0.0.1:20123/capsule-dev/eval", &[], true),
///     Err("url not in domain list: http://127.0.0.1:20123 is the host's own port".to_string())
/// );
/// assert!(check("http://127.0.0.1:20124/", &[], true).is_ok());
/// drop(door);
/// assert!(check("http://127.0.0.1:20123/", &[], true).is_ok());
/// ```
pub fn refuse_port(port: u16) -> Door {
    let id = NEXT_DOOR.fetch_add(1, Ordering::Relaxed);
    DOORS.lock().unwrap_or_else(|p| p.into_inner()).push((id, port));
    Door { id, port }
}

/// The ports refused now.
pub fn refused_ports() -> Vec<u16> {
    let mut ports: Vec<u16> = DOORS.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|d| d.1).collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Whether `origin` (as [`origin_of`] gives it) names this machine on one of the host's doors.
fn is_host_door(origin: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else { return false };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, p.parse::<u32>().ok()),
        _ => (authority, Some(if matches!(scheme, "https" | "wss") { 443 } else { 80 })),
    };
    let Some(port) = port.and_then(|p| u16::try_from(p).ok()) else { return false };
    let doors = DOORS.lock().unwrap_or_else(|p| p.into_inner());
    doors.iter().any(|(_, p)| *p == port) && is_this_machine(host)
}

/// Whether a URL's host may be this machine: `localhost` and its subdomains, the loopback
/// and unspecified addresses in any spelling a URL parser accepts (`127.1`, `0x7f.0.0.1`,
/// `2130706433`, `0.0.0.0`, `[::1]`, `[::ffff:127.0.0.1]`, `[::]`).
fn is_this_machine(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match v6.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => {
                ip.is_loopback()
                    || ip.is_unspecified()
                    || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback() || v4.is_unspecified())
            }
            // Not an address a client could connect to: refused with the rest on this port.
            Err(_) => true,
        };
    }
    match ipv4_of(host) {
        Some(ip) => ip.is_loopback() || ip.is_unspecified(),
        None => false,
    }
}

/// A host as the URL standard reads an IPv4 address: one to four parts, each decimal, octal
/// (leading `0`) or hexadecimal (`0x`), the last filling the remaining bytes. `None` when the
/// host is a name.
fn ipv4_of(host: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let number = |p: &str| -> Option<u64> {
        let (digits, radix) = match p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            Some(hex) => (hex, 16),
            None if p.len() > 1 && p.starts_with('0') => (&p[1..], 8),
            None => (p, 10),
        };
        if digits.is_empty() {
            return (radix == 16).then_some(0);
        }
        if digits.len() > 12 {
            return None;
        }
        u64::from_str_radix(digits, radix).ok()
    };
    let numbers: Vec<u64> = parts.iter().map(|p| number(p)).collect::<Option<_>>()?;
    let (last, first) = numbers.split_last()?;
    if first.iter().any(|n| *n > 255) || *last >= 256u64.pow(5 - numbers.len() as u32) {
        return None;
    }
    let mut value = *last;
    for (i, n) in first.iter().enumerate() {
        value += n << (8 * (3 - i));
    }
    u32::try_from(value).ok().map(std::net::Ipv4Addr::from)
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

    #[test]
    fn urls_spell_this_machine_many_ways() {
        for host in [
            "localhost",
            "LOCALHOST.",
            "app.localhost",
            "127.0.0.1",
            "127.1",
            "127.0.1",
            "0x7f.0.0.1",
            "0177.0.0.1",
            "2130706433",
            "0x7f000001",
            "127.255.255.254",
            "0.0.0.0",
            "0",
            "[::1]",
            "[0:0:0:0:0:0:0:1]",
            "[::]",
            "[::ffff:127.0.0.1]",
            "[::ffff:7f00:1]",
        ] {
            assert!(is_this_machine(&host.to_ascii_lowercase()), "{host}");
        }
        for host in
            ["example.com", "127.0.0.1.example.com", "128.0.0.1", "10.0.0.1", "[2001:db8::1]", "1.2.3.4.5"]
        {
            assert!(!is_this_machine(host), "{host}");
        }
    }

    #[test]
    fn the_hosts_own_ports_are_refused_in_every_mode() {
        let door = refuse_port(20_211);
        assert!(refused_ports().contains(&20_211));
        let listed = vec!["http://127.0.0.1:20211".to_string()];
        for url in [
            "http://127.0.0.1:20211/",
            "http://localhost:20211/capsule-dev/eval",
            "HTTP://LocalHost:020211/x",
            "ws://127.0.0.1:20211/ws",
            "http://127.1:20211/",
            "http://0.0.0.0:20211/",
            "http://[::1]:20211/",
            "http://[::ffff:127.0.0.1]:20211/",
            "http://app.localhost:20211/",
        ] {
            assert_eq!(
                check(url, &listed, true).map_err(|e| e.ends_with("is the host's own port")),
                Err(true),
                "{url}"
            );
            assert!(check(url, &listed, false).is_err(), "{url}");
            assert!(check(url, &[], false).is_err(), "{url}");
        }
        // Other ports of this machine stay allowed in development, other hosts on that port too.
        assert!(check("http://127.0.0.1:20212/", &[], true).is_ok());
        let remote = vec!["https://api.example.com:20211".to_string()];
        assert!(check("https://api.example.com:20211/", &remote, false).is_ok());
        drop(door);
        assert!(!refused_ports().contains(&20_211));
        assert!(check("http://127.0.0.1:20211/", &[], true).is_ok());
    }

    #[test]
    fn a_port_registered_twice_stays_refused_until_both_doors_close() {
        let a = refuse_port(20_311);
        let b = refuse_port(20_311);
        drop(a);
        assert!(check("http://127.0.0.1:20311/", &[], true).is_err());
        drop(b);
        assert!(check("http://127.0.0.1:20311/", &[], true).is_ok());
    }

    #[test]
    fn default_ports_are_doors_too() {
        let door = refuse_port(80);
        assert!(check("http://localhost/", &[], true).is_err());
        assert!(check("https://localhost/", &[], true).is_ok());
        drop(door);
    }
}
