//! `/health` (the process is alive) and `/ready` (it can serve the catalog).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use crate::startup::AppState;
use crate::status::CatalogLoad;

pub async fn health() -> &'static str {
    "ok"
}

/// 200 when the database answers and the catalog has movies, else 503 with
/// what is missing.
pub async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let database = state.catalog.ping().await;
    let movies = if database { state.catalog.movie_count().await.ok() } else { None };
    let load = state.status.catalog_load.read().await.clone();
    let ready = database && movies.unwrap_or(0) > 0;
    let code = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "ready": ready,
        "database": database,
        "movies": movies,
        "catalog_load": load,
    });
    if matches!(load, CatalogLoad::Failed(_)) {
        tracing::warn!(%body, "not ready: the catalog load failed");
    }
    (code, Json(body))
}
