//! Types shared by the pipeline, the server and the browser.

use serde::{Deserialize, Serialize};

use crate::review::{SentimentFilter, SentimentScore};

/// Largest page size any listing accepts; larger requests are clamped.
pub const MAX_PAGE_SIZE: u32 = 60;

/// A movie as the detail page shows it. Fields after `critic_review_count`
/// come from the scraper (issue 4) and are empty for Kaggle-only rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Movie {
    pub id: String,
    pub title: String,
    pub year: Option<i32>,
    pub runtime_minutes: Option<i32>,
    pub certificate: Option<String>,
    pub rating: Option<f64>,
    pub votes: Option<i64>,
    pub metascore: Option<i32>,
    pub gross_usd: Option<i64>,
    pub language: Option<String>,
    pub genres: Vec<String>,
    pub overview: Option<String>,
    pub director: Option<String>,
    pub stars: Vec<String>,
    pub poster_url: Option<String>,
    pub user_review_count: Option<i64>,
    pub critic_review_count: Option<i64>,
    /// The IMDb `tt` id, when known (the `id` of a film first loaded from
    /// Kaggle stays its stable hash id).
    #[serde(default)]
    pub imdb_id: Option<String>,
    #[serde(default)]
    pub original_title: Option<String>,
    /// IMDb title type (`movie`, `tvMovie`, …).
    #[serde(default)]
    pub title_type: Option<String>,
    #[serde(default)]
    pub writers: Vec<String>,
    /// Top-billed cast in billing order (`stars` keeps the first four).
    #[serde(default)]
    pub cast: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    /// Worldwide gross in `gross_currency` (whole units); `gross_usd` when that is USD.
    #[serde(default)]
    pub gross_amount: Option<i64>,
    #[serde(default)]
    pub gross_currency: Option<String>,
    /// Production budget in `budget_currency` (whole units).
    #[serde(default)]
    pub budget_amount: Option<i64>,
    #[serde(default)]
    pub budget_currency: Option<String>,
    /// Our own thumbnail of the poster, when the scraper made one.
    #[serde(default)]
    pub thumbnail: Option<Thumbnail>,
    /// The sentiment of its labelled reviews, once the model has read them.
    #[serde(default)]
    pub sentiment: Option<SentimentScore>,
}

/// A poster thumbnail in the object store, served at [`Thumbnail::url`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// File name under the thumbnail prefix: `<16 hex digits>.jpg` (content-addressed).
    pub key: String,
    pub width: u32,
    pub height: u32,
    /// A tiny blurred version as a `data:image/jpeg;base64,…` URI, shown until the image loads.
    pub placeholder: Option<String>,
}

impl Thumbnail {
    /// Where the site serves it.
    pub fn url(&self) -> String {
        format!("/media/{}", self.key)
    }

    /// True for names the media route may serve: 16 lower-case hex digits,
    /// an optional `-blur`, and `.jpg` (nothing that could leave the prefix).
    pub fn is_valid_key(key: &str) -> bool {
        let Some(stem) = key.strip_suffix(".jpg") else { return false };
        let hex = stem.strip_suffix("-blur").unwrap_or(stem);
        hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }
}

/// The little a poster card needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovieCard {
    pub id: String,
    pub title: String,
    pub year: Option<i32>,
    pub rating: Option<f64>,
    pub poster_url: Option<String>,
    /// Our poster thumbnail, when there is one.
    #[serde(default)]
    pub thumbnail: Option<Thumbnail>,
    /// The sentiment of its reviews, when any were labelled.
    #[serde(default)]
    pub sentiment: Option<SentimentScore>,
}

impl From<Movie> for MovieCard {
    fn from(m: Movie) -> Self {
        Self {
            id: m.id,
            title: m.title,
            year: m.year,
            rating: m.rating,
            poster_url: m.poster_url,
            thumbnail: m.thumbnail,
            sentiment: m.sentiment,
        }
    }
}

/// One horizontal row of the home page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeRow {
    /// Stable key, e.g. `top-rated` or `genre-drama`.
    pub key: String,
    pub title: String,
    /// Where "see all" goes (a browse URL).
    pub href: String,
    pub movies: Vec<MovieCard>,
}

/// How `/browse` orders its grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BrowseSort {
    #[default]
    Rating,
    Votes,
    Year,
    Title,
    /// Share of positive reviews (films with at least a few labelled reviews first).
    Sentiment,
}

impl BrowseSort {
    /// Parses the `sort` query parameter; unknown values fall back to the default.
    pub fn from_param(s: Option<&str>) -> Self {
        match s.map(str::trim) {
            Some("votes") => Self::Votes,
            Some("year") => Self::Year,
            Some("title") => Self::Title,
            Some("sentiment") => Self::Sentiment,
            _ => Self::Rating,
        }
    }

    pub fn as_param(self) -> &'static str {
        match self {
            Self::Rating => "rating",
            Self::Votes => "votes",
            Self::Year => "year",
            Self::Title => "title",
            Self::Sentiment => "sentiment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Rating => "Rating",
            Self::Votes => "Most voted",
            Self::Year => "Newest",
            Self::Title => "Title",
            Self::Sentiment => "Best reviewed",
        }
    }

    pub const ALL: [BrowseSort; 5] = [Self::Rating, Self::Votes, Self::Year, Self::Title, Self::Sentiment];
}

/// What `/browse` asks for, already validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowseQuery {
    /// 1-based page number.
    pub page: u32,
    pub page_size: u32,
    pub sort: BrowseSort,
    pub genre: Option<String>,
    /// Only films whose reviews are mostly positive, mixed or mostly negative.
    #[serde(default)]
    pub sentiment: Option<SentimentFilter>,
}

impl BrowseQuery {
    /// Builds a query from raw URL parameters: a missing, non-numeric or zero
    /// page becomes page 1, and the page size is clamped to `1..=MAX_PAGE_SIZE`.
    pub fn from_params(page: Option<&str>, sort: Option<&str>, genre: Option<&str>) -> Self {
        let page = page.and_then(|p| p.trim().parse::<u32>().ok()).filter(|p| *p >= 1).unwrap_or(1);
        let genre = genre.map(str::trim).filter(|g| !g.is_empty() && g.len() <= 40).map(str::to_owned);
        Self { page, page_size: 30, sort: BrowseSort::from_param(sort), genre, sentiment: None }
    }

    /// With the sentiment filter of the `sentiment` parameter (unknown values: none).
    pub fn with_sentiment(mut self, sentiment: Option<&str>) -> Self {
        self.sentiment = SentimentFilter::from_param(sentiment);
        self
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.page_size.clamp(1, MAX_PAGE_SIZE))
    }
}

/// One page of the browse grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowsePage {
    pub movies: Vec<MovieCard>,
    /// The page actually served (a page past the end is clamped to the last).
    pub page: u32,
    pub total_pages: u32,
    pub total: u64,
    pub sort: BrowseSort,
    pub genre: Option<String>,
    #[serde(default)]
    pub sentiment: Option<SentimentFilter>,
    /// Every genre in the catalog, for the filter chips.
    pub genres: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browse_params_are_clamped_not_rejected() {
        let q = BrowseQuery::from_params(Some("0"), Some("nonsense"), Some("  "));
        assert_eq!(q.page, 1);
        assert_eq!(q.sort, BrowseSort::Rating);
        assert_eq!(q.genre, None);
        assert_eq!(BrowseQuery::from_params(Some("-3"), None, None).page, 1);
        assert_eq!(BrowseQuery::from_params(Some("abc"), None, None).page, 1);
        assert_eq!(BrowseQuery::from_params(Some("99999999999"), None, None).page, 1);
        let q = BrowseQuery::from_params(Some("3"), Some("votes"), Some("Drama"));
        assert_eq!((q.page, q.sort, q.genre.as_deref()), (3, BrowseSort::Votes, Some("Drama")));
        assert_eq!(q.offset(), 60);
    }

    #[test]
    fn thumbnail_keys_cannot_leave_the_prefix() {
        assert!(Thumbnail::is_valid_key("0123456789abcdef.jpg"));
        assert!(Thumbnail::is_valid_key("0123456789abcdef-blur.jpg"));
        for bad in [
            "../0123456789abcdef.jpg",
            "0123456789ABCDEF.jpg",
            "0123456789abcdef.png",
            "x.jpg",
            "",
            "/etc/passwd",
            "0123456789abcde%2e.jpg",
        ] {
            assert!(!Thumbnail::is_valid_key(bad), "{bad}");
        }
    }
}

/// One movie as the search index needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRow {
    pub id: String,
    pub title: String,
    pub overview: Option<String>,
    pub votes: Option<i64>,
    pub year: Option<i32>,
    pub rating: Option<f64>,
    pub genres: Vec<String>,
}

/// A piece of text, marked when it matched the query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// One as-you-type suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    pub title: String,
    pub year: Option<i32>,
    pub rating: Option<f64>,
}

/// One result of the search page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub movie: MovieCard,
    pub title: Vec<Segment>,
    pub overview: Vec<Segment>,
    pub genres: Vec<String>,
    pub score: f32,
}

/// Filters a search applies inside the engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchFilters {
    pub genre: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub min_rating: Option<f32>,
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
    pub page: u32,
    pub total_pages: u32,
    /// Matches found (capped at [`MAX_SEARCH_RESULTS`]).
    pub total: u32,
    pub filters: SearchFilters,
    /// Every genre, for the filter.
    pub genres: Vec<String>,
    /// Set when the query could not be run (empty, too long, no index yet).
    pub notice: Option<String>,
}

/// Most results a search page can page through.
pub const MAX_SEARCH_RESULTS: usize = 200;
/// Results per search page.
pub const SEARCH_PAGE_SIZE: usize = 20;
/// Longest query accepted.
pub const MAX_QUERY_LEN: usize = 256;
