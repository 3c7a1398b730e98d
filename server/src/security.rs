//! Security headers on every response. Pages rendered by Leptos carry their
//! own Content-Security-Policy with the render's nonce (set in `app::shell`);
//! everything else (JSON, media, the API docs, errors) gets the same policy
//! without a nonce. Also the check that keeps form redirects on this site.

use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// For responses that did not set their own policy: the site's policy
/// without a nonce (nothing inline, nothing from elsewhere, never framed).
static DEFAULT_CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&app::ssr::security::content_security_policy(None)).expect("the policy is ASCII")
});

/// True for a path on this site, the only place a form may send the browser
/// back to (no open redirect): `/…`, never `//host`, a backslash or a control character.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.chars().any(char::is_control)
}

pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert_with(|| DEFAULT_CSP.clone());
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), interest-cohort=()");
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        for ok in ["/", "/browse?genre=Crime", "/movie/tt1"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "evil", "", "/\nSet-Cookie:x"] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }
}
