//! `GET /media/{key}`: poster thumbnails straight from the object store.
//!
//! Only names of the thumbnail prefix are served, and only names that
//! [`Thumbnail::is_valid_key`] accepts (16 hex digits, `.jpg`): nothing a
//! request says can reach another key. The names are content digests, so a
//! name's bytes never change: the response may be cached for a year
//! (`immutable`), its `ETag` is the digest, and `If-None-Match` gets a 304.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use catalog::Thumbnail;
use pipeline::scrape::records::MEDIA_PREFIX;
use pipeline::store::AssetStore;

const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// The media routes as a service mounted at `/media`.
pub fn service(store: AssetStore) -> Router {
    Router::new().route("/{key}", get(serve)).with_state(store)
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response()
}

async fn serve(State(store): State<AssetStore>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    if !Thumbnail::is_valid_key(&key) {
        return not_found();
    }
    let etag = format!("\"{}\"", key.trim_end_matches(".jpg"));
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*"));
    let etag_value = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    if cached {
        // Only answer 304 for objects that exist.
        match store.head(&format!("{MEDIA_PREFIX}/{key}")).await {
            Ok(Some(_)) => {
                return (
                    StatusCode::NOT_MODIFIED,
                    [(header::ETAG, etag_value), (header::CACHE_CONTROL, HeaderValue::from_static(CACHE_FOREVER))],
                )
                    .into_response();
            }
            Ok(None) => return not_found(),
            Err(e) => {
                tracing::error!(error = %e, %key, "media lookup failed");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
    }
    match store.get_stream(&format!("{MEDIA_PREFIX}/{key}")).await {
        Ok(Some((size, stream))) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "image/jpeg")
            .header(header::CONTENT_LENGTH, size)
            .header(header::CACHE_CONTROL, CACHE_FOREVER)
            .header(header::ETAG, etag_value)
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(Body::from_stream(stream))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, %key, "media read failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
