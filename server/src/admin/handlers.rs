//! The admin's HTML form posts (login, logout, trigger, cancel, re-run) and
//! the server-sent events stream of run progress. The guard has already
//! checked the session and the origin of everything but the login post.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use catalog::runs::{RunEvent, Trigger};
use futures::stream::{self, Stream, StreamExt};
use pipeline::orchestrate::{RunRequest, Selection, TriggerError};
use serde::Deserialize;

use super::{auth, origin_ok, redirect, Admin};
use app::ssr::admin::AdminSession;

#[derive(Deserialize)]
pub struct LoginData {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// `POST /admin/login`: throttled per IP, origin- and token-checked; on
/// success the anonymous session is replaced by a new signed-in one.
pub async fn login(
    State(admin): State<Admin>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginData>,
) -> Response {
    let now = Instant::now();
    let ip = peer.ip();
    if let Err(wait) = admin.throttle.check(ip, now) {
        return throttled(ip, wait);
    }
    if !origin_ok(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin sign-in refused").into_response();
    }
    let cookie_id = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(auth::session_id_from_cookies)
        .map(str::to_owned);
    let pre = cookie_id.as_deref().and_then(|id| admin.sessions.get(id, now));
    let Some(pre) = pre.filter(|s| auth::constant_time_eq(&form.csrf, &s.csrf)) else {
        return (StatusCode::FORBIDDEN, "the sign-in form expired: reload it and try again").into_response();
    };

    let hash = match &admin.password_hash {
        Some(h) => Some(h.clone()),
        None => admin.catalog.setting(catalog::db::ADMIN_PASSWORD_SETTING).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "reading the admin password failed");
            None
        }),
    };
    // Counted before the (slow) password check, under the lock of the check:
    // concurrent guesses cannot all slip in under the limit.
    if let Err(wait) = admin.throttle.begin_attempt(ip, now) {
        return throttled(ip, wait);
    }
    let user_ok = auth::constant_time_eq(form.user.trim(), &admin.user);
    let password = form.password;
    // Verify even for a wrong name, so timing does not tell names apart.
    let verified = match hash {
        Some(hash) => {
            tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash)).await.unwrap_or(false)
        }
        None => false,
    };
    let next = auth::safe_next(form.next.as_deref());
    if !(user_ok && verified) {
        // Already counted by `begin_attempt`.
        tracing::warn!(%ip, "admin sign-in failed");
        return redirect(&format!("/admin/login?failed=1&next={}", app::format::query_escape(&next)));
    }
    admin.throttle.reset(ip);
    let session = admin.sessions.login(Some(&pre.id), &admin.user, now);
    tracing::info!(%ip, user = %admin.user, "admin signed in");
    let mut resp = redirect(&next);
    if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(Some(&session.id), admin.secure(&headers))) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// 429 with `Retry-After`: the same answer whatever the password was.
fn throttled(ip: std::net::IpAddr, wait: std::time::Duration) -> Response {
    tracing::warn!(%ip, "admin login throttled");
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, "too many failed sign-ins: try again later").into_response();
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

fn csrf_ok(session: &AdminSession, token: &str) -> bool {
    auth::constant_time_eq(token, &session.csrf)
}

fn csrf_refused() -> Response {
    (StatusCode::FORBIDDEN, "missing or wrong CSRF token").into_response()
}

/// `POST /admin/logout`.
pub async fn logout(
    State(admin): State<Admin>,
    Extension(session): Extension<AdminSession>,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !csrf_ok(&session, &form.csrf) {
        return csrf_refused();
    }
    if let Some(id) =
        headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(auth::session_id_from_cookies)
    {
        admin.sessions.remove(id);
    }
    let mut resp = redirect("/admin/login");
    if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(None, admin.secure(&headers))) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

#[derive(Deserialize)]
pub struct TriggerData {
    #[serde(default)]
    csrf: String,
    asset: Option<String>,
    partition: Option<String>,
}

/// `POST /admin/runs`: everything, one asset (`asset`), or one partition
/// (`asset` + `partition`). Redirects to the run's page; when a run is
/// already going, to that one's (with `?busy=1`).
pub async fn trigger(
    State(admin): State<Admin>,
    Extension(session): Extension<AdminSession>,
    Form(form): Form<TriggerData>,
) -> Response {
    if !csrf_ok(&session, &form.csrf) {
        return csrf_refused();
    }
    let asset = form.asset.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
    let partition = form.partition.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    let selection = match asset {
        Some(a) => Selection::Assets(vec![a]),
        None => Selection::All,
    };
    start(&admin, RunRequest { trigger: Trigger::Admin, selection, partition }).await
}

async fn start(admin: &Admin, req: RunRequest) -> Response {
    match admin.orchestrator.trigger(req).await {
        Ok(handle) => redirect(&format!("/admin/runs/{}", handle.run_id)),
        Err(TriggerError::AlreadyRunning { run_id: Some(id) }) => redirect(&format!("/admin/runs/{id}?busy=1")),
        Err(e @ TriggerError::AlreadyRunning { run_id: None }) => (StatusCode::CONFLICT, e.to_string()).into_response(),
        Err(TriggerError::Invalid(msg)) => (StatusCode::BAD_REQUEST, msg).into_response(),
        Err(TriggerError::Db(e)) => {
            tracing::error!(error = %e, "starting a run failed");
            (StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable").into_response()
        }
    }
}

fn valid_run_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `POST /admin/runs/{id}/cancel`.
pub async fn cancel(
    State(admin): State<Admin>,
    Extension(session): Extension<AdminSession>,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !csrf_ok(&session, &form.csrf) {
        return csrf_refused();
    }
    if !valid_run_id(&id) {
        return (StatusCode::NOT_FOUND, "no such run").into_response();
    }
    match admin.orchestrator.cancel(&id).await {
        Ok(_) => redirect(&format!("/admin/runs/{id}")),
        Err(e) => {
            tracing::error!(error = %e, "cancelling a run failed");
            (StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable").into_response()
        }
    }
}

/// `POST /admin/runs/{id}/rerun`: what did not succeed in run `id`, only.
pub async fn rerun(
    State(admin): State<Admin>,
    Extension(session): Extension<AdminSession>,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if !csrf_ok(&session, &form.csrf) {
        return csrf_refused();
    }
    if !valid_run_id(&id) {
        return (StatusCode::NOT_FOUND, "no such run").into_response();
    }
    start(&admin, RunRequest { trigger: Trigger::Admin, selection: Selection::RerunFailed(id), partition: None }).await
}

#[derive(Deserialize)]
pub struct EventsQuery {
    run: Option<String>,
}

/// `GET /admin/events[?run=ID]`: run events as server-sent events, one JSON
/// [`RunEvent`] per message. For a run that has already finished, its end
/// is sent at once; the stream ends with the run.
pub async fn events(
    State(admin): State<Admin>,
    Query(q): Query<EventsQuery>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = admin.orchestrator.subscribe();
    let run = q.run.filter(|r| valid_run_id(r));
    let mut first = Vec::new();
    if let Some(id) = &run {
        if let Ok(Some(r)) = admin.catalog.run(id).await {
            if r.status.is_finished() {
                first.push(RunEvent::RunFinished { run_id: r.id, status: r.status, error: r.error });
            }
        }
    }
    let done_at_once = !first.is_empty();
    let live = stream::unfold((rx, run.clone(), done_at_once), |(mut rx, run, done)| async move {
        if done {
            return None;
        }
        loop {
            match rx.recv().await {
                Ok(ev) if run.as_deref().is_none_or(|r| r == ev.run_id()) => {
                    let finished = run.is_some() && matches!(ev, RunEvent::RunFinished { .. });
                    return Some((ev, (rx, run, finished)));
                }
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::debug!(n, "an events listener lagged behind");
                    continue;
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let stream = stream::iter(first)
        .chain(live)
        .map(|ev| Ok(Event::default().data(serde_json::to_string(&ev).unwrap_or_else(|_| "{}".into()))));
    Sse::new(stream).keep_alive(KeepAlive::default())
}
