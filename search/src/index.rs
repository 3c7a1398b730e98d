//! The index: documents' attributes plus one inverted structure per mode, and
//! its single-pass builder.

use crate::analyzer::fold_into;
use crate::build::{ExactBuilder, ProductBuilder};
use crate::filter::{push_sparse, DocTable, NO_YEAR};
use crate::postings::Postings;
use crate::termdict::{FxMap, TermDict};

/// A document to index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The caller's id (returned in every [`crate::Hit`]).
    pub id: String,
    /// The title (boosted in product mode).
    pub title: String,
    /// The body text (overview, plot summary).
    pub body: String,
    /// Vote count, for the product-mode popularity prior.
    pub votes: u64,
    /// Release year, for filters.
    pub year: Option<i32>,
    /// Rating, for filters.
    pub rating: Option<f32>,
    /// Genres, for filters (matched case- and accent-insensitively).
    pub genres: Vec<String>,
}

/// How a query is matched and ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// scikit-learn `TfidfVectorizer()` parity: same tokens, idf, norms and scores.
    Exact,
    /// What the site uses: folding, stemming, title boost, prefix, typos, prior.
    Product,
}

/// Which structures [`crate::Index::build_with`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// Build the exact (scikit-learn parity) structure.
    pub exact: bool,
    /// Build the product structure (also used by `more_like_this`).
    pub product: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { exact: true, product: true }
    }
}

/// Weight of a title occurrence relative to a body occurrence (product mode).
pub const TITLE_BOOST: u32 = 3;
/// Weight of the popularity prior: `PRIOR_WEIGHT × ln(1 + votes) / ln(1 + max votes)`.
pub const PRIOR_WEIGHT: f32 = 0.02;

/// One inverted structure: a sorted term dictionary, idf and postings.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Field {
    /// Terms, sorted; a term id is its rank.
    pub(crate) dict: TermDict,
    /// Smoothed idf of each term, `ln((1 + N) / (1 + df)) + 1`.
    pub(crate) idf: Vec<f64>,
    /// Posting lists (term frequencies, document norms; impacts `tf·idf / ‖doc‖`).
    pub(crate) postings: Postings,
}

impl Field {
    /// Doc `d`'s `(term, tf)` pairs, in term order, read back from the postings:
    /// every term's lists are probed for `d` (a range check, then a binary search
    /// over block ends and inside one block).
    pub(crate) fn doc_terms(&self, d: u32, out: &mut Vec<(u32, u32)>) {
        out.clear();
        let p = &self.postings;
        for t in 0..p.terms() as u32 {
            // A term's impact tiers hold disjoint documents.
            if let Some(tf) = p.lists(t).find_map(|l| p.find(l, d)) {
                out.push((t, tf));
            }
        }
    }
}

/// The product structure: a stemmed [`Field`] plus the dictionary of surface
/// (folded, unstemmed) words used for prefix and typo matching.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ProductField {
    /// Stemmed terms.
    pub(crate) field: Field,
    /// Surface words, sorted.
    pub(crate) surface: TermDict,
    /// The stem term id of each surface word.
    pub(crate) surface_stem: Vec<u32>,
}

/// A searchable index over a set of documents. Immutable once built; share it
/// between threads freely (`&Index` is all searching needs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Index {
    pub(crate) docs: DocTable,
    pub(crate) exact: Option<Field>,
    pub(crate) product: Option<ProductField>,
    /// Popularity prior per doc (derived from votes, not stored on disk; empty when
    /// no document has votes).
    pub(crate) prior: Vec<f32>,
    pub(crate) prior_max: f32,
}

/// Documents per batch handed to the product-building thread.
const BUILD_BATCH: usize = 1024;

/// FNV-1a 64 of the folded title words and the year, folded to 32 bits: the
/// "same film" key. Two different films share a key with probability 2⁻³², and
/// then only lose each other from their "more like this" lists.
fn title_key(folded_title: &str, year: Option<i32>) -> u32 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for word in folded_title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        word.bytes().for_each(&mut eat);
        eat(b' ');
    }
    year.unwrap_or(NO_YEAR).to_le_bytes().into_iter().for_each(eat);
    (h ^ (h >> 32)) as u32
}

impl Index {
    /// Builds both the exact and the product structures (see [`Index::build_with`]).
    pub fn build(docs: impl IntoIterator<Item = Document>) -> Index {
        Self::build_with(docs, BuildOptions::default())
    }

    /// Builds the structures chosen in `options`, in one pass over the documents
    /// (the product structure on a second thread when both are built).
    ///
    /// Searching a mode that was not built falls back to the one that was; with
    /// neither, every search is empty. Doc numbers are positions in `docs`.
    pub fn build_with(docs: impl IntoIterator<Item = Document>, options: BuildOptions) -> Index {
        let mut table = DocTable { id_offsets: vec![0], ..Default::default() };
        let mut genre_ids: FxMap<String, u16> = FxMap::default();
        let mut exact = options.exact.then(ExactBuilder::new);
        let mut folded = String::new();
        let mut add_doc = |doc: &Document, table: &mut DocTable, exact: &mut Option<ExactBuilder>| {
            let n = table.len();
            table.ids.push_str(&doc.id);
            let end = u32::try_from(table.ids.len()).expect("document ids exceed 4 GiB");
            table.id_offsets.push(end);
            push_sparse(&mut table.years, n, doc.year.unwrap_or(NO_YEAR), NO_YEAR, doc.year.is_none());
            let rating = doc.rating.unwrap_or(f32::NAN);
            push_sparse(&mut table.ratings, n, rating, f32::NAN, rating.is_nan());
            let votes = u32::try_from(doc.votes).unwrap_or(u32::MAX);
            push_sparse(&mut table.votes, n, votes, 0, votes == 0);
            let first_genre = table.genres.len();
            for g in &doc.genres {
                fold_into(g, &mut folded);
                let name = folded.trim();
                if name.is_empty() {
                    continue;
                }
                let next = genre_ids.len();
                let id = match genre_ids.get(name) {
                    Some(&id) => id,
                    None if next <= u16::MAX as usize => {
                        genre_ids.insert(name.to_string(), next as u16);
                        next as u16
                    }
                    None => continue, // more than 65536 genres: the rest are not filterable
                };
                if !table.genres[first_genre..].contains(&id) {
                    table.genres.push(id);
                }
            }
            if table.genres.len() > first_genre && table.genre_offsets.is_empty() {
                table.genre_offsets.resize(n + 1, 0);
            }
            if !table.genre_offsets.is_empty() {
                table.genre_offsets.push(table.genres.len() as u32);
            }
            fold_into(&doc.title, &mut folded);
            table.title_keys.push(title_key(&folded, doc.year));
            if let Some(b) = exact.as_mut() {
                b.add(&doc.title, &doc.body);
            }
        };
        let (exact_field, product) = if !options.product {
            for doc in docs {
                add_doc(&doc, &mut table, &mut exact);
            }
            let exact_field = exact.map(ExactBuilder::finish);
            table.sort_ids();
            (exact_field, None)
        } else {
            // The product structure is built on a second thread, fed in batches, so
            // both structures take about the time of one on two cores.
            std::thread::scope(|scope| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(String, String)>>(8);
                let worker = scope.spawn(move || {
                    let mut b = ProductBuilder::new();
                    for batch in rx {
                        for (title, body) in batch {
                            b.add(&title, &body);
                        }
                    }
                    b.finish()
                });
                let mut batch = Vec::with_capacity(BUILD_BATCH);
                let mut worker_alive = true;
                for doc in docs {
                    add_doc(&doc, &mut table, &mut exact);
                    batch.push((doc.title, doc.body));
                    if batch.len() == BUILD_BATCH {
                        worker_alive &= tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BUILD_BATCH))).is_ok();
                    }
                }
                if worker_alive && !batch.is_empty() {
                    let _ = tx.send(batch);
                }
                drop(tx);
                let exact_field = exact.map(ExactBuilder::finish);
                // While the product structure finishes on the other thread.
                table.sort_ids();
                let product = match worker.join() {
                    Ok(p) => p,
                    Err(panic) => std::panic::resume_unwind(panic),
                };
                (exact_field, Some(product))
            })
        };
        // Genre ids were given in first-seen order; the dictionary is sorted.
        let mut names: Vec<(String, u16)> = genre_ids.into_iter().collect();
        names.sort_unstable();
        let mut genre_remap = vec![0u16; names.len()];
        for (rank, (_, old)) in names.iter().enumerate() {
            genre_remap[*old as usize] = rank as u16;
        }
        for g in &mut table.genres {
            *g = genre_remap[*g as usize];
        }
        for w in table.genre_offsets.windows(2) {
            table.genres[w[0] as usize..w[1] as usize].sort_unstable();
        }
        table.ids.shrink_to_fit();
        table.genre_names = TermDict::from_sorted(names.iter().map(|(n, _)| n.as_str()));

        let mut index = Index { docs: table, exact: exact_field, product, prior: Vec::new(), prior_max: 0.0 };
        index.compute_prior();
        crate::build::release_free_memory();
        index
    }

    /// Derives the popularity prior from the vote counts (none when every count is 0).
    pub(crate) fn compute_prior(&mut self) {
        let max_votes = self.docs.votes.iter().copied().max().unwrap_or(0);
        if max_votes == 0 {
            self.prior = Vec::new();
            self.prior_max = 0.0;
            return;
        }
        let denom = (1.0 + f64::from(max_votes)).ln();
        self.prior = self
            .docs
            .votes
            .iter()
            .map(|&v| (f64::from(PRIOR_WEIGHT) * (1.0 + f64::from(v)).ln() / denom) as f32)
            .collect();
        self.prior_max = self.prior.iter().copied().fold(0.0, f32::max);
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index holds no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.len() == 0
    }

    /// The caller's id of doc `doc`; empty for a doc number out of range.
    pub fn doc_id(&self, doc: u32) -> &str {
        if (doc as usize) < self.docs.len() {
            self.docs.id(doc as usize)
        } else {
            ""
        }
    }

    /// The doc number of the document with id `id` (the lowest, if several share
    /// it), by binary search over the ids' sorted order: O(log n), 4 bytes a document.
    pub fn doc_of(&self, id: &str) -> Option<u32> {
        self.docs.find_id(id)
    }

    /// Which structures this index holds.
    pub fn options(&self) -> BuildOptions {
        BuildOptions { exact: self.exact.is_some(), product: self.product.is_some() }
    }

    /// Number of distinct terms in the structure of `mode` (0 if not built).
    pub fn vocabulary_len(&self, mode: Mode) -> usize {
        match mode {
            Mode::Exact => self.exact.as_ref().map_or(0, |f| f.dict.len()),
            Mode::Product => self.product.as_ref().map_or(0, |p| p.field.dict.len()),
        }
    }

    /// The exact-mode idf of `term` (a lower-cased sklearn token), if indexed.
    pub fn exact_idf(&self, term: &str) -> Option<f64> {
        let f = self.exact.as_ref()?;
        f.dict.find(term).map(|t| f.idf[t as usize])
    }
}

/// Heap bytes of a vector's buffer.
fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

impl Field {
    fn memory(&self, what: &str, out: &mut Vec<(String, usize)>) {
        let p = &self.postings;
        out.push((format!("{what} dictionary + idf"), self.dict.heap_bytes() + vec_bytes(&self.idf)));
        out.push((format!("{what} posting data"), vec_bytes(&p.data)));
        out.push((format!("{what} stored impacts"), vec_bytes(&p.impacts)));
        out.push((format!("{what} document norms"), vec_bytes(&p.inv_norms)));
        let blocks = vec_bytes(&p.block_first)
            + vec_bytes(&p.block_last)
            + vec_bytes(&p.block_max)
            + vec_bytes(&p.block_offset)
            + vec_bytes(&p.block_bits)
            + vec_bytes(&p.block_tf_bits);
        out.push((format!("{what} block metadata"), blocks));
        let lists = vec_bytes(&p.term_lists)
            + vec_bytes(&p.list_blocks)
            + vec_bytes(&p.list_postings)
            + vec_bytes(&p.list_max)
            + vec_bytes(&p.list_impacts)
            + vec_bytes(&p.idf);
        out.push((format!("{what} list metadata"), lists));
    }
}

impl Index {
    /// Heap bytes held by each part of the index, for benchmarks and capacity
    /// planning (not a stable interface).
    #[doc(hidden)]
    pub fn memory_report(&self) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let d = &self.docs;
        out.push(("ids".into(), d.ids.capacity() + vec_bytes(&d.id_offsets) + vec_bytes(&d.id_order)));
        out.push(("years, ratings".into(), vec_bytes(&d.years) + vec_bytes(&d.ratings)));
        out.push(("votes, prior".into(), vec_bytes(&d.votes) + vec_bytes(&self.prior)));
        out.push(("genres".into(), vec_bytes(&d.genre_offsets) + vec_bytes(&d.genres) + d.genre_names.heap_bytes()));
        out.push(("title keys".into(), vec_bytes(&d.title_keys)));
        if let Some(f) = &self.exact {
            f.memory("exact", &mut out);
        }
        if let Some(p) = &self.product {
            p.field.memory("product", &mut out);
            out.push(("product surface words".into(), p.surface.heap_bytes() + vec_bytes(&p.surface_stem)));
        }
        out
    }
}
