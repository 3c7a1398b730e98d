use ::catalog::{MovieCard, SearchFilters, SearchResults, Suggestion};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::catalog::{catalog, unavailable};

#[cfg(feature = "ssr")]
fn live_index() -> Option<std::sync::Arc<search::Index>> {
    use_context::<crate::ssr::live_index::LiveIndex>().and_then(|l| l.current())
}

/// Parses the raw filter parameters of a search URL; unusable values are dropped.
pub fn parse_filters(
    genre: Option<&str>,
    year_from: Option<&str>,
    year_to: Option<&str>,
    min_rating: Option<&str>,
) -> SearchFilters {
    let year = |s: Option<&str>| s.and_then(|y| y.trim().parse::<i32>().ok()).filter(|y| (1870..=2100).contains(y));
    SearchFilters {
        genre: genre.map(str::trim).filter(|g| !g.is_empty() && g.len() <= 40).map(str::to_owned),
        year_from: year(year_from),
        year_to: year(year_to),
        min_rating: min_rating
            .and_then(|r| r.trim().parse::<f32>().ok())
            .filter(|r| r.is_finite() && (0.0..=10.0).contains(r) && *r > 0.0),
    }
}

/// As-you-type suggestions for the header bar (empty for an empty query).
#[server(endpoint = "suggest", output = crate::api::codec::Json)]
pub async fn suggest(q: String) -> Result<Vec<Suggestion>, ServerFnError> {
    let Ok(q) = search::validate_query(&q) else { return Ok(Vec::new()) };
    let Some(index) = live_index() else { return Ok(Vec::new()) };
    let ids: Vec<String> = index.suggest(q, 8).into_iter().map(|h| h.id).collect();
    let movies = catalog()?.movies_by_ids(&ids).await.map_err(|e| unavailable("suggest", e))?;
    Ok(movies.into_iter().map(|m| Suggestion { id: m.id, title: m.title, year: m.year, rating: m.rating }).collect())
}

/// The `/search` page: results with highlights, filtered inside the engine.
#[server(endpoint = "search", output = crate::api::codec::Json)]
pub async fn search_movies(
    q: Option<String>,
    page: Option<String>,
    genre: Option<String>,
    year_from: Option<String>,
    year_to: Option<String>,
    min_rating: Option<String>,
) -> Result<SearchResults, ServerFnError> {
    use ::catalog::{SearchHit, MAX_SEARCH_RESULTS, SEARCH_PAGE_SIZE};

    let filters = parse_filters(genre.as_deref(), year_from.as_deref(), year_to.as_deref(), min_rating.as_deref());
    let query = q.unwrap_or_default();
    let page = page.and_then(|p| p.trim().parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1);
    let db = catalog()?;
    let genres = db.genres().await.map_err(|e| unavailable("genres", e))?;
    let mut results = SearchResults {
        query: query.clone(),
        hits: Vec::new(),
        page: 1,
        total_pages: 1,
        total: 0,
        filters: filters.clone(),
        genres,
        notice: None,
    };
    let q = match search::validate_query(&query) {
        Ok(q) => q,
        Err(e) => {
            results.notice = (!query.trim().is_empty()).then(|| e.to_string());
            return Ok(results);
        }
    };
    let Some(index) = live_index() else {
        results.notice = Some("Search is warming up: the index is being built. Try again in a moment.".into());
        return Ok(results);
    };
    let filter = search::Filter {
        genre: filters.genre.clone(),
        year_from: filters.year_from,
        year_to: filters.year_to,
        min_rating: filters.min_rating,
    };
    let hits = index.search(q, search::Mode::Product, &filter, MAX_SEARCH_RESULTS);
    let total = hits.len();
    let total_pages = total.div_ceil(SEARCH_PAGE_SIZE).max(1) as u32;
    let page = page.min(total_pages);
    let window: Vec<_> = hits.into_iter().skip((page as usize - 1) * SEARCH_PAGE_SIZE).take(SEARCH_PAGE_SIZE).collect();
    let ids: Vec<String> = window.iter().map(|h| h.id.clone()).collect();
    let movies = db.movies_by_ids(&ids).await.map_err(|e| unavailable("search", e))?;
    let hl = crate::ssr::highlight::Highlighter::new(q);
    let scores: std::collections::HashMap<&str, f32> = window.iter().map(|h| (h.id.as_str(), h.score)).collect();
    results.hits = movies
        .into_iter()
        .map(|m| SearchHit {
            title: hl.segments(&m.title),
            overview: m.overview.as_deref().map(|o| hl.segments(o)).unwrap_or_default(),
            genres: m.genres.clone(),
            score: scores.get(m.id.as_str()).copied().unwrap_or_default(),
            movie: MovieCard::from(m),
        })
        .collect();
    results.page = page;
    results.total_pages = total_pages;
    results.total = total as u32;
    Ok(results)
}

/// "More like this": the nearest films by cosine of their TF-IDF vectors.
#[server(endpoint = "similar", output = crate::api::codec::Json)]
pub async fn similar_movies(id: String) -> Result<Vec<MovieCard>, ServerFnError> {
    let Some(index) = live_index() else { return Ok(Vec::new()) };
    let Some(doc) = (0..index.len() as u32).find(|d| index.doc_id(*d) == id) else { return Ok(Vec::new()) };
    let ids: Vec<String> = index.more_like_this(doc, 12).into_iter().map(|h| h.id).collect();
    let movies = catalog()?.movies_by_ids(&ids).await.map_err(|e| unavailable("similar", e))?;
    Ok(movies.into_iter().map(MovieCard::from).collect())
}
