//! `/admin`: the guard that protects every admin route and server function,
//! the login/logout and run-control handlers, and the live events stream.
//! The pages themselves are Leptos components in `app::pages::admin`.

pub mod auth;
mod handlers;

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use catalog::db::Catalog;
use pipeline::orchestrate::Orchestrator;

use app::ssr::admin::AdminSession;
use auth::{Sessions, Throttle};

use crate::config::CookieSecure;

/// What the admin handlers share. Cheap to clone.
#[derive(Clone)]
pub struct Admin {
    pub sessions: Sessions,
    pub throttle: Throttle,
    pub orchestrator: Orchestrator,
    pub catalog: Catalog,
    pub user: String,
    /// From the configuration; else the hash stored by `marquee admin set-password`.
    pub password_hash: Option<String>,
    pub cookie_secure: CookieSecure,
}

impl Admin {
    /// True when the session cookie must carry `Secure` for this request.
    pub fn secure(&self, headers: &HeaderMap) -> bool {
        match self.cookie_secure {
            CookieSecure::Always => true,
            CookieSecure::Never => false,
            CookieSecure::Auto => behind_tls(headers),
        }
    }
}

/// True when a TLS-terminating proxy says the client used https.
pub fn behind_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').next().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
}

/// The admin's own routes (pages are Leptos routes; the guard covers both).
pub fn routes<S: Clone + Send + Sync + 'static>(admin: Admin) -> Router<S> {
    Router::new()
        .route("/admin/login", post(handlers::login))
        .route("/admin/logout", post(handlers::logout))
        .route("/admin/runs", post(handlers::trigger))
        .route("/admin/runs/{id}/cancel", post(handlers::cancel))
        .route("/admin/runs/{id}/rerun", post(handlers::rerun))
        .route("/admin/events", get(handlers::events))
        .with_state(admin)
}

fn is_login(path: &str) -> bool {
    path == "/admin/login" || path == "/api/login/form"
}

fn is_protected(path: &str) -> bool {
    !is_login(path)
        && (path == "/admin" || path.starts_with("/admin/") || path == "/api/admin" || path.starts_with("/api/admin/"))
}

/// Guards every request: admin pages, handlers and server functions need a
/// signed-in session (else 401), state-changing ones our own origin (else
/// 403); the login page gets an anonymous session for its CSRF token. The
/// session goes into the request's extensions for the handlers and pages.
pub async fn guard(State(admin): State<Admin>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !is_login(&path) && !is_protected(&path) {
        return next.run(req).await;
    }
    let now = Instant::now();
    let session = session_of(&admin, req.headers(), now);

    if is_login(&path) {
        if req.method() != Method::GET {
            // POST /admin/login checks its own token, origin and throttle.
            return next.run(req).await;
        }
        if path == "/admin/login" && session.as_ref().is_some_and(|s| s.user.is_some()) {
            return redirect("/admin");
        }
        let (session, fresh) = match session {
            Some(s) => (s, false),
            None => (admin.sessions.create_anonymous(now), true),
        };
        let secure = admin.secure(req.headers());
        req.extensions_mut().insert(AdminSession { user: session.user.clone(), csrf: session.csrf.clone() });
        let mut resp = next.run(req).await;
        if fresh {
            if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(Some(&session.id), secure)) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        no_store(&mut resp);
        return resp;
    }

    let Some(session) = session.filter(|s| s.user.is_some()) else {
        return unauthorized(&req);
    };
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        if !origin_ok(req.headers()) {
            return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
        }
        // Server functions carry the token in a header; the form handlers
        // check the form's `csrf` field themselves.
        if path.starts_with("/api/") {
            let token = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !auth::constant_time_eq(token, &session.csrf) {
                return (StatusCode::FORBIDDEN, "missing or wrong CSRF token").into_response();
            }
        }
    }
    req.extensions_mut().insert(AdminSession { user: session.user.clone(), csrf: session.csrf.clone() });
    let mut resp = next.run(req).await;
    no_store(&mut resp);
    resp
}

fn session_of(admin: &Admin, headers: &HeaderMap, now: Instant) -> Option<auth::Session> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(auth::session_id_from_cookies)
        .and_then(|id| admin.sessions.get(id, now))
}

/// `Origin` (else `Referer`) names this host.
pub(crate) fn origin_ok(headers: &HeaderMap) -> bool {
    let get = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    auth::same_origin(get(header::ORIGIN), get(header::REFERER), get(header::HOST), behind_tls(headers))
}

fn no_store(resp: &mut Response) {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

pub(crate) fn redirect(to: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// 401: JSON for APIs and scripts, a page that goes to the login form for browsers.
fn unauthorized(req: &Request) -> Response {
    let wants_html = req.method() == Method::GET
        && !req.uri().path().starts_with("/api/")
        && req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if wants_html {
        let next = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/admin");
        let login = format!("/admin/login?next={}", app::format::query_escape(&auth::safe_next(Some(next))));
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" \
             content=\"0;url={login}\"><title>Sign in</title></head><body><p>Sign in first: \
             <a href=\"{login}\">the admin login</a>.</p></body></html>"
        );
        let mut resp = (StatusCode::UNAUTHORIZED, axum::response::Html(body)).into_response();
        no_store(&mut resp);
        return resp;
    }
    let mut resp = (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({ "error": "sign in as the admin first" })))
        .into_response();
    no_store(&mut resp);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_paths_are_guarded() {
        for p in ["/admin", "/admin/", "/admin/runs", "/admin/runs/r1/cancel", "/admin/events", "/api/admin/overview"] {
            assert!(is_protected(p), "{p}");
        }
        for p in ["/", "/administrator", "/api/search", "/movie/tt1", "/admin/login", "/api/login/form", "/api/adminx"]
        {
            assert!(!is_protected(p), "{p}");
        }
    }

    #[test]
    fn tls_is_read_from_the_proxy_header() {
        let mut h = HeaderMap::new();
        assert!(!behind_tls(&h));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(behind_tls(&h));
        h.insert("x-forwarded-proto", HeaderValue::from_static("http"));
        assert!(!behind_tls(&h));
    }
}
