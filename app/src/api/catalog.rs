use ::catalog::{BrowsePage as BrowseData, HomeRow, Movie, ReviewPage};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) fn catalog() -> Result<::catalog::db::Catalog, ServerFnError> {
    use_context::<::catalog::db::Catalog>().ok_or_else(|| ServerFnError::new("the catalog is not configured"))
}

#[cfg(feature = "ssr")]
pub(crate) fn unavailable(what: &str, e: ::catalog::db::DbError) -> ServerFnError {
    tracing::error!(error = %e, "{what} failed");
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::SERVICE_UNAVAILABLE);
    }
    ServerFnError::new("The catalog is unavailable right now. Please try again in a moment.")
}

/// The rows of the home page.
#[server(endpoint = "home_rows")]
pub async fn get_home_rows() -> Result<Vec<HomeRow>, ServerFnError> {
    catalog()?.home_rows().await.map_err(|e| unavailable("home rows", e))
}

/// One page of `/browse`, from raw URL parameters.
#[server(endpoint = "browse")]
pub async fn get_browse_page(
    page: Option<String>,
    sort: Option<String>,
    genre: Option<String>,
    sentiment: Option<String>,
) -> Result<BrowseData, ServerFnError> {
    let q = ::catalog::BrowseQuery::from_params(page.as_deref(), sort.as_deref(), genre.as_deref())
        .with_sentiment(sentiment.as_deref());
    catalog()?.browse(&q).await.map_err(|e| unavailable("browse", e))
}

/// One movie, or `None` for an unknown id.
#[server(endpoint = "movie")]
pub async fn get_movie(id: String) -> Result<Option<Movie>, ServerFnError> {
    catalog()?.movie(id.trim()).await.map_err(|e| unavailable("movie", e))
}

/// A page of a movie's reviews (`filter`: all, positive or negative, as the
/// model labelled them); pages past the end are clamped.
#[server(endpoint = "movie_reviews")]
pub async fn get_movie_reviews(id: String, filter: Option<String>, page: u32) -> Result<ReviewPage, ServerFnError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 32 {
        return Err(ServerFnError::new("no such movie"));
    }
    let filter = ::catalog::ReviewFilter::from_param(filter.as_deref());
    catalog()?.movie_reviews(id, filter, page.max(1)).await.map_err(|e| unavailable("reviews", e))
}
