//! Which network origins an app may reach: the host policy's list (`[network] domains`), and
//! in development `127.0.0.1` / `localhost` on any port — but never the host's own doors.
//!
//! URLs are read with the `url` crate, the WHATWG parser the HTTP client (reqwest) reads them
//! with, so the host checked is the host fetched: a backslash, a tab, a percent-encoded or
//! full-width host, a numeric spelling of an address, each means here what it means there.
//!
//! The host's own doors are the ports this process listens on (the simulator's, later the
//! automation port and `/metrics`): a server registers each with [`refuse_port`] for as long
//! as it listens, and every check refuses this machine on those ports, whatever the policy or
//! the mode says, for every kind of call (request, download, upload, socket, `web-view`,
//! fonts) and for every redirect. The list is the process's: an app in one host cannot reach
//! the doors of another host in the same process either.

use std::net::Ipv4Addr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use url::{Host, Url};

/// An absolute `http`, `https`, `ws` or `wss` URL as the HTTP client reads it, without user
/// names or passwords (`https://good.com@evil.com/` must not pass for `good.com`, even to a
/// reader who stops at the `@`).
pub(crate) fn parse(url: &str) -> Option<Url> {
    let parsed = Url::parse(url).ok()?;
    let web = matches!(parsed.scheme(), "http" | "https" | "ws" | "wss");
    let credentials = !parsed.username().is_empty() || parsed.password().is_some();
    (web && !credentials && parsed.host().is_some()).then_some(parsed)
}

/// `scheme://host[:port]` of an absolute `http`, `https`, `ws` or `wss` URL as the HTTP client
/// reads it: lower-cased, international names in their ASCII form, addresses in their usual
/// spelling, the scheme's default port left out. `None` for anything else, and for URLs
/// carrying user names or passwords.
///
/// ```
/// use capsule_bridge::origin::origin_of;
/// assert_eq!(origin_of("HTTPS://Api.Example.com:443/a?b#c").as_deref(), Some("https://api.example.com"));
/// assert_eq!(origin_of("http://127.0.0.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
/// assert_eq!(origin_of("http://0x7f.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
/// assert_eq!(origin_of("https://Bücher.example/").as_deref(), Some("https://xn--bcher-kva.example"));
/// assert_eq!(origin_of("https://good.com@evil.com/"), None);
/// assert_eq!(origin_of("javascript:alert(1)"), None);
/// assert_eq!(origin_of("/relative/path"), None);
/// ```
pub fn origin_of(url: &str) -> Option<String> {
    parse(url).map(|u| u.origin().ascii_serialization())
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
    let parsed = parse(url).ok_or_else(|| format!("invalid url \"{url}\""))?;
    let origin = parsed.origin().ascii_serialization();
    if is_host_door(&parsed) {
        return Err(format!("url not in domain list: {origin} is the host's own port"));
    }
    if domains.iter().any(|d| origin_of(d).as_deref() == Some(origin.as_str())) {
        return Ok(());
    }
    let local = match parsed.host() {
        Some(Host::Domain(name)) => name == "localhost",
        Some(Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
        _ => false,
    };
    if dev && local {
        return Ok(());
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

/// Whether `url` names this machine on one of the host's doors.
fn is_host_door(url: &Url) -> bool {
    let (Some(host), Some(port)) = (url.host(), url.port_or_known_default()) else { return false };
    let doors = DOORS.lock().unwrap_or_else(|p| p.into_inner());
    doors.iter().any(|(_, p)| *p == port) && is_this_machine(&host)
}

/// Whether a URL's host may be this machine: `localhost` and its subdomains (with or without
/// the root's dot), the loopback and unspecified addresses, IPv4 ones inside IPv6 too. The
/// parser has already read every spelling of an address (`127.1`, `0x7f.0.0.1`,
/// `2130706433`, `%31%32%37.0.0.1`, full-width digits) into the address.
fn is_this_machine<S: AsRef<str>>(host: &Host<S>) -> bool {
    let v4 = |ip: Ipv4Addr| ip.is_loopback() || ip.is_unspecified();
    match host {
        Host::Domain(name) => {
            let name = name.as_ref().trim_end_matches('.');
            name == "localhost" || name.ends_with(".localhost")
        }
        Host::Ipv4(ip) => v4(*ip),
        // An IPv4 address inside: mapped (`::ffff:127.0.0.1`) or, deprecated but still
        // spelled, compatible (`::127.0.0.1`).
        Host::Ipv6(ip) => ip.is_loopback() || ip.is_unspecified() || ip.to_ipv4().is_some_and(v4),
    }
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
        let _default_port = default_port();
        assert!(check("http://127.0.0.1:8080/a", &[], true).is_ok());
        assert!(check("http://localhost/a", &[], true).is_ok());
        assert!(check("http://127.0.0.2/", &[], true).is_err());
        assert!(check("http://127.0.0.1.evil.com/", &[], true).is_err());
    }

    /// Tests that register a default port (80) as a door hold this, and so do those that
    /// expect this machine's default port to be reachable: doors are the process's.
    static DEFAULT_PORT: Mutex<()> = Mutex::new(());

    fn default_port() -> std::sync::MutexGuard<'static, ()> {
        DEFAULT_PORT.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn host_of(url: &str) -> Host<String> {
        parse(url).and_then(|u| u.host().map(|h| h.to_owned())).unwrap_or_else(|| panic!("{url}"))
    }

    #[test]
    fn urls_spell_this_machine_many_ways() {
        for host in [
            "localhost",
            "LOCALHOST.",
            "app.localhost",
            "localhost..",
            "127.0.0.1",
            "127.0.0.1.",
            "127.1",
            "127.0.1",
            "0x7f.0.0.1",
            "0X7F.1",
            "0177.0.0.1",
            "2130706433",
            "0x7f000001",
            "127.255.255.254",
            "0.0.0.0",
            "0",
            "%31%32%37.0.0.1",
            "%6c%6f%63%61%6c%68%6f%73%74",
            "\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}",
            "\u{ff4c}\u{ff4f}\u{ff43}\u{ff41}\u{ff4c}\u{ff48}\u{ff4f}\u{ff53}\u{ff54}",
            "localhost\u{3002}",
            "[::1]",
            "[0:0:0:0:0:0:0:1]",
            "[::]",
            "[::ffff:127.0.0.1]",
            "[::ffff:7f00:1]",
            "[::127.0.0.1]",
            "[::ffff:0.0.0.0]",
        ] {
            let url = format!("http://{host}:8080/");
            assert!(is_this_machine(&host_of(&url)), "{host}");
        }
        for host in [
            "example.com",
            "127.0.0.1.example.com",
            "128.0.0.1",
            "10.0.0.1",
            "[2001:db8::1]",
            "localhost.example.com",
            "xlocalhost",
        ] {
            let url = format!("http://{host}:8080/");
            assert!(!is_this_machine(&host_of(&url)), "{host}");
        }
        // Not a host at all: refused whatever the list says.
        for url in [
            "http://1.2.3.4.5/",
            "http://[::1/",
            "http://[127.0.0.1]/",
            "http://256.0.0.1/",
            "http://127.0.0.1:65536/",
        ] {
            assert_eq!(check(url, &[], true), Err(format!("invalid url \"{url}\"")), "{url}");
        }
    }

    /// URLs that a reader of its own could take for another host than the HTTP client does:
    /// each is checked as the client reads it.
    #[test]
    fn the_checker_reads_urls_as_the_client_does() {
        let listed = vec!["https://api.example.com".to_string()];
        let door = refuse_port(20_411);
        let allowed = |url: &str| check(url, &listed, false).is_ok();
        let refused_door =
            |url: &str| check(url, &listed, true).is_err_and(|e| e.ends_with("is the host's own port"));
        // Backslashes are slashes in web URLs: the host ends at the first one.
        assert!(allowed("https://api.example.com\\@evil.com/"));
        assert!(!allowed("https://evil.com\\@api.example.com/"));
        assert!(allowed("https:\\\\api.example.com\\x"));
        assert!(refused_door("http:\\\\127.0.0.1:20411\\"));
        assert!(refused_door("http://127.0.0.1:20411\\@example.com/"));
        // A web URL needs no slashes at all.
        assert!(allowed("https:api.example.com/x"));
        assert!(refused_door("http:127.0.0.1:20411"));
        assert!(refused_door("http:/localhost:20411/"));
        // Tabs and newlines anywhere are dropped, leading and trailing spaces trimmed.
        assert!(allowed("https://api.exa\tmple.com/"));
        assert!(allowed("  https://api.example.com/\n"));
        assert!(!allowed("https://api.example.com\t@evil.com/"));
        assert!(refused_door("http://127.0.0.1:204\n11/"));
        assert!(refused_door("http://loc\r\nalhost:20411/"));
        // A port before an `@` is a password: credentials are refused, whatever follows.
        for url in [
            "https://api.example.com:443@evil.com/",
            "https://a.com:443@b.com",
            "https://u:p@api.example.com/",
        ] {
            assert_eq!(check(url, &listed, false), Err(format!("invalid url \"{url}\"")), "{url}");
        }
        // Percent-encoded hosts are decoded.
        assert!(allowed("https://%61pi.example.com/"));
        assert!(allowed("https://api%2Eexample.com/"));
        assert!(!allowed("https://api.example.com%2Eevil.com/"));
        assert!(refused_door("http://127.0.0.%31:20411/"));
        assert!(check("https://api%00.example.com/", &listed, false).is_err());
        // International and upper-case names are compared in their ASCII form.
        assert!(allowed("https://API.EXAMPLE.COM/"));
        assert!(allowed("https://\u{ff41}\u{ff50}\u{ff49}.example.com/"));
        let international = vec!["https://b\u{fc}cher.example".to_string()];
        assert!(check("https://B\u{dc}CHER.example/x", &international, false).is_ok());
        assert!(check("https://xn--bcher-kva.example/", &international, false).is_ok());
        assert!(check("https://bucher.example/", &international, false).is_err());
        // A trailing dot is another name as far as the list goes, the same machine for doors.
        assert_eq!(
            check("https://api.example.com./", &listed, false),
            Err("url not in domain list: https://api.example.com.".to_string())
        );
        assert!(!allowed("https://api.example.com\u{3002}/"));
        assert!(refused_door("http://localhost.:20411/"));
        assert!(refused_door("http://127.0.0.1.:20411/"));
        // An empty port is the default one; leading zeros change nothing.
        assert!(allowed("https://api.example.com:/"));
        assert!(allowed("https://api.example.com:0443/"));
        assert!(refused_door("http://127.0.0.1:000020411/"));
        // Origins in messages are the client's reading.
        assert_eq!(
            check("http://0x7f.1:20411/", &listed, true),
            Err("url not in domain list: http://127.0.0.1:20411 is the host's own port".to_string())
        );
        assert_eq!(
            check("https://EVIL.com:443/", &listed, false),
            Err("url not in domain list: https://evil.com".to_string())
        );
        drop(door);
    }

    /// The checker reads each URL as reqwest will: same scheme, host and port.
    #[test]
    fn the_checked_origin_is_the_fetched_origin() {
        for url in [
            "https://api.example.com\\@evil.com/",
            "https:api.example.com/x",
            "http://0x7f.1:8080/",
            "https://%61pi.example.com/",
            "https://\u{ff41}\u{ff50}\u{ff49}.example.com/",
            "https://api.exa\tmple.com:/",
            "HTTP://[::FFFF:127.0.0.1]:80/",
        ] {
            let fetched = reqwest::Url::parse(url).unwrap();
            assert_eq!(origin_of(url), Some(fetched.origin().ascii_serialization()), "{url}");
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
        let _default_port = default_port();
        let door = refuse_port(80);
        assert!(check("http://localhost/", &[], true).is_err());
        assert!(check("http://localhost:/", &[], true).is_err());
        assert!(check("ws://[::1]/", &[], true).is_err());
        assert!(check("https://localhost/", &[], true).is_ok());
        drop(door);
        assert!(check("http://localhost:/", &[], true).is_ok());
    }
}
