//! The REST API: `GET /api/search`, `GET /api/movies/{id}`,
//! `POST /api/sentiment`, and its OpenAPI document at `/api/openapi.json`
//! with a readable page at `/api/docs`.

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::rate_limit::RateLimiter;
use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/search", get(search))
        .route("/api/movies/{id}", get(movie))
        .route("/api/sentiment", post(sentiment).layer(DefaultBodyLimit::max(SENTIMENT_BODY_LIMIT)))
        .route("/api/openapi.json", get(openapi))
        .route("/api/docs", get(docs))
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Parses an optional parameter, or says which one is wrong.
fn param<T: std::str::FromStr>(p: &HashMap<String, String>, name: &str) -> Result<Option<T>, String> {
    match p.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| format!("`{name}` must be a number, got `{v}`")),
    }
}

/// 429 with `Retry-After` when `client` has used its tokens.
fn throttled(limiter: &RateLimiter, client: std::net::IpAddr) -> Option<Response> {
    let wait = limiter.check(client).err()?;
    let mut r = error(StatusCode::TOO_MANY_REQUESTS, format!("too many requests: try again in {wait} s"));
    if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
        r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    Some(r)
}

async fn search(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = state.search_limiter.as_ref().and_then(|l| throttled(l, peer.ip())) {
        return r;
    }
    let started = Instant::now();
    let raw = p.get("q").map(String::as_str).unwrap_or_default();
    let q = match search::validate_query(raw) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let parsed = (|| -> Result<_, String> {
        Ok((
            param::<i64>(&p, "limit")?,
            param::<i32>(&p, "year_from")?,
            param::<i32>(&p, "year_to")?,
            param::<f32>(&p, "min_rating")?,
        ))
    })();
    let (limit, year_from, year_to, min_rating) = match parsed {
        Ok(v) => v,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let limit = limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return error(StatusCode::BAD_REQUEST, format!("`limit` must be between 1 and 100, got {limit}"));
    }
    if min_rating.is_some_and(|r| !r.is_finite() || !(0.0..=10.0).contains(&r)) {
        return error(StatusCode::BAD_REQUEST, "`min_rating` must be between 0 and 10");
    }
    let mode = match p.get("mode").map(String::as_str) {
        None | Some("product") => search::Mode::Product,
        Some("exact") => search::Mode::Exact,
        Some(other) => {
            return error(StatusCode::BAD_REQUEST, format!("`mode` must be product or exact, got `{other}`"))
        }
    };
    let Some(mut index) = state.index.current() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "the search index is being built; try again shortly");
    };
    if mode == search::Mode::Exact {
        // The served index is product-only: exact mode has its own, built on demand.
        index = match crate::indexing::exact_index(&state.catalog, &state.index, index).await {
            Ok(exact) => exact,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "search: building the exact-mode index failed");
                return error(StatusCode::SERVICE_UNAVAILABLE, "the catalog database is unavailable");
            }
        };
    }
    let filter = search::Filter {
        genre: p.get("genre").map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()),
        year_from,
        year_to,
        min_rating,
    };
    let hits = index.search(q, mode, &filter, limit as usize);
    let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
    // One query for all hits, never one per result.
    let movies = match state.catalog.movies_by_ids(&ids).await {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "search: loading movies failed");
            return error(StatusCode::SERVICE_UNAVAILABLE, "the catalog database is unavailable");
        }
    };
    let scores: HashMap<&str, f32> = hits.iter().map(|h| (h.id.as_str(), h.score)).collect();
    let hits: Vec<Hit> = movies
        .iter()
        .map(|movie| Hit { movie, score: scores.get(movie.id.as_str()).copied().unwrap_or_default() })
        .collect();
    Json(SearchResponse {
        query: q,
        mode: if mode == search::Mode::Exact { "exact" } else { "product" },
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        hits,
    })
    .into_response()
}

/// `/api/search`'s answer (serialized straight from the movies, no JSON tree in between).
#[derive(serde::Serialize)]
struct SearchResponse<'a> {
    query: &'a str,
    mode: &'static str,
    took_ms: f64,
    hits: Vec<Hit<'a>>,
}

/// A movie with its score.
#[derive(serde::Serialize)]
struct Hit<'a> {
    #[serde(flatten)]
    movie: &'a catalog::Movie,
    score: f32,
}

async fn movie(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.catalog.movie(&id).await {
        Ok(Some(m)) => Json(m).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no movie with id `{id}`")),
        Err(e) => {
            tracing::error!(error = %e, "movie lookup failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "the catalog database is unavailable")
        }
    }
}

/// Longest review text `POST /api/sentiment` reads, in characters.
pub const SENTIMENT_MAX_CHARS: usize = 20_000;
/// Largest request body it accepts (20,000 characters of escaped JSON fit).
const SENTIMENT_BODY_LIMIT: usize = 256 * 1024;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SentimentRequest {
    text: String,
}

async fn sentiment(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = throttled(&state.sentiment_limiter, peer.ip()) {
        return r;
    }
    let json_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !json_type {
        return error(StatusCode::BAD_REQUEST, "send JSON: Content-Type: application/json");
    }
    let req: SentimentRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(StatusCode::BAD_REQUEST, format!("expected {{\"text\": \"…\"}}: {e}"));
        }
    };
    let chars = req.text.chars().count();
    if req.text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "`text` is empty");
    }
    if chars > SENTIMENT_MAX_CHARS {
        return error(
            StatusCode::BAD_REQUEST,
            format!("`text` has {chars} characters; at most {SENTIMENT_MAX_CHARS} are accepted"),
        );
    }
    let Some(published) = state.sentiment.get() else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "the sentiment model is not trained yet; try again shortly");
    };
    let p = published.model.predict(&req.text);
    Json(json!({
        "label": p.label.name(),
        "confidence": (f64::from(p.confidence) * 10_000.0).round() / 10_000.0,
        "model": published.version,
    }))
    .into_response()
}

/// The OpenAPI 3.1 description of the REST API.
pub fn openapi_document() -> Value {
    let movie = json!({
        "type": "object",
        "required": ["id", "title", "genres", "stars"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"},
            "year": {"type": ["integer", "null"]}, "runtime_minutes": {"type": ["integer", "null"]},
            "certificate": {"type": ["string", "null"]}, "rating": {"type": ["number", "null"]},
            "votes": {"type": ["integer", "null"]}, "metascore": {"type": ["integer", "null"]},
            "gross_usd": {"type": ["integer", "null"]}, "language": {"type": ["string", "null"]},
            "genres": {"type": "array", "items": {"type": "string"}}, "overview": {"type": ["string", "null"]},
            "director": {"type": ["string", "null"]}, "stars": {"type": "array", "items": {"type": "string"}},
            "poster_url": {"type": ["string", "null"]},
            "user_review_count": {"type": ["integer", "null"]}, "critic_review_count": {"type": ["integer", "null"]}
        }
    });
    let err = json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}});
    let err_ref = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Marquee API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Search the Marquee movie catalog and read its movies."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search movies (TF-IDF; product mode folds accents, stems, matches prefixes and typos)",
                "parameters": [
                    {"name": "q", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 256}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
                    {"name": "genre", "in": "query", "schema": {"type": "string"}},
                    {"name": "year_from", "in": "query", "schema": {"type": "integer"}},
                    {"name": "year_to", "in": "query", "schema": {"type": "integer"}},
                    {"name": "min_rating", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 10}},
                    {"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["product", "exact"], "default": "product"}}
                ],
                "responses": {
                    "200": {"description": "Ranked hits with movie details", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["query", "mode", "took_ms", "hits"],
                        "properties": {"query": {"type": "string"}, "mode": {"type": "string"}, "took_ms": {"type": "number"},
                            "hits": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Movie"},
                                {"type": "object", "properties": {"score": {"type": "number"}}}]}}}
                    }}}},
                    "400": {"description": "Empty or too long query, bad limit or filter", "content": err_ref.clone()},
                    "503": {"description": "Index or database not available", "content": err_ref.clone()}
                }
            }},
            "/api/movies/{id}": {"get": {
                "summary": "One movie",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "The movie", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Movie"}}}},
                    "404": {"description": "No such movie", "content": err_ref.clone()},
                    "503": {"description": "Database not available", "content": err_ref.clone()}
                }
            }},
            "/api/sentiment": {"post": {
                "summary": "The review-sentiment model on a text",
                "description": "Labels a review positive or negative with the model the pipeline trained \
                    (NB-weighted logistic regression over 1-3-grams). Rate limited per client.",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["text"], "additionalProperties": false,
                    "properties": {"text": {"type": "string", "minLength": 1, "maxLength": SENTIMENT_MAX_CHARS}}
                }}}},
                "responses": {
                    "200": {"description": "The label and the model's probability for it", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["label", "confidence", "model"],
                        "properties": {
                            "label": {"type": "string", "enum": ["positive", "negative"]},
                            "confidence": {"type": "number", "minimum": 0.5, "maximum": 1},
                            "model": {"type": "string", "description": "The model's version (checksum)"}
                        }
                    }}}},
                    "400": {"description": "Not JSON, wrong fields, empty text or over 20,000 characters", "content": err_ref.clone()},
                    "413": {"description": "Body over 256 KiB", "content": err_ref.clone()},
                    "429": {"description": "Rate limited (see Retry-After)", "content": err_ref.clone()},
                    "503": {"description": "No model trained yet", "content": err_ref}
                }
            }}
        },
        "components": {"schemas": {"Movie": movie, "Error": err}}
    })
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}

/// A readable page generated from the OpenAPI document (no external assets).
async fn docs() -> Html<String> {
    let doc = openapi_document();
    let mut body = String::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                body.push_str(&format!(
                    "<section><h2><code>{} {}</code></h2><p>{}</p><ul>",
                    method.to_uppercase(),
                    escape(path),
                    escape(op["summary"].as_str().unwrap_or_default())
                ));
                for p in op["parameters"].as_array().into_iter().flatten() {
                    body.push_str(&format!(
                        "<li><code>{}</code> ({}{}) <code>{}</code></li>",
                        escape(p["name"].as_str().unwrap_or_default()),
                        escape(p["in"].as_str().unwrap_or_default()),
                        if p["required"].as_bool() == Some(true) { ", required" } else { "" },
                        escape(&p["schema"].to_string())
                    ));
                }
                body.push_str("</ul><p>Responses: ");
                for (code, r) in op["responses"].as_object().into_iter().flatten() {
                    body.push_str(&format!(
                        "<b>{code}</b> {} · ",
                        escape(r["description"].as_str().unwrap_or_default())
                    ));
                }
                body.push_str("</p></section>");
            }
        }
    }
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Marquee API</title>\
         <style>body{{font:15px system-ui;max-width:52rem;margin:2rem auto;padding:0 1rem;background:#0a0a0a;color:#e5e5e5}}\
         code{{background:#222;padding:0 .25rem;border-radius:3px}}a{{color:#f87171}}</style></head><body>\
         <h1>Marquee API</h1><p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a></p>{body}</body></html>"
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
