//! `/health` (the process is alive) and `/ready` (it can serve the catalog).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::startup::AppState;
use crate::status::CatalogLoad;

pub async fn health() -> &'static str {
    "ok"
}

/// 200 when the database answers, the catalog has movies and the search
/// index is loaded, else 503 with what is missing. Also says which sentiment
/// model is served and which saved files were found unusable at start-up.
pub async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let database = state.catalog.ping().await;
    let movies = if database { state.catalog.movie_count().await.ok() } else { None };
    let load = state.status.catalog_load.read().await.clone();
    let index_docs = state.index.current().map(|i| i.len());
    let unusable_files = state.status.unusable_files.read().await.clone();
    let ready = database && movies.unwrap_or(0) > 0 && index_docs.is_some();
    let code = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "ready": ready,
        "database": database,
        "movies": movies,
        "catalog_load": load,
        "index_docs": index_docs,
        "sentiment_model": state.sentiment.get().map(|m| m.version.clone()),
        "unusable_files": unusable_files,
    });
    if matches!(load, CatalogLoad::Failed(_)) {
        tracing::warn!(%body, "not ready: the catalog load failed");
    }
    (code, Json(body))
}
