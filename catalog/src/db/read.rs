//! Read queries: one statement per page, never one per movie.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::cache::Facets;
use super::{Catalog, DbResult, QueryContext};
use crate::browse::{BrowseFilters, BrowsePage, BrowseQuery, BrowseSort, MAX_PAGE_SIZE};
use crate::model::{Featured, HomeData, HomeRow, IndexRow, Movie, MovieCard, Thumbnail};
use crate::review::SentimentScore;

/// Cards per home row as served; a row loads more (its browse query) as it scrolls.
/// Twelve fill a 1440 px screen and keep the page small (20 made it 262 KB).
pub const HOME_ROW_LEN: i64 = 12;

/// Genres the home page offers as rows, in this order, when the catalog has them.
pub const HOME_GENRES: [&str; 5] = ["Crime", "Sci-Fi", "Animation", "Comedy", "Thriller"];

const CARD_COLUMNS: &str = "m.id, m.title, m.year, m.rating, m.runtime_minutes, m.genres, m.poster_url, \
     m.thumbnail_key, m.thumbnail_width, m.thumbnail_height, m.thumbnail_placeholder, \
     m.sentiment_positive, m.sentiment_reviews";

const MOVIE_COLUMNS: &str = "id, title, year, runtime_minutes, certificate, rating, votes, \
     metascore, gross_usd, language, genres, overview, director, stars, poster_url, \
     user_review_count, critic_review_count, imdb_id, original_title, title_type, writers, \
     cast_members, languages, countries, gross_amount, gross_currency, budget_amount, \
     budget_currency, thumbnail_key, thumbnail_width, thumbnail_height, thumbnail_placeholder, \
     sentiment_positive, sentiment_reviews";

/// The ORDER BY of a sort. `newest` is the catalog's latest year (trending
/// divides votes by the years since it); it comes from the database as an
/// integer, so formatting it into the SQL is safe.
fn order_by(sort: BrowseSort, newest: i64) -> String {
    // `x IS NULL` first keeps unknowns at the end on both backends; `id` makes
    // the order total so pages never overlap.
    match sort {
        BrowseSort::Rating => "m.rating IS NULL, m.rating DESC, m.votes DESC, m.id".to_owned(),
        BrowseSort::Trending => {
            format!("m.votes IS NULL, m.votes * 1.0 / (1 + {newest} - COALESCE(m.year, {newest} - 100)) DESC, m.id")
        }
        BrowseSort::Votes => "m.votes IS NULL, m.votes DESC, m.id".to_owned(),
        BrowseSort::Year => "m.year IS NULL, m.year DESC, m.rating DESC, m.id".to_owned(),
        BrowseSort::Title => "m.title, m.year, m.id".to_owned(),
        // Films with at least 5 labelled reviews, by share positive, then the rest.
        BrowseSort::Sentiment => "CASE WHEN m.sentiment_reviews >= 5 THEN 0 ELSE 1 END, \
             m.sentiment_positive * 1.0 / m.sentiment_reviews IS NULL, \
             m.sentiment_positive * 1.0 / m.sentiment_reviews DESC, m.sentiment_reviews DESC, m.id"
            .to_owned(),
    }
}

/// A value bound to a `?` of a filter.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
    Real(f64),
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        query = match b {
            Bind::Text(v) => query.bind(v.clone()),
            Bind::Int(v) => query.bind(*v),
            Bind::Real(v) => query.bind(*v),
        };
    }
    query
}

/// Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '!'`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// The WHERE clause of the browse filters and its values, in `?` order. Every
/// user value is bound; only integers the code computed are formatted in.
fn browse_filter(f: &BrowseFilters) -> (String, Vec<Bind>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds = Vec::new();
    for g in &f.genres {
        conditions.push("m.id IN (SELECT movie_id FROM movie_genres WHERE genre = ?)".to_owned());
        binds.push(Bind::Text(g.clone()));
    }
    let mut int = |sql: &str, v: Option<i32>| {
        if let Some(v) = v {
            conditions.push(sql.to_owned());
            binds.push(Bind::Int(i64::from(v)));
        }
    };
    int("m.year >= ?", f.year_from);
    int("m.year <= ?", f.year_to);
    int("m.runtime_minutes >= ?", f.runtime_min);
    int("m.runtime_minutes <= ?", f.runtime_max);
    if let Some(r) = f.min_rating {
        conditions.push("m.rating >= ?".to_owned());
        binds.push(Bind::Real(r));
    }
    if let Some(l) = &f.language {
        conditions.push("m.language = ?".to_owned());
        binds.push(Bind::Text(l.clone()));
    }
    if let Some(p) = &f.person {
        // Stars and cast are JSON arrays of names: match the quoted name.
        let quoted = serde_json::to_string(p).unwrap_or_default();
        let pattern = format!("%{}%", like_escape(&quoted));
        conditions.push("(m.director = ? OR m.stars LIKE ? ESCAPE '!' OR m.cast_members LIKE ? ESCAPE '!')".to_owned());
        binds.extend([Bind::Text(p.clone()), Bind::Text(pattern.clone()), Bind::Text(pattern)]);
    }
    if let Some(s) = f.sentiment {
        // Whole percentages, compared in integers on both backends.
        let (lo, hi) = s.bounds();
        conditions.push(format!(
            "m.sentiment_reviews > 0 AND m.sentiment_positive * 100 >= {lo} * m.sentiment_reviews \
             AND m.sentiment_positive * 100 < {hi} * m.sentiment_reviews"
        ));
    }
    let sql = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    (sql, binds)
}

fn card(row: &AnyRow) -> Result<MovieCard, sqlx::Error> {
    Ok(MovieCard {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        year: opt_i32(row.try_get("year")?),
        rating: row.try_get("rating")?,
        runtime_minutes: opt_i32(row.try_get("runtime_minutes")?),
        genres: text_list(row, "genres")?,
        poster_url: row.try_get("poster_url")?,
        thumbnail: thumbnail(row)?,
        sentiment: sentiment_score(row)?,
    })
}

fn sentiment_score(row: &AnyRow) -> Result<Option<SentimentScore>, sqlx::Error> {
    Ok(SentimentScore::from_counts(row.try_get("sentiment_positive")?, row.try_get("sentiment_reviews")?))
}

/// The thumbnail columns, when a thumbnail was made.
fn thumbnail(row: &AnyRow) -> Result<Option<Thumbnail>, sqlx::Error> {
    let Some(key) = row.try_get::<Option<String>, _>("thumbnail_key")? else { return Ok(None) };
    let dim = |col: &str| -> Result<u32, sqlx::Error> {
        Ok(row.try_get::<Option<i64>, _>(col)?.and_then(|v| u32::try_from(v).ok()).unwrap_or_default())
    };
    Ok(Some(Thumbnail {
        key,
        width: dim("thumbnail_width")?,
        height: dim("thumbnail_height")?,
        placeholder: opt_text(row, "thumbnail_placeholder")?,
    }))
}

fn movie_from_row(row: &AnyRow) -> Result<Movie, sqlx::Error> {
    Ok(Movie {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        year: opt_i32(row.try_get("year")?),
        runtime_minutes: opt_i32(row.try_get("runtime_minutes")?),
        certificate: row.try_get("certificate")?,
        rating: row.try_get("rating")?,
        votes: row.try_get("votes")?,
        metascore: opt_i32(row.try_get("metascore")?),
        gross_usd: row.try_get("gross_usd")?,
        language: row.try_get("language")?,
        genres: text_list(row, "genres")?,
        overview: opt_text(row, "overview")?,
        director: row.try_get("director")?,
        stars: text_list(row, "stars")?,
        poster_url: row.try_get("poster_url")?,
        user_review_count: row.try_get("user_review_count")?,
        critic_review_count: row.try_get("critic_review_count")?,
        imdb_id: row.try_get("imdb_id")?,
        original_title: opt_text(row, "original_title")?,
        title_type: row.try_get("title_type")?,
        writers: text_list(row, "writers")?,
        cast: text_list(row, "cast_members")?,
        languages: text_list(row, "languages")?,
        countries: text_list(row, "countries")?,
        gross_amount: row.try_get("gross_amount")?,
        gross_currency: row.try_get("gross_currency")?,
        budget_amount: row.try_get("budget_amount")?,
        budget_currency: row.try_get("budget_currency")?,
        thumbnail: thumbnail(row)?,
        sentiment: sentiment_score(row)?,
    })
}

/// Reads a text column. MySQL reports `TEXT` columns as `BLOB` through the
/// `Any` driver, so bytes are accepted too (they are UTF-8: the tables are utf8mb4).
pub(crate) fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>, sqlx::Error> {
    match row.try_get::<Option<String>, _>(col) {
        Ok(v) => Ok(v),
        Err(_) => Ok(row.try_get::<Option<Vec<u8>>, _>(col)?.map(|b| String::from_utf8_lossy(&b).into_owned())),
    }
}

fn text_list(row: &AnyRow, col: &str) -> Result<Vec<String>, sqlx::Error> {
    Ok(opt_text(row, col)?.map(|s| json_list(&s)).unwrap_or_default())
}

fn opt_i32(v: Option<i64>) -> Option<i32> {
    v.and_then(|v| i32::try_from(v).ok())
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

impl Catalog {
    /// Number of movies in the catalog.
    pub async fn movie_count(&self) -> DbResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM movies").fetch_one(&self.pool).await.ctx("count movies")?;
        row.try_get::<i64, _>("n").ctx("count movies")
    }

    /// The newest year in the catalog (the reference of "trending"); this
    /// year's when the catalog has no years.
    async fn newest_year(&self) -> DbResult<i64> {
        let row = sqlx::query("SELECT MAX(year) AS y FROM movies").fetch_one(&self.pool).await.ctx("newest year")?;
        Ok(row.try_get::<Option<i64>, _>("y").ctx("newest year")?.unwrap_or(2026))
    }

    /// Genres, languages and the newest year: the same for every browse
    /// page, so read once per [`super::cache::TTL`] rather than per page.
    async fn facets(&self) -> DbResult<Facets> {
        if let Some(f) = self.caches.facets.get() {
            return Ok(f);
        }
        let f = Facets {
            genres: self.genres().await?,
            languages: self.languages().await?,
            newest_year: self.newest_year().await?,
        };
        self.caches.facets.put(f.clone());
        Ok(f)
    }

    /// The home page: the rows in one query (trending, top rated, most voted,
    /// then a row per genre of [`HOME_GENRES`] that has movies) and the first
    /// trending film, whole, for the billboard.
    pub async fn home(&self) -> DbResult<HomeData> {
        if let Some(data) = self.caches.home.get() {
            return Ok(data);
        }
        let data = self.home_uncached().await?;
        self.caches.home.put(data.clone());
        Ok(data)
    }

    async fn home_uncached(&self) -> DbResult<HomeData> {
        let newest = self.facets().await?.newest_year;
        let genre_marks = vec!["?"; HOME_GENRES.len()].join(", ");
        let sql = format!(
            "SELECT row_key, id, title, year, rating, runtime_minutes, genres, poster_url, thumbnail_key, thumbnail_width, \
             thumbnail_height, thumbnail_placeholder, sentiment_positive, sentiment_reviews, rn FROM ( \
               SELECT '#trending' AS row_key, {CARD_COLUMNS}, \
                      ROW_NUMBER() OVER (ORDER BY {trending}) AS rn FROM movies m \
               UNION ALL \
               SELECT '#top-rated' AS row_key, {CARD_COLUMNS}, \
                      ROW_NUMBER() OVER (ORDER BY {top}) AS rn FROM movies m \
               UNION ALL \
               SELECT '#most-voted' AS row_key, {CARD_COLUMNS}, \
                      ROW_NUMBER() OVER (ORDER BY {votes}) AS rn FROM movies m \
               UNION ALL \
               SELECT g.genre AS row_key, {CARD_COLUMNS}, \
                      ROW_NUMBER() OVER (PARTITION BY g.genre ORDER BY {top}) AS rn \
               FROM movie_genres g JOIN movies m ON m.id = g.movie_id \
               WHERE g.genre IN ({genre_marks}) \
             ) ranked WHERE rn <= ? ORDER BY row_key, rn",
            trending = order_by(BrowseSort::Trending, newest),
            top = order_by(BrowseSort::Rating, newest),
            votes = order_by(BrowseSort::Votes, newest),
        );
        let mut query = sqlx::query(&sql);
        for g in HOME_GENRES {
            query = query.bind(g);
        }
        let rows = query.bind(HOME_ROW_LEN).fetch_all(&self.pool).await.ctx("home rows")?;

        let by_sort = |key: &str, title: &str, sort: BrowseSort| {
            let href = BrowseQuery { sort, ..BrowseQuery::default() }.href();
            (format!("#{key}"), key.to_owned(), title.to_owned(), href)
        };
        let mut spec = vec![
            by_sort("trending", "Trending now", BrowseSort::Trending),
            by_sort("top-rated", "Top rated", BrowseSort::Rating),
            by_sort("most-voted", "Most voted", BrowseSort::Votes),
        ];
        for g in HOME_GENRES {
            let href = BrowseQuery::default().toggle_genre(g).href();
            spec.push((g.to_owned(), format!("genre-{}", g.to_lowercase()), g.to_owned(), href));
        }
        let mut out = Vec::new();
        for (db_key, key, title, href) in spec {
            let movies = rows
                .iter()
                .filter(|r| r.try_get::<String, _>("row_key").is_ok_and(|k| k == db_key))
                .map(card)
                .collect::<Result<Vec<_>, _>>()
                .ctx("home rows")?;
            if !movies.is_empty() {
                out.push(HomeRow { key, title, href, movies });
            }
        }
        let featured = match out.first().and_then(|r| r.movies.first()) {
            Some(card) => self.movie(&card.id).await?.map(Featured::from),
            None => None,
        };
        Ok(HomeData { featured, rows: out })
    }

    /// One page of the browse grid; a page past the end is served as the last page.
    pub async fn browse(&self, q: &BrowseQuery) -> DbResult<BrowsePage> {
        let page_size = i64::from(q.page_size.clamp(1, MAX_PAGE_SIZE));
        let (filter, binds) = browse_filter(&q.filters);
        let Facets { genres, languages, newest_year: newest } = self.facets().await?;
        let sql = format!(
            "SELECT {CARD_COLUMNS}, COUNT(*) OVER () AS total FROM movies m {filter} \
             ORDER BY {} LIMIT ? OFFSET ?",
            order_by(q.sort, newest)
        );
        let run = |offset: i64| bind_all(sqlx::query(&sql), &binds).bind(page_size).bind(offset).fetch_all(&self.pool);
        let offset = i64::try_from(q.offset()).unwrap_or(i64::MAX / 2);
        let mut rows = run(offset).await.ctx("browse page")?;
        let mut page = q.page;
        let total: i64 = if let Some(first) = rows.first() {
            first.try_get("total").ctx("browse page")?
        } else {
            let sql = format!("SELECT COUNT(*) AS n FROM movies m {filter}");
            let row = bind_all(sqlx::query(&sql), &binds).fetch_one(&self.pool).await.ctx("count browse")?;
            row.try_get("n").ctx("count browse")?
        };
        let total_pages = u32::try_from((total + page_size - 1) / page_size).unwrap_or(u32::MAX).max(1);
        if rows.is_empty() && total > 0 && page > total_pages {
            page = total_pages;
            rows = run(i64::from(total_pages - 1) * page_size).await.ctx("browse page")?;
        }
        let movies = rows.iter().map(card).collect::<Result<Vec<_>, _>>().ctx("browse page")?;
        Ok(BrowsePage {
            movies,
            query: q.with_page(page),
            total_pages,
            total: u64::try_from(total).unwrap_or_default(),
            genres,
            languages,
        })
    }

    /// Every language in the catalog, most common first.
    pub async fn languages(&self) -> DbResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT language, COUNT(*) AS n FROM movies WHERE language IS NOT NULL AND language <> '' \
             GROUP BY language ORDER BY n DESC, language",
        )
        .fetch_all(&self.pool)
        .await
        .ctx("list languages")?;
        rows.iter()
            .map(|r| opt_text(r, "language").map(Option::unwrap_or_default))
            .collect::<Result<_, _>>()
            .ctx("list languages")
    }

    /// Every genre in the catalog, most common first.
    pub async fn genres(&self) -> DbResult<Vec<String>> {
        let rows = sqlx::query("SELECT genre, COUNT(*) AS n FROM movie_genres GROUP BY genre ORDER BY n DESC, genre")
            .fetch_all(&self.pool)
            .await
            .ctx("list genres")?;
        rows.iter().map(|r| r.try_get("genre")).collect::<Result<_, _>>().ctx("list genres")
    }

    /// Every movie with the fields the search index needs, in id order.
    pub async fn index_rows(&self) -> DbResult<Vec<IndexRow>> {
        let rows = sqlx::query("SELECT id, title, overview, votes, year, rating, genres FROM movies ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .ctx("rows for the index")?;
        rows.iter()
            .map(|row| {
                Ok(IndexRow {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    overview: opt_text(row, "overview")?,
                    votes: row.try_get("votes")?,
                    year: opt_i32(row.try_get("year")?),
                    rating: row.try_get("rating")?,
                    genres: text_list(row, "genres")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .ctx("rows for the index")
    }

    /// The movies with these ids, in one query, in the order of `ids`
    /// (unknown ids are left out).
    /// Served from memory when read less than [`super::cache::TTL`] ago.
    pub async fn movies_by_ids(&self, ids: &[String]) -> DbResult<Vec<Movie>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_id = self.caches.movies.get_many(ids);
        let missing: Vec<&String> = ids.iter().filter(|id| !by_id.contains_key(*id)).collect();
        if !missing.is_empty() {
            let marks = vec!["?"; missing.len()].join(", ");
            let sql = format!("SELECT {MOVIE_COLUMNS} FROM movies WHERE id IN ({marks})");
            let mut query = sqlx::query(&sql);
            for id in missing {
                query = query.bind(id.clone());
            }
            let rows = query.fetch_all(&self.pool).await.ctx("movies by ids")?;
            let read = rows.iter().map(movie_from_row).collect::<Result<Vec<_>, _>>().ctx("movies by ids")?;
            self.caches.movies.put_many(&read);
            by_id.extend(read.into_iter().map(|m| (m.id.clone(), m)));
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// One movie by id, or `None` when there is no such movie.
    pub async fn movie(&self, id: &str) -> DbResult<Option<Movie>> {
        if id.is_empty() || id.len() > 32 {
            return Ok(None);
        }
        let sql = format!("SELECT {MOVIE_COLUMNS} FROM movies WHERE id = ?");
        let Some(row) = sqlx::query(&sql).bind(id.to_owned()).fetch_optional(&self.pool).await.ctx("movie by id")?
        else {
            return Ok(None);
        };
        let movie = movie_from_row(&row).ctx("movie by id")?;
        Ok(Some(movie))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_only_the_name() {
        assert_eq!(like_escape("100%_done!"), "100!%!_done!!");
        let (sql, binds) = browse_filter(&BrowseQuery::from_query_string("person=Al%20Pacino&genre=Crime").filters);
        assert_eq!(sql.matches('?').count(), binds.len(), "{sql}");
        assert!(!sql.contains("Pacino"), "names are bound, never formatted in");
        assert!(matches!(&binds[2], Bind::Text(p) if p == "%\"Al Pacino\"%"), "{binds:?}");
    }

    #[test]
    fn no_filters_no_where() {
        assert_eq!(browse_filter(&BrowseFilters::default()).0, "");
    }
}
