//! Limits every request shares: a deadline, and a cap on requests in flight
//! past which the server answers 503 at once (with `Retry-After`) instead of
//! queueing without bound. Streams (`/admin/events`) are exempt from both:
//! they are long-lived by design.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// How long one request may take before it is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests handled at once; more are shed. Far above what 2 cores serve
/// (a request takes ~0.1–10 ms), so it only bites when something hangs.
pub const MAX_IN_FLIGHT: usize = 4096;

#[derive(Clone)]
pub struct Limits {
    in_flight: Arc<Semaphore>,
    timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(MAX_IN_FLIGHT, REQUEST_TIMEOUT)
    }
}

impl Limits {
    pub fn new(max_in_flight: usize, timeout: Duration) -> Self {
        Self { in_flight: Arc::new(Semaphore::new(max_in_flight)), timeout }
    }
}

fn unavailable(message: &'static str) -> Response {
    let mut r = (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

pub async fn enforce(State(limits): State<Limits>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/admin/events") {
        return next.run(req).await;
    }
    let Ok(_permit) = limits.in_flight.clone().try_acquire_owned() else {
        tracing::warn!("shedding a request: too many in flight");
        return unavailable("The server is busy. Please try again in a moment.");
    };
    match tokio::time::timeout(limits.timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(timeout = ?limits.timeout, "a request timed out");
            unavailable("The request took too long. Please try again.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn app(limits: Limits) -> Router {
        Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    "slow"
                }),
            )
            .route("/fast", get(|| async { "fast" }))
            .layer(axum::middleware::from_fn_with_state(limits, enforce))
    }

    async fn status(app: &Router, path: &str) -> StatusCode {
        app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap().status()
    }

    #[tokio::test]
    async fn a_request_past_its_deadline_is_answered_503() {
        let app = app(Limits::new(8, Duration::from_millis(50)));
        assert_eq!(status(&app, "/slow").await, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(&app, "/fast").await, StatusCode::OK);
    }

    #[tokio::test]
    async fn requests_over_the_cap_are_shed_and_the_rest_served() {
        let app = app(Limits::new(2, Duration::from_secs(5)));
        let slow = (0..2)
            .map(|_| {
                tokio::spawn({
                    let app = app.clone();
                    async move { status(&app, "/slow").await }
                })
            })
            .collect::<Vec<_>>();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let shed = app.clone().oneshot(Request::get("/fast").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(shed.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(shed.headers()[header::RETRY_AFTER], "1");
        for s in slow {
            assert_eq!(s.await.unwrap(), StatusCode::OK);
        }
        assert_eq!(status(&app, "/fast").await, StatusCode::OK, "permits come back");
    }
}
