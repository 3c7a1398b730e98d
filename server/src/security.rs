//! Security headers on every response. Pages rendered by Leptos carry their
//! own Content-Security-Policy with the render's nonce (set in `app::shell`);
//! everything else (JSON, media, the API docs, errors) gets the same policy
//! without a nonce. Also the check that keeps form redirects on this site,
//! and the status of server functions' errors that the request caused.

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
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
    let mut res = client_errors_of_server_functions(next.run(req).await).await;
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

/// server_fn 0.8 answers every error of a server function 500, even when the
/// request was at fault: arguments that do not parse or are missing, a body
/// over the limit (`POST /api/movie_reviews` with `page=abc` was a 500, found
/// by `server/tests/http/probes.rs`). A hostile request must never be a 500:
/// those become 400 (413 for the body limit). Errors of the functions
/// themselves keep theirs (they set it through `ResponseOptions`: 503 when
/// the database is down, 400 for a value they refuse).
async fn client_errors_of_server_functions(res: Response) -> Response {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // The body is the encoded error, `Variant|message`: small.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let variant = bytes.split(|b| *b == b'|').next().unwrap_or_default();
    parts.status = match variant {
        b"Deserialization" if bytes.ends_with(b"length limit exceeded") => StatusCode::PAYLOAD_TOO_LARGE,
        b"Args" | b"MissingArg" | b"Deserialization" => StatusCode::BAD_REQUEST,
        _ => parts.status,
    };
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn server_function_errors_caused_by_the_request_are_4xx() {
        let fn_error = |body: &'static str| {
            let mut r = Response::new(Body::from(body));
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r.headers_mut().insert("serverfnerror", HeaderValue::from_static("/api/browse"));
            r
        };
        for (body, status) in [
            ("Args|invalid digit found in string", StatusCode::BAD_REQUEST),
            ("MissingArg|query", StatusCode::BAD_REQUEST),
            ("Deserialization|length limit exceeded", StatusCode::PAYLOAD_TOO_LARGE),
            ("ServerError|the catalog is not configured", StatusCode::INTERNAL_SERVER_ERROR),
        ] {
            let res = client_errors_of_server_functions(fn_error(body)).await;
            assert_eq!(res.status(), status, "{body}");
            let bytes = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
            assert_eq!(bytes, body.as_bytes(), "the error is passed on");
        }
        let mut plain = Response::new(Body::from("Args|x"));
        *plain.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        assert_eq!(client_errors_of_server_functions(plain).await.status(), 500, "only server functions' errors");
    }

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
