use ::catalog::{BrowsePage as BrowseData, HomeData, Movie, ReviewPage};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) fn catalog() -> Result<::catalog::db::Catalog, ServerFnError> {
    use_context::<::catalog::db::Catalog>().ok_or_else(|| ServerFnError::new("the catalog is not configured"))
}

/// A value the server function refuses, answered `status` (4xx) instead of
/// the 500 server_fn gives every error (found by `server/tests/http/probes.rs`).
#[cfg(feature = "ssr")]
fn refused(status: http::StatusCode, message: &str) -> ServerFnError {
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(status);
    }
    ServerFnError::new(message)
}

#[cfg(feature = "ssr")]
pub(crate) fn unavailable(what: &str, e: ::catalog::db::DbError) -> ServerFnError {
    tracing::error!(error = %e, "{what} failed");
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::SERVICE_UNAVAILABLE);
    }
    ServerFnError::new("The catalog is unavailable right now. Please try again in a moment.")
}

/// The home page: the billboard's film and the rows.
#[server(endpoint = "home", output = crate::api::codec::Json)]
pub async fn get_home() -> Result<HomeData, ServerFnError> {
    catalog()?.home().await.map_err(|e| unavailable("home", e))
}

/// One page of `/browse`, from the page's raw URL query string (parsed and
/// validated here, on the server: bad values are dropped, never trusted).
#[server(endpoint = "browse", output = crate::api::codec::Json)]
pub async fn get_browse_page(query: String) -> Result<BrowseData, ServerFnError> {
    if query.len() > 2048 {
        return Err(refused(http::StatusCode::BAD_REQUEST, "That filter is too long."));
    }
    let q = ::catalog::BrowseQuery::from_query_string(&query);
    catalog()?.browse(&q).await.map_err(|e| unavailable("browse", e))
}

/// The next cards of a browse query (same query string as
/// [`get_browse_page`]), as rows and the grid load more: only the cards, so
/// the home page's WASM needs no code for the filter controls' data.
#[server(endpoint = "browse_more", output = crate::api::codec::Json)]
pub async fn get_more_cards(query: String) -> Result<::catalog::CardsPage, ServerFnError> {
    get_browse_page(query).await.map(::catalog::CardsPage::from)
}

/// One movie, or `None` for an unknown id.
#[server(endpoint = "movie", output = crate::api::codec::Json)]
pub async fn get_movie(id: String) -> Result<Option<Movie>, ServerFnError> {
    catalog()?.movie(id.trim()).await.map_err(|e| unavailable("movie", e))
}

/// A page of a movie's reviews (`filter`: all, positive or negative, as the
/// model labelled them); pages past the end are clamped.
#[server(endpoint = "movie_reviews", output = crate::api::codec::Json)]
pub async fn get_movie_reviews(id: String, filter: Option<String>, page: u32) -> Result<ReviewPage, ServerFnError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 32 {
        return Err(refused(http::StatusCode::NOT_FOUND, "no such movie"));
    }
    let filter = ::catalog::ReviewFilter::from_param(filter.as_deref());
    catalog()?.movie_reviews(id, filter, page.max(1)).await.map_err(|e| unavailable("reviews", e))
}
