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

/// Attributes of every document, column by column. A column that no document
/// has a value for (no years, no ratings, no votes, no genres) is empty and costs
/// nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DocTable {
    /// External ids, in doc order (not sorted: offsets index by doc).
    pub(crate) ids: String,
    /// `ids[id_offsets[d]..id_offsets[d + 1]]` is doc `d`'s id (`len() + 1` entries).
    pub(crate) id_offsets: Vec<u32>,
    /// Release year or [`NO_YEAR`]; empty if no document has one.
    pub(crate) years: Vec<i32>,
    /// Rating or NaN; empty if no document has one.
    pub(crate) ratings: Vec<f32>,
    /// Vote counts (saturated at `u32::MAX`); empty if every count is 0.
    pub(crate) votes: Vec<u32>,
    /// Folded genre names, sorted.
    pub(crate) genre_names: TermDict,
    /// `genres[genre_offsets[d]..genre_offsets[d + 1]]`: doc `d`'s genre ids; empty
    /// if no document has a genre.
    pub(crate) genre_offsets: Vec<u32>,
    /// Genre ids, doc after doc.
    pub(crate) genres: Vec<u16>,
    /// Hash of the folded title words and the year: equal keys = the same film.
    pub(crate) title_keys: Vec<u32>,
    /// Every doc number, sorted by id then doc number ([`crate::Index::doc_of`]).
    pub(crate) id_order: Vec<u32>,
}

/// Appends `value` to a column that is kept empty while every value is `default`
/// (`n` values came before).
pub(crate) fn push_sparse<T: Copy>(col: &mut Vec<T>, n: usize, value: T, default: T, is_default: bool) {
    if col.is_empty() {
        if is_default {
            return;
        }
        col.resize(n, default);
    }
    col.push(value);
}

impl DocTable {
    /// Number of documents.
    pub(crate) fn len(&self) -> usize {
        self.id_offsets.len().saturating_sub(1)
    }

    /// Doc `d`'s external id.
    pub(crate) fn id(&self, d: usize) -> &str {
        &self.ids[self.id_offsets[d] as usize..self.id_offsets[d + 1] as usize]
    }

    /// Doc `d`'s year, or [`NO_YEAR`].
    #[inline]
    pub(crate) fn year(&self, d: usize) -> i32 {
        self.years.get(d).copied().unwrap_or(NO_YEAR)
    }

    /// Doc `d`'s rating, or NaN.
    #[inline]
    pub(crate) fn rating(&self, d: usize) -> f32 {
        self.ratings.get(d).copied().unwrap_or(f32::NAN)
    }

    /// Doc `d`'s genre ids.
    #[inline]
    pub(crate) fn genres_of(&self, d: usize) -> &[u16] {
        match (self.genre_offsets.get(d), self.genre_offsets.get(d + 1)) {
            (Some(&a), Some(&b)) => &self.genres[a as usize..b as usize],
            _ => &[],
        }
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
            let y = self.year(d);
            if y == NO_YEAR || y < f.year_from || y > f.year_to {
                return false;
            }
        }
        if let Some(min) = f.min_rating {
            // A missing rating (NaN) is never at least `min`.
            let r = self.rating(d);
            if r.is_nan() || r < min {
                return false;
            }
        }
        if let Some(g) = f.genre {
            if !self.genres_of(d).contains(&g) {
                return false;
            }
        }
        true
    }

    /// Checks the invariants a loaded table must hold.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.id_offsets.is_empty() {
            return Err("no id offsets".into());
        }
        let n = self.len();
        let sparse = |len: usize| len == 0 || len == n;
        if !sparse(self.years.len()) || !sparse(self.ratings.len()) || !sparse(self.votes.len()) {
            return Err("document columns have different lengths".into());
        }
        if self.title_keys.len() != n {
            return Err("title keys have the wrong length".into());
        }
        if self.genre_offsets.is_empty() && !self.genres.is_empty() {
            return Err("genres without genre offsets".into());
        }
        let mut columns = vec![("id", &self.id_offsets, self.ids.len())];
        if !self.genre_offsets.is_empty() {
            columns.push(("genre", &self.genre_offsets, self.genres.len()));
        }
        for (what, offs, total) in columns {
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
