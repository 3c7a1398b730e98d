//! The films and the pages of the fixture site.

use imdb::fixtures::{render_reviews_page, render_search_page, render_title_page};
use imdb::{CastMember, Money, Person, Review, Source, TitlePage};

use crate::Site;

/// A film of the fixture site, from one row of the Kaggle CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct Film {
    /// `tt9000001` for the first row, and so on: stable.
    pub id: String,
    pub title: String,
    pub year: Option<i32>,
    pub runtime_minutes: Option<u32>,
    pub genres: Vec<String>,
    pub rating: Option<f64>,
    pub overview: Option<String>,
    pub metascore: Option<u32>,
    pub director: Option<String>,
    pub stars: Vec<String>,
    /// The CSV's votes plus 1000: the scrape is "newer" than the CSV, so merged
    /// rows show which side won.
    pub votes: Option<i64>,
    pub gross_usd: Option<i64>,
}

fn cell(row: &[String], i: usize) -> Option<String> {
    row.get(i).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The films of a Kaggle-format CSV.
pub(crate) fn films_from_csv(text: &str) -> Vec<Film> {
    crate::csv::records(text)
        .into_iter()
        .skip(1)
        .filter(|r| r.len() >= 16)
        .enumerate()
        .filter_map(|(i, r)| {
            let title = cell(&r, 1)?;
            Some(Film {
                id: format!("tt{:07}", 9_000_001 + i),
                title,
                year: cell(&r, 2).and_then(|y| y.parse().ok()),
                runtime_minutes: cell(&r, 4).and_then(|s| s.trim_end_matches(" min").parse().ok()),
                genres: cell(&r, 5).map(|g| g.split(',').map(|x| x.trim().to_owned()).collect()).unwrap_or_default(),
                rating: cell(&r, 6).and_then(|s| s.parse().ok()),
                overview: cell(&r, 7),
                metascore: cell(&r, 8).and_then(|s| s.parse::<f64>().ok()).map(|m| m as u32),
                director: cell(&r, 9),
                stars: (10..14).filter_map(|c| cell(&r, c)).collect(),
                votes: cell(&r, 14).and_then(|s| s.replace(',', "").parse::<i64>().ok()).map(|v| v + 1000),
                gross_usd: cell(&r, 15).and_then(|s| s.replace(',', "").parse().ok()),
            })
        })
        .collect()
}

/// The title record the fixture renders for `film`.
pub fn title_record(base: &str, film: &Film) -> TitlePage {
    TitlePage {
        id: film.id.clone(),
        title: film.title.clone(),
        original_title: Some(film.title.clone()),
        title_type: Some("movie".into()),
        year: film.year,
        end_year: None,
        runtime_minutes: film.runtime_minutes,
        rating: film.rating,
        votes: film.votes,
        metascore: film.metascore,
        plot: film.overview.clone(),
        genres: film.genres.clone(),
        poster_url: Some(format!("{base}images/{}.jpg", film.id)),
        directors: film.director.iter().map(|d| Person { id: None, name: d.clone() }).collect(),
        creators: Vec::new(),
        writers: vec![Person { id: None, name: format!("Writer of {}", film.title) }],
        cast: film.stars.iter().map(|s| CastMember { id: None, name: s.clone(), characters: Vec::new() }).collect(),
        languages: vec!["English".into()],
        countries: vec!["United States".into()],
        gross_worldwide: film.gross_usd.map(|amount| Money { amount: amount * 2, currency: "USD".into() }),
        gross_worldwide_usd: film.gross_usd.map(|a| a * 2),
        gross_domestic: film.gross_usd.map(|amount| Money { amount, currency: "USD".into() }),
        budget: Some(Money {
            amount: 10_000_000 + 1000 * film.id[2..].parse::<i64>().unwrap_or(0) % 100_000_000,
            currency: "USD".into(),
        }),
        user_review_count: Some(20),
        critic_review_count: Some(10),
        top_rank: None,
        source: Source::NextData,
    }
}

pub(crate) fn title_page(site: &Site, film: &Film) -> String {
    render_title_page(&title_record(&site.base, film))
}

/// Films ranked by "popularity": votes, most first (ties by id).
fn popularity(site: &Site) -> Vec<&Film> {
    let mut v: Vec<&Film> = site.films.iter().collect();
    v.sort_by(|a, b| b.votes.cmp(&a.votes).then_with(|| a.id.cmp(&b.id)));
    v
}

fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
}

/// `moviemeter=S,E` (1-based, inclusive) of the popularity ranking.
pub(crate) fn search_page(site: &Site, query: &str) -> String {
    let range = param(query, "moviemeter").map(|v| v.replace("%2C", ",").replace("%2c", ","));
    let (s, e) = range
        .as_deref()
        .and_then(|r| r.split_once(','))
        .and_then(|(s, e)| Some((s.parse::<usize>().ok()?, e.parse::<usize>().ok()?)))
        .unwrap_or((1, 50));
    let ranked = popularity(site);
    let ids: Vec<String> =
        ranked.iter().skip(s.saturating_sub(1)).take(e.saturating_sub(s) + 1).map(|f| f.id.clone()).collect();
    render_search_page(&ids, None)
}

/// The top 250 by rating, then the saved real pages.
pub(crate) fn chart_page(site: &Site) -> String {
    let mut v: Vec<&Film> = site.films.iter().collect();
    v.sort_by(|a, b| {
        b.rating.partial_cmp(&a.rating).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.id.cmp(&b.id))
    });
    let mut ids: Vec<String> = v.iter().take(250).map(|f| f.id.clone()).collect();
    ids.extend(site.real_ids.iter().cloned());
    render_search_page(&ids, None)
}

/// Reviews per page.
pub const REVIEWS_PER_PAGE: usize = 4;

/// `/title/{id}/reviews/?rating=R[&paginationKey=pN]`: pages of 4 reviews,
/// `positive_pages` of them at rating 10, `negative_pages` at rating 1, none
/// for other ratings; cursors `p2`, `p3`, ….
pub(crate) fn reviews_page(site: &Site, id: &str, query: &str) -> String {
    let rating: u8 = param(query, "rating").and_then(|r| r.parse().ok()).unwrap_or(10);
    let (mut positive, mut negative) = (site.options.positive_pages, site.options.negative_pages);
    if site.options.spread_sentiment {
        let total = positive + negative;
        let h = id.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        positive = (1 + h % total.saturating_sub(1).max(1)).min(total);
        negative = total - positive;
    }
    let pages = match rating {
        10 => positive,
        1 => negative,
        _ => 0,
    };
    let page: u32 =
        param(query, "paginationKey").and_then(|k| k.strip_prefix('p')).and_then(|n| n.parse().ok()).unwrap_or(1);
    if page > pages {
        return render_reviews_page(id, &[], None);
    }
    let reviews: Vec<Review> = (0..REVIEWS_PER_PAGE)
        .map(|n| {
            let positive = rating >= 6;
            Review {
                id: Some(format!("rw{}{rating:02}{page}{n}", &id[2..])),
                author: Some(format!("viewer{n}")),
                author_id: Some(format!("ur{:08}", n)),
                rating: Some(rating),
                summary: Some(if positive { "A wonderful film".into() } else { "A waste of time".into() }),
                text: {
                    let mut t = if positive {
                        format!("I loved it: page {page}, review {n}.\nThe acting is superb and the story moving.")
                    } else {
                        format!("I hated it: page {page}, review {n}.\nDull, long and badly acted.")
                    };
                    // One long review a page, as real pages have.
                    if n == 1 {
                        let line = if positive {
                            " It stays with you long after the credits."
                        } else {
                            " I kept checking the time."
                        };
                        t.push('\n');
                        t.push_str(&line.repeat(24));
                    }
                    t
                },
                date: Some("2023-01-15".into()),
                helpful_up: Some(10 + n as i64),
                helpful_down: Some(n as i64),
                spoiler: n == 3,
            }
        })
        .collect();
    let next = (page < pages).then(|| format!("p{}", page + 1));
    render_reviews_page(id, &reviews, next.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn films_come_from_the_csv_with_stable_ids() {
        let text = std::fs::read_to_string(crate::DEFAULT_CATALOG).unwrap();
        let films = films_from_csv(&text);
        assert_eq!(films.len(), 1000);
        assert_eq!(films[0].id, "tt9000001");
        assert_eq!(films[0].title, "The Shawshank Redemption");
        assert_eq!(films[0].year, Some(1994));
        assert_eq!(films[999].id, "tt9001000");
        let rec = title_record("http://127.0.0.1:1/", &films[0]);
        let page = imdb::parse_title_page(&render_title_page(&rec)).unwrap();
        assert_eq!(page.title, "The Shawshank Redemption");
        assert_eq!(page.poster_url.as_deref(), Some("http://127.0.0.1:1/images/tt9000001.jpg"));
    }
}
