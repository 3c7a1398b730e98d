//! `GET /media/{key}`: poster thumbnails straight from the object store.
//!
//! Only names of the thumbnail prefix are served, and only names that
//! [`Thumbnail::is_valid_key`] accepts (16 hex digits, `.jpg`): nothing a
//! request says can reach another key. The names are content digests, so a
//! name's bytes never change: the response may be cached for a year
//! (`immutable`), its `ETag` is the digest, and `If-None-Match` gets a 304.
//!
//! The narrower copies a page's `srcset` offers (`<hex>-w160.jpg`, …; see
//! [`Thumbnail::VARIANT_WIDTHS`]) are made from `<hex>.jpg` on their first
//! request and kept in the object store beside it, like an image CDN's
//! resizer: the same name always holds the same bytes, so they are as
//! cacheable as the thumbnail. At most [`DERIVING`] are made at once.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use catalog::Thumbnail;
use pipeline::scrape::records::MEDIA_PREFIX;
use pipeline::scrape::thumbnails::make_variant;
use pipeline::store::AssetStore;
use tokio::sync::Semaphore;

const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";
/// Variants resized at once (each a few milliseconds of one core).
const DERIVING: usize = 2;

#[derive(Clone)]
struct Media {
    store: AssetStore,
    deriving: Arc<Semaphore>,
}

/// The media routes as a service mounted at `/media`.
pub fn service(store: AssetStore) -> Router {
    let state = Media { store, deriving: Arc::new(Semaphore::new(DERIVING)) };
    Router::new().route("/{key}", get(serve)).with_state(state)
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response()
}

fn unavailable(e: &dyn std::fmt::Display, key: &str, what: &str) -> Response {
    tracing::error!(error = %e, %key, "{what}");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

fn image(etag: HeaderValue, size: u64, body: Body) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(header::CONTENT_LENGTH, size)
        .header(header::CACHE_CONTROL, CACHE_FOREVER)
        .header(header::ETAG, etag)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

async fn serve(State(media): State<Media>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    if !Thumbnail::is_valid_key(&key) {
        return not_found();
    }
    let store = &media.store;
    let object = format!("{MEDIA_PREFIX}/{key}");
    // What a variant is made from decides whether it can exist.
    let source =
        Thumbnail::variant_of(&key).map_or_else(|| object.clone(), |(hex, _)| format!("{MEDIA_PREFIX}/{hex}.jpg"));
    let etag = format!("\"{}\"", key.trim_end_matches(".jpg"));
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*"));
    let etag_value = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    if cached {
        // Only answer 304 for objects that exist (or, for a variant, can be made).
        return match store.head(&source).await {
            Ok(Some(_)) => (
                StatusCode::NOT_MODIFIED,
                [(header::ETAG, etag_value), (header::CACHE_CONTROL, HeaderValue::from_static(CACHE_FOREVER))],
            )
                .into_response(),
            Ok(None) => not_found(),
            Err(e) => unavailable(&e, &key, "media lookup failed"),
        };
    }
    match store.get_stream(&object).await {
        Ok(Some((size, stream))) => image(etag_value, size, Body::from_stream(stream)),
        Ok(None) => match Thumbnail::variant_of(&key) {
            Some((_, width)) => derive(&media, &source, &object, width, etag_value).await,
            None => not_found(),
        },
        Err(e) => unavailable(&e, &key, "media read failed"),
    }
}

/// Makes the variant `object` (`width` px wide) from the thumbnail `source`,
/// keeps it, and serves it. A failure to keep it (a full disk) still serves it.
async fn derive(media: &Media, source: &str, object: &str, width: u32, etag: HeaderValue) -> Response {
    let Ok(_permit) = media.deriving.acquire().await else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    let thumb = match media.store.get_if_exists(source).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return not_found(),
        Err(e) => return unavailable(&e, source, "media read failed"),
    };
    let bytes = match tokio::task::spawn_blocking(move || make_variant(&thumb, width)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(reason)) => {
            tracing::error!(%reason, %source, "a stored thumbnail could not be resized");
            return not_found();
        }
        Err(e) => return unavailable(&e, source, "resizing failed"),
    };
    if let Err(e) = media.store.put(object, bytes.clone()).await {
        tracing::warn!(error = %e, %object, "a thumbnail variant was served but not kept");
    }
    image(etag, bytes.len() as u64, Body::from(bytes))
}
