//! Admin authentication: the session store, login throttling, CSRF and
//! Origin checks, cookies and password hashes. Pure and unit-tested; the
//! HTTP handlers in `admin::handlers` glue them to requests.
//!
//! - Sessions live in memory (a restart logs the admin out). Ids and CSRF
//!   tokens are 32 random bytes from the OS. Logging in replaces the
//!   anonymous pre-login session with a new id (no fixation).
//! - The CSRF token is a synchronizer token kept with the session, compared
//!   in constant time, and every state-changing request must also come from
//!   our own origin (`Origin`, else `Referer`).
//! - Failed logins are counted per client IP in a sliding window (each
//!   attempt as it starts, so parallel guesses count too; a success clears
//!   the count); past the limit, logins answer 429 with `Retry-After`.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The session cookie's name.
pub const COOKIE: &str = "marquee_admin";
/// How long a signed-in session lasts without use.
pub const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);
/// How long an anonymous (login form) session lasts.
pub const PRE_SESSION_IDLE: Duration = Duration::from_secs(30 * 60);
/// Sessions kept at most (the oldest anonymous ones go first).
const MAX_SESSIONS: usize = 10_000;

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // Without OS randomness there can be no safe session: refuse to go on.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator is unavailable");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equality that takes the same time wherever the first difference is.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A session: anonymous (showing the login form) or signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub csrf: String,
    /// `Some(name)` once signed in.
    pub user: Option<String>,
    expires: Instant,
}

/// The session store. Cheap to clone.
#[derive(Clone, Default)]
pub struct Sessions(Arc<Mutex<HashMap<String, Session>>>);

impl Sessions {
    /// The live session with this id.
    pub fn get(&self, id: &str, now: Instant) -> Option<Session> {
        let mut map = self.0.lock().ok()?;
        let s = map.get_mut(id)?;
        if s.expires <= now {
            map.remove(id);
            return None;
        }
        // Sliding expiry.
        s.expires = now + if s.user.is_some() { SESSION_IDLE } else { PRE_SESSION_IDLE };
        Some(s.clone())
    }

    /// A new anonymous session (for the login form's CSRF token).
    pub fn create_anonymous(&self, now: Instant) -> Session {
        self.insert(None, now)
    }

    /// Signs `user` in: the old session (if any) is dropped and a new id is
    /// issued, so an id planted before login is worthless after it.
    pub fn login(&self, old_id: Option<&str>, user: &str, now: Instant) -> Session {
        if let (Some(old), Ok(mut map)) = (old_id, self.0.lock()) {
            map.remove(old);
        }
        self.insert(Some(user.to_owned()), now)
    }

    pub fn remove(&self, id: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(id);
        }
    }

    fn insert(&self, user: Option<String>, now: Instant) -> Session {
        let idle = if user.is_some() { SESSION_IDLE } else { PRE_SESSION_IDLE };
        let s = Session { id: random_token(), csrf: random_token(), user, expires: now + idle };
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_SESSIONS {
                map.retain(|_, s| s.expires > now);
            }
            if map.len() >= MAX_SESSIONS {
                // Still full of live ones: drop anonymous sessions, never signed-in ones.
                map.retain(|_, s| s.user.is_some());
            }
            map.insert(s.id.clone(), s.clone());
        }
        s
    }
}

/// Failed logins per IP in a sliding window.
#[derive(Clone)]
pub struct Throttle {
    inner: Arc<Mutex<HashMap<IpAddr, VecDeque<Instant>>>>,
    pub limit: usize,
    pub window: Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(5, Duration::from_secs(15 * 60))
    }
}

impl Throttle {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self { inner: Arc::default(), limit, window }
    }

    /// `Err(retry_after)` when `ip` has failed too often lately.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let Ok(mut map) = self.inner.lock() else { return Ok(()) };
        let Some(fails) = map.get_mut(&ip) else { return Ok(()) };
        self.blocked(fails, now).map_or(Ok(()), Err)
    }

    /// Counts an attempt of `ip` before its password is checked: `Err(retry_after)`
    /// when it has failed too often lately, else the attempt counts as a failure
    /// at once (a success [`Throttle::reset`]s it). Checking and counting under
    /// one lock is what keeps concurrent guesses from all passing the check
    /// before any of them is counted (20 parallel guesses all used to be verified).
    pub fn begin_attempt(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let Ok(mut map) = self.inner.lock() else { return Ok(()) };
        self.prune(&mut map, now);
        let fails = map.entry(ip).or_default();
        if let Some(wait) = self.blocked(fails, now) {
            return Err(wait);
        }
        fails.push_back(now);
        Ok(())
    }

    /// Drops failures older than the window; how long to wait when the rest reach the limit.
    fn blocked(&self, fails: &mut VecDeque<Instant>, now: Instant) -> Option<Duration> {
        while fails.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            fails.pop_front();
        }
        if fails.len() < self.limit {
            return None;
        }
        let oldest = fails.front().copied().unwrap_or(now);
        Some((oldest + self.window).saturating_duration_since(now).max(Duration::from_secs(1)))
    }

    fn prune(&self, map: &mut HashMap<IpAddr, VecDeque<Instant>>, now: Instant) {
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, f| f.back().is_some_and(|t| now.duration_since(*t) < window));
        }
    }

    pub fn reset(&self, ip: IpAddr) {
        if let Ok(mut map) = self.inner.lock() {
            map.remove(&ip);
        }
    }
}

/// True when a state-changing request comes from our own origin: `Origin`
/// (else `Referer`) must be `scheme://host` of the request. A request with
/// neither is refused: browsers send `Origin` on every POST.
pub fn same_origin(origin: Option<&str>, referer: Option<&str>, host: Option<&str>, https: bool) -> bool {
    let Some(host) = host.map(|h| h.trim().to_ascii_lowercase()) else { return false };
    let candidates =
        if https { vec![format!("https://{host}")] } else { vec![format!("http://{host}"), format!("https://{host}")] };
    let matches = |o: &str| {
        let o = o.trim().trim_end_matches('/').to_ascii_lowercase();
        candidates.contains(&o)
    };
    match (origin, referer) {
        (Some(o), _) if o != "null" => matches(o),
        (_, Some(r)) => {
            // The origin part of the referer: scheme://host[:port]
            let origin = r.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
            matches(&origin)
        }
        _ => false,
    }
}

/// The `Set-Cookie` value for a session id (or, with `None`, one that deletes it).
pub fn session_cookie(id: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match id {
        Some(id) => {
            format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", SESSION_IDLE.as_secs())
        }
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

/// The session id in a `Cookie` header, if any.
pub fn session_id_from_cookies(header: &str) -> Option<&str> {
    header.split(';').map(str::trim).find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == COOKIE && !v.is_empty() && v.len() <= 128).then_some(v)
    })
}

/// Hashes a password as an argon2id PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness for the salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks `password` against a PHC string (false when the hash is unusable).
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// Where to go after login: a local `/admin` path only (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if crate::security::is_local_path(n)
                && (n == "/admin" || n.starts_with("/admin/") || n.starts_with("/admin?"))
                && !n.starts_with("/admin/login")
                && !n.contains("//")
                && n.len() < 512 =>
        {
            n.to_owned()
        }
        _ => "/admin".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_compared_in_constant_time() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        assert!(!constant_time_eq(&a, &a[..63]));
        assert!(!constant_time_eq("", "x"));
    }

    #[test]
    fn login_rotates_the_session_id_and_csrf_token() {
        let sessions = Sessions::default();
        let now = Instant::now();
        let pre = sessions.create_anonymous(now);
        assert_eq!(pre.user, None);
        let signed = sessions.login(Some(&pre.id), "admin", now);
        assert_ne!(signed.id, pre.id, "a new id at login");
        assert_ne!(signed.csrf, pre.csrf);
        assert_eq!(sessions.get(&pre.id, now), None, "the planted id is dead");
        assert_eq!(sessions.get(&signed.id, now).and_then(|s| s.user), Some("admin".into()));
        // Expiry.
        assert_eq!(sessions.get(&signed.id, now + SESSION_IDLE + Duration::from_secs(1)), None);
        let pre = sessions.create_anonymous(now);
        sessions.remove(&pre.id);
        assert_eq!(sessions.get(&pre.id, now), None);
    }

    #[test]
    fn throttle_blocks_after_the_limit_and_says_when_to_retry() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let now = Instant::now();
        for i in 0..3 {
            assert!(t.check(ip, now).is_ok(), "attempt {i}");
            t.begin_attempt(ip, now + Duration::from_secs(i)).unwrap();
        }
        let wait = t.check(ip, now + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(t.check(other, now).is_ok(), "per IP");
        assert!(t.check(ip, now + Duration::from_secs(61)).is_ok(), "the window slides");
        t.begin_attempt(ip, now + Duration::from_secs(61)).unwrap();
        t.reset(ip);
        assert!(t.check(ip, now).is_ok());
    }

    #[test]
    fn an_attempt_is_counted_before_the_password_is_checked() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let now = Instant::now();
        // Three attempts in flight at once: none has failed yet, yet a fourth is refused.
        for i in 0..3 {
            assert!(t.begin_attempt(ip, now).is_ok(), "attempt {i}");
        }
        assert_eq!(t.begin_attempt(ip, now), Err(Duration::from_secs(60)));
        assert!(t.check(ip, now).is_err(), "the early check sees them too");
        t.reset(ip);
        assert!(t.begin_attempt(ip, now).is_ok(), "a success clears the count");
    }

    #[test]
    fn origin_checks() {
        let host = Some("127.0.0.1:3000");
        assert!(same_origin(Some("http://127.0.0.1:3000"), None, host, false));
        assert!(!same_origin(Some("http://evil.example"), None, host, false));
        assert!(!same_origin(Some("http://127.0.0.1:3000.evil.example"), None, host, false));
        assert!(!same_origin(Some("http://127.0.0.1:3000"), None, host, true), "behind TLS only https");
        assert!(same_origin(None, Some("http://127.0.0.1:3000/admin/runs?x=1"), host, false));
        assert!(!same_origin(None, Some("http://evil.example/admin"), host, false));
        assert!(!same_origin(None, None, host, false), "no origin at all is refused");
        assert!(!same_origin(Some("null"), None, host, false));
        assert!(!same_origin(Some("http://127.0.0.1:3000"), None, None, false));
    }

    #[test]
    fn cookies() {
        let c = session_cookie(Some("abc"), false);
        assert!(c.starts_with("marquee_admin=abc;"));
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(c.contains(attr), "{c}");
        }
        assert!(!c.contains("Secure"));
        assert!(session_cookie(Some("abc"), true).ends_with("; Secure"));
        assert!(session_cookie(None, false).contains("Max-Age=0"));
        assert_eq!(session_id_from_cookies("a=1; marquee_admin=xyz; b=2"), Some("xyz"));
        assert_eq!(session_id_from_cookies("marquee_admin="), None);
        assert_eq!(session_id_from_cookies("other=1"), None);
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn next_is_a_local_admin_path() {
        assert_eq!(safe_next(Some("/admin/runs?status=failed")), "/admin/runs?status=failed");
        for bad in
            ["https://evil.example", "//evil.example", "/admin//evil", "/", "/admin/login", "/adminx", "/admin\\x"]
        {
            assert_eq!(safe_next(Some(bad)), "/admin", "{bad}");
        }
        assert_eq!(safe_next(None), "/admin");
    }
}
