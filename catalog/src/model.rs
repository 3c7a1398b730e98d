//! Types shared by the pipeline, the server and the browser.

use serde::{Deserialize, Serialize};

use crate::review::SentimentScore;

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
    /// Narrower copies of a thumbnail, offered in `srcset`: the media route
    /// derives `<hex>-w<width>.jpg` from `<hex>.jpg` on its first request.
    pub const VARIANT_WIDTHS: [u32; 3] = [160, 240, 320];

    /// Where the site serves it.
    pub fn url(&self) -> String {
        format!("/media/{}", self.key)
    }

    /// Where the site serves the copy `width` px wide: a variant when the
    /// thumbnail is wider (and `width` one of [`Self::VARIANT_WIDTHS`]), else the thumbnail.
    pub fn url_for_width(&self, width: u32) -> String {
        match self.key.strip_suffix(".jpg") {
            Some(stem) if width < self.width && Self::VARIANT_WIDTHS.contains(&width) => {
                format!("/media/{stem}-w{width}.jpg")
            }
            _ => self.url(),
        }
    }

    /// The `srcset` of the thumbnail: each variant narrower than it, then the
    /// thumbnail itself at its own width. Empty for a thumbnail of unknown width.
    pub fn srcset(&self) -> String {
        if self.width == 0 || !self.key.ends_with(".jpg") {
            return String::new();
        }
        Self::VARIANT_WIDTHS
            .iter()
            .filter(|&&w| w < self.width)
            .map(|&w| format!("{} {w}w, ", self.url_for_width(w)))
            .chain(std::iter::once(format!("{} {}w", self.url(), self.width)))
            .collect()
    }

    /// True for names the media route may serve: 16 lower-case hex digits,
    /// an optional `-blur` or `-w<variant width>`, and `.jpg` (nothing that
    /// could leave the prefix).
    pub fn is_valid_key(key: &str) -> bool {
        let Some(stem) = key.strip_suffix(".jpg") else { return false };
        is_hex16(stem.strip_suffix("-blur").unwrap_or(stem)) || Self::variant_of(key).is_some()
    }

    /// For a variant name `<hex>-w<width>.jpg`, its thumbnail's hex digest and the width.
    pub fn variant_of(key: &str) -> Option<(&str, u32)> {
        let (hex, digits) = key.strip_suffix(".jpg")?.rsplit_once("-w")?;
        let width = Self::VARIANT_WIDTHS.into_iter().find(|w| w.to_string() == digits)?;
        is_hex16(hex).then_some((hex, width))
    }
}

fn is_hex16(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The little a poster card needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovieCard {
    pub id: String,
    pub title: String,
    pub year: Option<i32>,
    pub rating: Option<f64>,
    /// For the preview card.
    #[serde(default)]
    pub runtime_minutes: Option<i32>,
    /// For the preview card, in the catalog's order.
    #[serde(default)]
    pub genres: Vec<String>,
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
            runtime_minutes: m.runtime_minutes,
            genres: m.genres,
            poster_url: m.poster_url,
            thumbnail: m.thumbnail,
            sentiment: m.sentiment,
        }
    }
}

/// The home page: a featured film for the billboard, then the rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeData {
    pub featured: Option<Featured>,
    pub rows: Vec<HomeRow>,
}

/// The billboard's film: what its card shows, and its overview. (Not the
/// whole [`Movie`]: the home page's WASM then needs no deserializer for it.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Featured {
    pub card: MovieCard,
    pub overview: Option<String>,
}

impl From<Movie> for Featured {
    fn from(mut m: Movie) -> Self {
        let overview = m.overview.take();
        Self { card: m.into(), overview }
    }
}

/// One horizontal row of the home page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeRow {
    /// Stable key, e.g. `top-rated` or `genre-drama`.
    pub key: String,
    pub title: String,
    /// Where "see all" goes: a `/browse` URL whose later pages extend the row.
    pub href: String,
    pub movies: Vec<MovieCard>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnail_keys_cannot_leave_the_prefix() {
        assert!(Thumbnail::is_valid_key("0123456789abcdef.jpg"));
        assert!(Thumbnail::is_valid_key("0123456789abcdef-blur.jpg"));
        assert!(Thumbnail::is_valid_key("0123456789abcdef-w160.jpg"));
        assert_eq!(Thumbnail::variant_of("0123456789abcdef-w240.jpg"), Some(("0123456789abcdef", 240)));
        assert_eq!(Thumbnail::variant_of("0123456789abcdef.jpg"), None);
        for bad in [
            "0123456789abcdef-w161.jpg",
            "0123456789abcdef-w+160.jpg",
            "0123456789abcdef-w0160.jpg",
            "0123456789abcdef-blur-w160.jpg",
            "0123456789abcde-w160.jpg",
        ] {
            assert!(!Thumbnail::is_valid_key(bad), "{bad}");
        }
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

    #[test]
    fn srcset_offers_the_narrower_variants_then_the_thumbnail() {
        let t = Thumbnail { key: "0123456789abcdef.jpg".into(), width: 300, height: 450, placeholder: None };
        assert_eq!(
            t.srcset(),
            "/media/0123456789abcdef-w160.jpg 160w, /media/0123456789abcdef-w240.jpg 240w, \
             /media/0123456789abcdef.jpg 300w"
        );
        let small = Thumbnail { width: 160, ..t.clone() };
        assert_eq!(small.srcset(), "/media/0123456789abcdef.jpg 160w");
        assert_eq!(small.url_for_width(160), "/media/0123456789abcdef.jpg");
        assert_eq!(t.url_for_width(240), "/media/0123456789abcdef-w240.jpg");
        assert_eq!(t.url_for_width(200), "/media/0123456789abcdef.jpg");
        assert_eq!(Thumbnail { width: 0, ..t }.srcset(), "");
    }
}
