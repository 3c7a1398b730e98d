//! A small, correct robots.txt matcher (RFC 9309): the group for our agent
//! (by product token, case-insensitive, the longest matching token wins), else
//! the `*` group; `Allow` / `Disallow` with `*` and `$` patterns; the longest
//! matching pattern decides and `Allow` wins a tie; an empty `Disallow`
//! allows everything. `Crawl-delay` is read (not in the RFC, but polite).

/// The rules that apply to one user agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Robots {
    rules: Vec<Rule>,
    /// Seconds between requests the site asks for, when it says so.
    pub crawl_delay: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    pattern: String,
}

#[derive(Default)]
struct Group {
    agents: Vec<String>,
    rules: Vec<Rule>,
    crawl_delay: Option<f64>,
}

impl Robots {
    /// Everything allowed (no robots.txt, or a 4xx for it).
    pub fn allow_all() -> Self {
        Self::default()
    }

    /// Everything disallowed (robots.txt unreachable: RFC 9309 §2.3.1.4).
    pub fn disallow_all() -> Self {
        Self { rules: vec![Rule { allow: false, pattern: "/".into() }], crawl_delay: None }
    }

    /// Parses `text` and keeps the rules for `user_agent` (its product token,
    /// e.g. `MarqueeBot` of `MarqueeBot/0.1 (+https://…)`).
    pub fn parse(text: &str, user_agent: &str) -> Self {
        let token = product_token(user_agent).to_ascii_lowercase();
        let mut groups: Vec<Group> = Vec::new();
        let mut current = Group::default();
        let mut in_rules = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default().trim();
            let Some((key, value)) = line.split_once(':') else { continue };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        groups.push(std::mem::take(&mut current));
                        in_rules = false;
                    }
                    current.agents.push(value.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    if current.agents.is_empty() {
                        continue; // rules before any user-agent line belong to nobody
                    }
                    if value.is_empty() {
                        continue; // "Disallow:" allows everything; "Allow:" says nothing
                    }
                    current.rules.push(Rule { allow: key == "allow", pattern: value.to_owned() });
                }
                "crawl-delay" => {
                    in_rules = true;
                    current.crawl_delay = value.parse::<f64>().ok().filter(|d| d.is_finite() && *d >= 0.0);
                }
                _ => {}
            }
        }
        if !current.agents.is_empty() {
            groups.push(current);
        }
        // The most specific group naming our token, else the `*` groups (merged, as the RFC says).
        let best = groups
            .iter()
            .flat_map(|g| g.agents.iter().map(move |a| (a, g)))
            .filter(|(a, _)| *a != "*" && !a.is_empty() && token.starts_with(a.as_str()))
            .map(|(a, _)| a.len())
            .max();
        let chosen: Vec<&Group> = match best {
            Some(len) => groups
                .iter()
                .filter(|g| g.agents.iter().any(|a| a.len() == len && token.starts_with(a.as_str())))
                .collect(),
            None => groups.iter().filter(|g| g.agents.iter().any(|a| a == "*")).collect(),
        };
        Self {
            rules: chosen.iter().flat_map(|g| g.rules.iter().cloned()).collect(),
            crawl_delay: chosen.iter().find_map(|g| g.crawl_delay),
        }
    }

    /// May `path` (path and query, starting with `/`) be fetched?
    pub fn allowed(&self, path: &str) -> bool {
        if path == "/robots.txt" {
            return true;
        }
        let mut best: Option<(usize, bool)> = None;
        for r in &self.rules {
            if matches(&r.pattern, path) {
                let len = r.pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, r.allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// `MarqueeBot/0.1 (+url)` → `MarqueeBot`.
pub fn product_token(user_agent: &str) -> &str {
    let end =
        user_agent.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(user_agent.len());
    &user_agent[..end]
}

/// Pattern match with `*` (any run) and a trailing `$` (end of path); else a prefix match.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if i == parts.len() - 1 && anchored {
            // The last literal must sit at the very end.
            return path.len() >= pos + part.len() && path.ends_with(part);
        } else {
            match path[pos..].find(part) {
                Some(at) => pos += at + part.len(),
                None => return false,
            }
        }
    }
    !anchored || pos == path.len() || (parts.len() > 1 && parts.last() == Some(&""))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMDB_LIKE: &str = "\
# robots.txt
User-agent: *
Disallow: /tr/
Disallow: /*/reviews/_ajax
Disallow: /search/name
Allow: /search/title/
Disallow: /search/
Crawl-delay: 2

User-agent: BadBot
Disallow: /
";

    #[test]
    fn star_group_applies_to_us() {
        let r = Robots::parse(IMDB_LIKE, "MarqueeBot/0.1 (+https://example.org)");
        assert!(r.allowed("/title/tt0111161/"));
        assert!(r.allowed("/search/title/?title_type=feature&moviemeter=1,50"));
        assert!(!r.allowed("/search/name/?x"));
        assert!(!r.allowed("/search/keyword/"));
        assert!(!r.allowed("/tr/pixel"));
        assert!(!r.allowed("/title/tt0111161/reviews/_ajax?x=1"));
        assert!(r.allowed("/title/tt0111161/reviews/"));
        assert!(r.allowed("/robots.txt"));
        assert_eq!(r.crawl_delay, Some(2.0));
    }

    #[test]
    fn our_own_group_wins_over_star() {
        let txt = "User-agent: *\nDisallow: /\n\nUser-agent: marqueebot\nDisallow: /private\n";
        let r = Robots::parse(txt, "MarqueeBot/0.1");
        assert!(r.allowed("/title/tt1/"));
        assert!(!r.allowed("/private/x"));
        let other = Robots::parse(txt, "OtherBot");
        assert!(!other.allowed("/title/tt1/"));
        assert!(Robots::parse(IMDB_LIKE, "BadBot/1.0").rules.iter().any(|r| r.pattern == "/"));
        assert!(!Robots::parse(IMDB_LIKE, "BadBot/1.0").allowed("/title/"));
    }

    #[test]
    fn longest_match_wins_and_allow_wins_ties() {
        let r = Robots::parse("User-agent: *\nDisallow: /a\nAllow: /a/b\nAllow: /c\nDisallow: /c\n", "x");
        assert!(!r.allowed("/a/x"));
        assert!(r.allowed("/a/b/c"));
        assert!(r.allowed("/c"), "allow wins a tie");
    }

    #[test]
    fn wildcards_and_anchors() {
        assert!(matches("/*.php$", "/index.php"));
        assert!(!matches("/*.php$", "/index.php?x"));
        assert!(matches("/*.php", "/index.php?x"));
        assert!(matches("/fish*", "/fish.html"));
        assert!(!matches("/fish", "/Fish"));
        assert!(matches("/", "/anything"));
        assert!(matches("/$", "/"));
        assert!(!matches("/$", "/x"));
        assert!(matches("/*/reviews/_ajax", "/title/tt1/reviews/_ajax"));
        assert!(matches("*", "/x"));
    }

    #[test]
    fn empty_and_odd_files() {
        let r = Robots::parse("", "x");
        assert!(r.allowed("/anything"));
        let r = Robots::parse("Disallow: /\n", "x");
        assert!(r.allowed("/x"), "rules without a user-agent line apply to nobody");
        let r = Robots::parse("User-agent: *\nDisallow:\n", "x");
        assert!(r.allowed("/x"), "empty disallow allows all");
        let r = Robots::parse("User-agent: a\nUser-agent: *\nDisallow: /p\n", "zzz");
        assert!(!r.allowed("/p"), "a group with several agents");
        assert!(!Robots::disallow_all().allowed("/x"));
        assert_eq!(product_token("MarqueeBot/0.1 (+x)"), "MarqueeBot");
    }
}
