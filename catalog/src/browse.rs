//! What `/browse` can ask for: sort, filters and page, parsed from and written
//! back to the URL. Pure (no SQL here), shared by the server and the browser,
//! so the URL a user shares is the query the server runs.

use serde::{Deserialize, Serialize};

use crate::model::MovieCard;
use crate::review::SentimentFilter;

/// Largest page size any listing accepts; larger requests are clamped.
pub const MAX_PAGE_SIZE: u32 = 60;
/// Films per browse page.
pub const BROWSE_PAGE_SIZE: u32 = 30;
/// Most genres one query may combine.
pub const MAX_GENRES: usize = 6;
/// Years a filter accepts (`year_from`, `year_to`).
pub const YEARS: (i32, i32) = (1870, 2100);
/// Runtimes in minutes a filter accepts (`runtime_min`, `runtime_max`).
pub const RUNTIMES: (i32, i32) = (0, 1000);
/// Longest genre, language or person name a filter accepts.
const MAX_NAME_LEN: usize = 100;

/// How `/browse` orders its grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BrowseSort {
    #[default]
    Rating,
    /// Votes weighted towards recent films (votes ÷ years since the newest film + 1).
    Trending,
    Votes,
    Year,
    Title,
    /// Share of positive reviews (films with at least a few labelled reviews first).
    Sentiment,
}

impl BrowseSort {
    /// Parses the `sort` query parameter; unknown values fall back to the default.
    pub fn from_param(s: Option<&str>) -> Self {
        let s = s.map(str::trim).unwrap_or_default();
        Self::ALL.into_iter().find(|x| x.as_param() == s).unwrap_or_default()
    }

    pub fn as_param(self) -> &'static str {
        match self {
            Self::Rating => "rating",
            Self::Trending => "trending",
            Self::Votes => "votes",
            Self::Year => "year",
            Self::Title => "title",
            Self::Sentiment => "sentiment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Rating => "Rating",
            Self::Trending => "Trending",
            Self::Votes => "Most voted",
            Self::Year => "Newest",
            Self::Title => "Title",
            Self::Sentiment => "Best reviewed",
        }
    }

    pub const ALL: [BrowseSort; 6] =
        [Self::Rating, Self::Trending, Self::Votes, Self::Year, Self::Title, Self::Sentiment];
}

/// The filters of `/browse`; every one is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BrowseFilters {
    /// Films in every one of these genres.
    pub genres: Vec<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub runtime_min: Option<i32>,
    pub runtime_max: Option<i32>,
    /// IMDb rating at least this (0–10).
    pub min_rating: Option<f64>,
    /// The film's (first) language, exactly.
    pub language: Option<String>,
    /// A director or star, exactly as the catalog spells the name.
    pub person: Option<String>,
    /// Films whose reviews are mostly positive, mixed or mostly negative.
    pub sentiment: Option<SentimentFilter>,
}

impl BrowseFilters {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// A heading for the grid: "Crime · Drama", "Films with Al Pacino", "All films".
    pub fn heading(&self) -> String {
        match (&self.person, self.genres.is_empty()) {
            (Some(p), _) => format!("Films with {p}"),
            (None, false) => self.genres.join(" · "),
            (None, true) => "All films".to_owned(),
        }
    }
}

/// What `/browse` asks for, already validated: every field is in range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowseQuery {
    /// 1-based page number.
    pub page: u32,
    pub page_size: u32,
    pub sort: BrowseSort,
    pub filters: BrowseFilters,
}

impl Default for BrowseQuery {
    fn default() -> Self {
        Self { page: 1, page_size: BROWSE_PAGE_SIZE, sort: BrowseSort::default(), filters: BrowseFilters::default() }
    }
}

impl BrowseQuery {
    /// Parses a URL query string (`sort=votes&genre=Crime&genre=Drama&year_from=1970…`,
    /// with or without the leading `?`). Nothing is rejected: unknown keys are
    /// ignored, and values that are malformed or out of range are dropped, so a
    /// hand-edited URL still shows a page.
    pub fn from_query_string(qs: &str) -> Self {
        let mut q = Self::default();
        let f = &mut q.filters;
        for (key, value) in form_urlencoded::parse(qs.trim_start_matches('?').as_bytes()) {
            let v = value.trim();
            match key.as_ref() {
                "page" => q.page = v.parse::<u32>().ok().filter(|p| *p >= 1).unwrap_or(1),
                "sort" => q.sort = BrowseSort::from_param(Some(v)),
                "genre" => {
                    if let Some(g) = name(v) {
                        if f.genres.len() < MAX_GENRES && !f.genres.contains(&g) {
                            f.genres.push(g);
                        }
                    }
                }
                "year_from" => f.year_from = int_in(v, YEARS),
                "year_to" => f.year_to = int_in(v, YEARS),
                "runtime_min" => f.runtime_min = int_in(v, RUNTIMES),
                "runtime_max" => f.runtime_max = int_in(v, RUNTIMES),
                "min_rating" => f.min_rating = v.parse::<f64>().ok().filter(|r| (0.0..=10.0).contains(r)),
                "language" => f.language = name(v),
                "person" => f.person = name(v),
                "sentiment" => f.sentiment = SentimentFilter::from_param(Some(v)),
                _ => {}
            }
        }
        q
    }

    /// The canonical `/browse` URL of this query (defaults left out, page 1 implied).
    pub fn href(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if self.sort != BrowseSort::default() {
            s.append_pair("sort", self.sort.as_param());
        }
        let f = &self.filters;
        for g in &f.genres {
            s.append_pair("genre", g);
        }
        let mut num = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                s.append_pair(k, &v);
            }
        };
        num("year_from", f.year_from.map(|v| v.to_string()));
        num("year_to", f.year_to.map(|v| v.to_string()));
        num("runtime_min", f.runtime_min.map(|v| v.to_string()));
        num("runtime_max", f.runtime_max.map(|v| v.to_string()));
        num("min_rating", f.min_rating.map(|v| v.to_string()));
        num("language", f.language.clone());
        num("person", f.person.clone());
        num("sentiment", f.sentiment.map(|v| v.as_param().to_owned()));
        if self.page > 1 {
            num("page", Some(self.page.to_string()));
        }
        let qs = s.finish();
        if qs.is_empty() {
            "/browse".to_owned()
        } else {
            format!("/browse?{qs}")
        }
    }

    /// The same query on another page.
    pub fn with_page(&self, page: u32) -> Self {
        Self { page: page.max(1), ..self.clone() }
    }

    /// The same filters sorted another way, from page 1.
    pub fn with_sort(&self, sort: BrowseSort) -> Self {
        Self { sort, page: 1, ..self.clone() }
    }

    /// The same query with `genre` added, or removed when it is already there; page 1.
    pub fn toggle_genre(&self, genre: &str) -> Self {
        let mut q = self.with_page(1);
        let genres = &mut q.filters.genres;
        if let Some(i) = genres.iter().position(|g| g == genre) {
            genres.remove(i);
        } else if genres.len() < MAX_GENRES {
            genres.push(genre.to_owned());
        }
        q
    }

    /// The same query with the sentiment filter replaced; page 1.
    pub fn with_sentiment(&self, sentiment: Option<SentimentFilter>) -> Self {
        let mut q = self.with_page(1);
        q.filters.sentiment = sentiment;
        q
    }

    /// The same sort with no filters.
    pub fn cleared(&self) -> Self {
        Self { sort: self.sort, ..Self::default() }
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.page_size.clamp(1, MAX_PAGE_SIZE))
    }
}

fn int_in(v: &str, (lo, hi): (i32, i32)) -> Option<i32> {
    v.parse::<i32>().ok().filter(|n| (lo..=hi).contains(n))
}

fn name(v: &str) -> Option<String> {
    (!v.is_empty() && v.len() <= MAX_NAME_LEN && !v.chars().any(char::is_control)).then(|| v.to_owned())
}

/// One page of the browse grid, with what the filter controls need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowsePage {
    pub movies: Vec<MovieCard>,
    /// The query served (a page past the end is clamped to the last).
    pub query: BrowseQuery,
    pub total_pages: u32,
    pub total: u64,
    /// Every genre in the catalog, most common first.
    pub genres: Vec<String>,
    /// Every language in the catalog, most common first.
    pub languages: Vec<String>,
}

/// The cards of one page of a browse query, without the filter controls'
/// data: what a row or the grid fetches as it loads more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardsPage {
    pub movies: Vec<MovieCard>,
    /// The page served (a page past the end is clamped to the last).
    pub page: u32,
    pub total_pages: u32,
}

impl From<BrowsePage> for CardsPage {
    fn from(p: BrowsePage) -> Self {
        Self { movies: p.movies, page: p.query.page, total_pages: p.total_pages }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_dropped_not_rejected() {
        let q = BrowseQuery::from_query_string(
            "page=0&sort=nonsense&genre=%20%20&year_from=soon&year_to=99999&runtime_max=-5&min_rating=11&sentiment=%27%3B",
        );
        assert_eq!(q, BrowseQuery::default());
        assert_eq!(BrowseQuery::from_query_string("page=-3").page, 1);
        assert_eq!(BrowseQuery::from_query_string("page=abc").page, 1);
        assert_eq!(BrowseQuery::from_query_string("page=99999999999").page, 1);
        let long = "x".repeat(101);
        assert_eq!(BrowseQuery::from_query_string(&format!("person={long}")).filters.person, None);
        assert_eq!(BrowseQuery::from_query_string("person=a%00b").filters.person, None);
    }

    #[test]
    fn a_query_survives_its_own_url() {
        let q = BrowseQuery::from_query_string(
            "?sort=votes&genre=Crime&genre=Sci-Fi&genre=Crime&year_from=1970&year_to=1979&runtime_min=90\
             &runtime_max=180&min_rating=8.5&language=Fran%C3%A7ais&person=Al+Pacino&sentiment=mixed&page=3&utm=x",
        );
        assert_eq!(q.page, 3);
        assert_eq!(q.sort, BrowseSort::Votes);
        assert_eq!(q.filters.genres, ["Crime", "Sci-Fi"], "duplicates collapse");
        assert_eq!((q.filters.year_from, q.filters.year_to), (Some(1970), Some(1979)));
        assert_eq!((q.filters.runtime_min, q.filters.runtime_max), (Some(90), Some(180)));
        assert_eq!(q.filters.min_rating, Some(8.5));
        assert_eq!(q.filters.language.as_deref(), Some("Français"));
        assert_eq!(q.filters.person.as_deref(), Some("Al Pacino"));
        assert_eq!(q.filters.sentiment, Some(SentimentFilter::Mixed));
        assert_eq!(q.offset(), 60);
        let href = q.href();
        assert!(href.starts_with("/browse?sort=votes&genre=Crime&genre=Sci-Fi&"), "{href}");
        assert_eq!(BrowseQuery::from_query_string(href.trim_start_matches("/browse")), q);
    }

    #[test]
    fn links_change_one_thing_and_go_back_to_page_one() {
        let q = BrowseQuery::from_query_string("genre=Crime&page=4&sort=year");
        assert_eq!(BrowseQuery::default().href(), "/browse");
        assert_eq!(q.toggle_genre("Drama").href(), "/browse?sort=year&genre=Crime&genre=Drama");
        assert_eq!(q.toggle_genre("Crime").href(), "/browse?sort=year");
        assert_eq!(q.with_sort(BrowseSort::Title).href(), "/browse?sort=title&genre=Crime");
        assert_eq!(q.with_page(5).href(), "/browse?sort=year&genre=Crime&page=5");
        assert_eq!(
            q.with_sentiment(Some(SentimentFilter::Positive)).href(),
            "/browse?sort=year&genre=Crime&sentiment=positive"
        );
        assert_eq!(q.cleared().href(), "/browse?sort=year");
        let full = (0..10).fold(BrowseQuery::default(), |q, i| q.toggle_genre(&format!("g{i}")));
        assert_eq!(full.filters.genres.len(), MAX_GENRES, "a query combines at most {MAX_GENRES} genres");
    }

    #[test]
    fn headings_name_the_filter() {
        assert_eq!(BrowseFilters::default().heading(), "All films");
        assert_eq!(BrowseQuery::from_query_string("genre=Crime&genre=Drama").filters.heading(), "Crime · Drama");
        assert_eq!(
            BrowseQuery::from_query_string("genre=Crime&person=Al%20Pacino").filters.heading(),
            "Films with Al Pacino"
        );
    }

    #[test]
    fn every_sort_round_trips() {
        for s in BrowseSort::ALL {
            assert_eq!(BrowseSort::from_param(Some(s.as_param())), s);
        }
    }
}
