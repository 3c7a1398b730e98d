//! Per-document attributes (id, year, rating, genres, votes) and the [`Filter`]
//! that the scorer checks for every candidate *before* scoring it, so a filter
//! never empties a top-k that exists.

use crate::analyzer::fold;
use crate::termdict::TermDict;

/// Restricts a search to documents with these attributes. `Default` = no filter.
///
/// A document without a year (rating) never matches a year range (minimum rating).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only documents with this genre (compared case- and accent-insensitively).
    pub genre: Option<String>,
    /// Only documents released in or after this year.
    pub year_from: Option<i32>,
    /// Only documents released in or before this year.
    pub year_to: Option<i32>,
    /// Only documents rated at least this.
    pub min_rating: Option<f32>,
}

impl Filter {
    /// Whether this filter lets every document through.
    pub fn is_empty(&self) -> bool {
        self.genre.is_none() && self.year_from.is_none() && self.year_to.is_none() && self.min_rating.is_none()
    }
}

/// The year stored for a document without one.
pub(crate) const NO_YEAR: i32 = i32::MIN;

/// Attributes of every document, column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DocTable {
    /// External ids, in doc order (not sorted: offsets index by doc).
    pub(crate) ids: String,
    /// `ids[id_offsets[d]..id_offsets[d + 1]]` is doc `d`'s id.
    pub(crate) id_offsets: Vec<u32>,
    /// Release year or [`NO_YEAR`].
    pub(crate) years: Vec<i32>,
    /// Rating or NaN.
    pub(crate) ratings: Vec<f32>,
    /// Vote counts.
    pub(crate) votes: Vec<u64>,
    /// Folded genre names, sorted.
    pub(crate) genre_names: TermDict,
    /// `genres[genre_offsets[d]..genre_offsets[d + 1]]`: doc `d`'s genre ids.
    pub(crate) genre_offsets: Vec<u32>,
    /// Genre ids, doc after doc.
    pub(crate) genres: Vec<u16>,
    /// Hash of the folded title words and the year: equal keys = the same film.
    pub(crate) title_keys: Vec<u64>,
    /// Every doc number, sorted by id then doc number ([`crate::Index::doc_of`]).
    pub(crate) id_order: Vec<u32>,
}

impl DocTable {
    /// Number of documents.
    pub(crate) fn len(&self) -> usize {
        self.years.len()
    }

    /// Doc `d`'s external id.
    pub(crate) fn id(&self, d: usize) -> &str {
        &self.ids[self.id_offsets[d] as usize..self.id_offsets[d + 1] as usize]
    }

    /// Sorts the doc numbers by id into `id_order`.
    pub(crate) fn sort_ids(&mut self) {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.id(a as usize).cmp(self.id(b as usize)).then(a.cmp(&b)));
        self.id_order = order;
    }

    /// The first doc (lowest number) with id `id`, by binary search in `id_order`.
    pub(crate) fn find_id(&self, id: &str) -> Option<u32> {
        let i = self.id_order.partition_point(|&d| self.id(d as usize) < id);
        self.id_order.get(i).copied().filter(|&d| self.id(d as usize) == id)
    }

    /// Compiles `filter` for this table; `None` when no document can match.
    pub(crate) fn compile(&self, filter: &Filter) -> Option<CompiledFilter> {
        let genre = match &filter.genre {
            None => None,
            Some(g) => Some(self.genre_names.find(fold(g).trim())? as u16),
        };
        if filter.min_rating.is_some_and(f32::is_nan) {
            return None;
        }
        Some(CompiledFilter {
            active: !filter.is_empty(),
            genre,
            year_from: filter.year_from.unwrap_or(i32::MIN + 1),
            year_to: filter.year_to.unwrap_or(i32::MAX),
            year_needed: filter.year_from.is_some() || filter.year_to.is_some(),
            min_rating: filter.min_rating,
        })
    }

    /// Whether doc `d` passes `f`.
    #[inline]
    pub(crate) fn accepts(&self, f: &CompiledFilter, d: u32) -> bool {
        if !f.active {
            return true;
        }
        let d = d as usize;
        if f.year_needed {
            let y = self.years[d];
            if y == NO_YEAR || y < f.year_from || y > f.year_to {
                return false;
            }
        }
        if let Some(min) = f.min_rating {
            // A missing rating (NaN) is never at least `min`.
            let r = self.ratings[d];
            if r.is_nan() || r < min {
                return false;
            }
        }
        if let Some(g) = f.genre {
            let (a, b) = (self.genre_offsets[d] as usize, self.genre_offsets[d + 1] as usize);
            if !self.genres[a..b].contains(&g) {
                return false;
            }
        }
        true
    }

    /// Checks the invariants a loaded table must hold.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let n = self.len();
        if self.ratings.len() != n || self.votes.len() != n || self.title_keys.len() != n {
            return Err("document columns have different lengths".into());
        }
        for (what, offs, total) in
            [("id", &self.id_offsets, self.ids.len()), ("genre", &self.genre_offsets, self.genres.len())]
        {
            if offs.len() != n + 1 || offs[0] != 0 || offs[n] as usize != total || offs.windows(2).any(|w| w[0] > w[1])
            {
                return Err(format!("bad {what} offsets"));
            }
        }
        if self.id_offsets.iter().any(|&o| !self.ids.is_char_boundary(o as usize)) {
            return Err("id offsets split a character".into());
        }
        if self.id_order.len() != n {
            return Err("id order has the wrong length".into());
        }
        let mut seen = vec![false; n];
        for &d in &self.id_order {
            match seen.get_mut(d as usize) {
                Some(s) if !*s => *s = true,
                _ => return Err("id order is not a permutation".into()),
            }
        }
        let sorted = self.id_order.windows(2).all(|w| {
            let (a, b) = (w[0] as usize, w[1] as usize);
            (self.id(a), a) < (self.id(b), b)
        });
        if !sorted {
            return Err("id order is not sorted".into());
        }
        self.genre_names.validate("genre names")?;
        if self.genres.iter().any(|&g| g as usize >= self.genre_names.len()) {
            return Err("genre id out of range".into());
        }
        Ok(())
    }
}

/// A [`Filter`] resolved against one index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompiledFilter {
    active: bool,
    genre: Option<u16>,
    year_from: i32,
    year_to: i32,
    year_needed: bool,
    min_rating: Option<f32>,
}
