//! What the fuzz targets share: a small index built once, and the checksum
//! fix-ups (index file header, sentiment model trailer) that let mutated
//! payloads past the checksums.

use std::sync::OnceLock;

use search::{Document, Index};

/// Length of the index file header (see `search::file`).
pub const HEADER_LEN: usize = 40;

/// Title, body, genre, year, rating and votes of one test film.
type Film = (&'static str, &'static str, &'static str, Option<i32>, Option<f32>, u64);

/// A small catalog with every attribute set somewhere: accents, compounds,
/// genres, years, ratings, votes, repeated titles.
pub fn documents() -> Vec<Document> {
    let films: &[Film] = &[
        (
            "Casablanca",
            "A cynical expatriate cafe owner in Morocco during the war.",
            "Drama",
            Some(1942),
            Some(8.5),
            600_000,
        ),
        (
            "Léon: The Professional",
            "A hitman takes in a girl after her family is murdered.",
            "Crime",
            Some(1994),
            Some(8.5),
            1_200_000,
        ),
        ("Spider-Man", "A student bitten by a spider gains powers.", "Action", Some(2002), Some(7.4), 900_000),
        (
            "Mr. Smith Goes to Washington",
            "A naive man is appointed to the Senate.",
            "Drama",
            Some(1939),
            Some(8.1),
            120_000,
        ),
        (
            "The Godfather",
            "The aging patriarch of a crime dynasty hands it to his son.",
            "Crime",
            Some(1972),
            Some(9.2),
            2_000_000,
        ),
        (
            "The Lord of the Rings",
            "Men fight the armies of Sauron; hobbits walk.",
            "Fantasy",
            Some(2003),
            Some(9.0),
            1_900_000,
        ),
        ("東京物語", "Tokyo Story: an elderly couple visits their children.", "Drama", Some(1953), Some(8.2), 70_000),
        (
            "Amélie",
            "Une jeune femme décide d'aider les autres — œuvre, straße, ǅ.",
            "Comedy",
            Some(2001),
            Some(8.3),
            780_000,
        ),
        ("Casablanca", "The same film indexed twice.", "Drama", Some(1942), None, 0),
        ("", "", "", None, None, 0),
        ("WALL·E", "A robot alone on Earth; U.S.A. top-10 1990–1995.", "Animation", Some(2008), Some(8.4), 1_100_000),
        ("Heat", "Professional bank robbers plan a last job; heat wave.", "Crime", None, Some(8.3), 650_000),
    ];
    films
        .iter()
        .enumerate()
        .map(|(i, &(title, body, genre, year, rating, votes))| Document {
            id: format!("tt{i:07}"),
            title: title.into(),
            body: body.into(),
            votes,
            year,
            rating,
            genres: if genre.is_empty() { Vec::new() } else { vec![genre.into(), "Film".into()] },
        })
        .collect()
}

/// The small index of [`documents`], built once.
pub fn small_index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| Index::build(documents()))
}

/// `bytes` with the header's payload length and checksum made to match the
/// payload (the rest of the header kept), so that a mutated payload reaches the
/// structural checks behind the checksum.
pub fn with_valid_checksum(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if out.len() >= HEADER_LEN {
        let len = (out.len() - HEADER_LEN) as u64;
        let sum = search::file::checksum(&out[HEADER_LEN..]);
        out[24..32].copy_from_slice(&len.to_le_bytes());
        out[32..40].copy_from_slice(&sum.to_le_bytes());
    }
    out
}

/// `bytes` with its last four bytes replaced by the CRC-32 of the rest, as the
/// sentiment model file ends (see `sentiment::Model::to_bytes`), so that a
/// mutated model reaches the checks behind the checksum.
pub fn with_valid_crc32(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if let Some(body) = out.len().checked_sub(4) {
        let crc = crc32fast::hash(&out[..body]);
        out[body..].copy_from_slice(&crc.to_le_bytes());
    }
    out
}

/// Searches `index` in every way a caller can and checks what comes back:
/// finite scores, at most `limit` hits, best first, ids matching doc numbers.
pub fn exercise(index: &Index, query: &str, limit: usize) {
    let filters = [
        search::Filter::default(),
        search::Filter {
            genre: Some("drama".into()),
            year_from: Some(1940),
            year_to: Some(2000),
            min_rating: Some(8.0),
        },
    ];
    for mode in [search::Mode::Exact, search::Mode::Product] {
        for filter in &filters {
            let hits = index.search(query, mode, filter, limit);
            check_hits(index, &hits, limit);
        }
    }
    let hits = index.suggest(query, limit);
    check_hits(index, &hits, limit);
    if let Some(first) = hits.first() {
        let similar = index.more_like_this(first.doc, limit);
        check_hits(index, &similar, limit);
        assert!(similar.iter().all(|h| h.doc != first.doc), "more like this returned the document itself");
    }
}

fn check_hits(index: &Index, hits: &[search::Hit], limit: usize) {
    assert!(hits.len() <= limit, "{} hits for limit {limit}", hits.len());
    for h in hits {
        assert!(h.score.is_finite(), "score {} not finite", h.score);
        assert!((h.doc as usize) < index.len(), "doc {} out of range", h.doc);
        assert_eq!(h.id, index.doc_id(h.doc), "hit id and doc number disagree");
    }
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score), "hits not best first");
}
