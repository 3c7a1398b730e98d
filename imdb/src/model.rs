//! The records the parsers produce. Plain serde structs with snake_case fields; a field the page
//! lacks is `None` or empty.

use serde::{Deserialize, Serialize};

/// Which embedded blob a [`TitlePage`] was read from. The whole record comes from one blob; the
/// two are never mixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `<script id="__NEXT_DATA__">`: the full data.
    #[default]
    NextData,
    /// `<script type="application/ld+json">`: the fallback, with fewer fields (no review
    /// counts, metascore, money, languages, countries or rank; year from the release date).
    JsonLd,
}

/// An amount of money in whole units of `currency`. 64-bit: grosses above 2^31 exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Whole currency units.
    pub amount: i64,
    /// ISO 4217 code as IMDb gives it ("USD", "GBP").
    pub currency: String,
}

/// A credited person (director, writer, creator).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Person {
    /// IMDb name id (`nm…`), when the page gives one.
    pub id: Option<String>,
    /// Name as credited.
    pub name: String,
}

/// A billed cast member.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CastMember {
    /// IMDb name id (`nm…`), when the page gives one.
    pub id: Option<String>,
    /// Name as credited.
    pub name: String,
    /// Characters played, in the page's order (empty from JSON-LD).
    pub characters: Vec<String>,
}

/// A title page `/title/tt…/`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct TitlePage {
    /// IMDb title id (`tt…`).
    pub id: String,
    /// Display title (English where IMDb has one).
    pub title: String,
    /// Original-language title.
    pub original_title: Option<String>,
    /// IMDb title type id: `movie`, `tvSeries`, `tvEpisode`, `tvMovie`, `tvMiniSeries`,
    /// `videoGame`, … From JSON-LD only `movie`, `tvSeries`, `tvEpisode`, `videoGame` can be
    /// told apart (a TV movie reads as `movie`, a mini-series as `tvSeries`).
    pub title_type: Option<String>,
    /// Release year (start year for series).
    pub year: Option<i32>,
    /// End year for series that have ended.
    pub end_year: Option<i32>,
    /// Runtime in minutes, rounded to the nearest minute.
    pub runtime_minutes: Option<u32>,
    /// Average user rating, 1–10.
    pub rating: Option<f64>,
    /// Number of user ratings.
    pub votes: Option<i64>,
    /// Metacritic score, 0–100.
    pub metascore: Option<u32>,
    /// Short plot.
    pub plot: Option<String>,
    /// Genres in the page's order.
    pub genres: Vec<String>,
    /// Poster image URL.
    pub poster_url: Option<String>,
    /// Directors.
    pub directors: Vec<Person>,
    /// Creators (series).
    pub creators: Vec<Person>,
    /// Writers.
    pub writers: Vec<Person>,
    /// Top-billed cast in billing order: the principal cast first, then the rest of the page's
    /// top cast, without repeats.
    pub cast: Vec<CastMember>,
    /// Spoken languages.
    pub languages: Vec<String>,
    /// Countries of origin.
    pub countries: Vec<String>,
    /// Worldwide gross.
    pub gross_worldwide: Option<Money>,
    /// Worldwide gross when it is given in US dollars.
    pub gross_worldwide_usd: Option<i64>,
    /// Domestic (US and Canada) lifetime gross.
    pub gross_domestic: Option<Money>,
    /// Production budget.
    pub budget: Option<Money>,
    /// Number of user reviews.
    pub user_review_count: Option<i64>,
    /// Number of critic reviews.
    pub critic_review_count: Option<i64>,
    /// Rank in IMDb's top-rated chart (movies or TV) when the page gives one; it is given for
    /// titles far outside the top 250 too.
    pub top_rank: Option<i64>,
    /// Which blob the record was read from.
    pub source: Source,
}

/// One user review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct Review {
    /// Review id (`rw…`).
    pub id: Option<String>,
    /// Author's user name.
    pub author: Option<String>,
    /// Author's user id (`ur…`).
    pub author_id: Option<String>,
    /// The author's rating, 1–10.
    pub rating: Option<u8>,
    /// The review's headline.
    pub summary: Option<String>,
    /// The body as plain text (see [`crate::html_to_text`]).
    pub text: String,
    /// Submission date as the page gives it (e.g. "2023-01-15").
    pub date: Option<String>,
    /// "Helpful" votes.
    pub helpful_up: Option<i64>,
    /// "Not helpful" votes.
    pub helpful_down: Option<i64>,
    /// Whether the review is marked as containing spoilers.
    pub spoiler: bool,
}

/// A reviews page `/title/tt…/reviews/`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct ReviewsPage {
    /// The reviewed title's id (`tt…`).
    pub title_id: String,
    /// The reviews on this page, in the page's order.
    pub reviews: Vec<Review>,
    /// The cursor for the next page of reviews, when the page carries one.
    pub next_cursor: Option<String>,
}

/// A list page: search results or a chart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
pub struct SearchPage {
    /// Title ids in the page's order, without repeats.
    pub ids: Vec<String>,
    /// The next page: a cursor from the page data, else the `href` of a "next" link.
    pub next: Option<String>,
}

/// What [`crate::parse_any`] found. Serialized with a `kind` tag: `{"kind": "title", …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// One value per parsed page, consumed at once: boxing the title would only add an allocation
// and clumsier matching.
#[allow(clippy::large_enum_variant)]
pub enum Parsed {
    /// A title page.
    Title(TitlePage),
    /// A reviews page.
    Reviews(ReviewsPage),
    /// A search or list page.
    Search(SearchPage),
}

impl Parsed {
    /// `"title"`, `"reviews"` or `"search"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Parsed::Title(_) => "title",
            Parsed::Reviews(_) => "reviews",
            Parsed::Search(_) => "search",
        }
    }
}
