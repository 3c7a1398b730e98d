//! The host allow-list: the scraper can only ever reach the hosts it was
//! configured for, and never an internal address by accident (or by a
//! redirect, or by a DNS answer pointing inside).
//!
//! Rules, all pure:
//! * only `http` and `https` URLs;
//! * a host name must be listed (`www.imdb.com`) or match a listed wildcard
//!   (`*.media-amazon.com` matches `m.media-amazon.com`, not `media-amazon.com`);
//! * an IP literal is refused unless that very address is listed (tests list
//!   `127.0.0.1`);
//! * a listed *name* must resolve to public addresses only ([`is_public_ip`]),
//!   except `localhost` when it is listed explicitly.

use std::net::IpAddr;

use url::{Host, Url};

/// Hosts the scraper may contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    entries: Vec<String>,
}

impl AllowList {
    /// Builds the list from entries such as `www.imdb.com`, `*.media-amazon.com`,
    /// `127.0.0.1`, `localhost`. Entries are trimmed and lower-cased; empty ones dropped.
    pub fn new<I, S>(entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let entries = entries
            .into_iter()
            .map(|e| e.as_ref().trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        Self { entries }
    }

    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// `Ok` when `url` may be fetched; else the reason.
    pub fn check(&self, url: &Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("scheme `{}` is not http(s)", url.scheme()));
        }
        match url.host() {
            None => Err("the URL has no host".into()),
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            Some(Host::Domain(name)) => {
                if self.allows_name(name) {
                    Ok(())
                } else {
                    Err(format!("host `{name}` is not on the allow-list"))
                }
            }
        }
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), String> {
        let listed = self.entries.iter().any(|e| {
            e.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|listed| listed == ip)
        });
        if listed {
            Ok(())
        } else {
            Err(format!("IP address {ip} is not explicitly allowed"))
        }
    }

    /// True when the host name is listed or matches a `*.` wildcard.
    pub fn allows_name(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.entries.iter().any(|e| match e.strip_prefix("*.") {
            Some(suffix) => name.len() > suffix.len() + 1 && name.ends_with(&format!(".{suffix}")),
            None => *e == name,
        })
    }

    /// May `name` resolve to `ip`? Public addresses always; internal ones only
    /// for an explicitly listed `localhost` (loopback) or a listed address.
    pub fn allows_resolved(&self, name: &str, ip: IpAddr) -> bool {
        if is_public_ip(ip) {
            return true;
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        (name == "localhost" && ip.is_loopback() && self.entries.iter().any(|e| e == "localhost"))
            || self.check_ip(ip).is_ok()
    }
}

/// False for loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified,
/// broadcast, documentation, multicast and IPv4-mapped internal addresses.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // CGNAT 100.64/10
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) // benchmarking
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link local fe80::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn names_must_be_listed() {
        let a = AllowList::new(["www.imdb.com", "*.media-amazon.com"]);
        assert!(a.check(&url("https://www.imdb.com/title/tt0111161/")).is_ok());
        assert!(a.check(&url("https://WWW.IMDB.COM./x")).is_ok(), "case and trailing dot");
        assert!(a.check(&url("https://m.media-amazon.com/images/x.jpg")).is_ok());
        assert!(a.check(&url("https://media-amazon.com/")).is_err(), "a wildcard needs a subdomain");
        assert!(a.check(&url("https://evilmedia-amazon.com/")).is_err());
        assert!(a.check(&url("https://imdb.com.evil.net/")).is_err());
        assert!(a.check(&url("https://metadata.google.internal/")).is_err());
        assert!(a.check(&url("ftp://www.imdb.com/")).is_err());
        assert!(a.check(&url("file:///etc/passwd")).is_err());
    }

    #[test]
    fn ip_literals_need_an_explicit_entry() {
        let a = AllowList::new(["www.imdb.com"]);
        for u in [
            "http://127.0.0.1:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
            "http://[::1]/",
            "http://2130706433/", // 127.0.0.1 as a decimal integer: the URL parser normalises it
            "http://0x7f.1/",
        ] {
            assert!(a.check(&url(u)).is_err(), "{u}");
        }
        let t = AllowList::new(["127.0.0.1"]);
        assert!(t.check(&url("http://127.0.0.1:4000/robots.txt")).is_ok());
        assert!(t.check(&url("http://127.0.0.2:4000/")).is_err());
        assert!(t.check(&url("http://localhost:4000/")).is_err(), "localhost is a name, not listed");
    }

    #[test]
    fn resolved_addresses_must_be_public() {
        let a = AllowList::new(["www.imdb.com", "localhost"]);
        assert!(a.allows_resolved("www.imdb.com", "52.94.228.167".parse().unwrap()));
        assert!(!a.allows_resolved("www.imdb.com", "127.0.0.1".parse().unwrap()), "DNS pointing inside");
        assert!(!a.allows_resolved("www.imdb.com", "192.168.1.1".parse().unwrap()));
        assert!(!a.allows_resolved("www.imdb.com", "::ffff:10.0.0.1".parse().unwrap()));
        assert!(!a.allows_resolved("www.imdb.com", "fd00::1".parse().unwrap()));
        assert!(a.allows_resolved("localhost", "127.0.0.1".parse().unwrap()), "listed localhost");
        assert!(!AllowList::new(["www.imdb.com"]).allows_resolved("localhost", "127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn public_ranges() {
        for ip in ["8.8.8.8", "52.94.228.167", "2606:4700::1111"] {
            assert!(is_public_ip(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fc00::1",
        ] {
            assert!(!is_public_ip(ip.parse().unwrap()), "{ip}");
        }
    }
}
