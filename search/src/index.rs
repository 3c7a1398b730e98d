//! The index: documents' attributes plus one inverted structure per mode, and
//! its single-pass builder.

use crate::analyzer::{fold_into, for_each_word, ProductAnalyzer};
use crate::filter::{DocTable, NO_YEAR};
use crate::postings::{decode_block, encode_block, BlockMeta, Postings, BLOCK, TIER_MIN_DF};
use crate::termdict::{FxMap, TermDict};
use crate::tokenize::{for_each_token_lowered, lowercase_into};

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
    /// Popularity prior per doc (derived from votes, not stored on disk).
    pub(crate) prior: Vec<f32>,
    pub(crate) prior_max: f32,
}

/// Postings of one term while building: the full blocks already encoded (the
/// final format), the current partial block as varint `(doc gap, tf)` pairs.
#[derive(Default)]
struct TermBuf {
    data: Vec<u8>,
    blocks: Vec<BlockMeta>,
    pending: Vec<u8>,
    pending_len: u32,
    last_doc: u32,
    df: u32,
}

impl TermBuf {
    #[inline]
    fn push(&mut self, doc: u32, tf: u32, scratch: &mut (Vec<u32>, Vec<u32>)) {
        let gap = if self.df == 0 { doc } else { doc - self.last_doc };
        push_varint(&mut self.pending, gap);
        push_varint(&mut self.pending, tf);
        self.last_doc = doc;
        self.df += 1;
        self.pending_len += 1;
        if self.pending_len as usize == BLOCK {
            self.flush(scratch);
        }
    }

    /// Decodes the pending postings into `docs` and `tfs` (appending).
    fn decode_pending(&self, docs: &mut Vec<u32>, tfs: &mut Vec<u32>) {
        let mut prev = self.blocks.last().map(|b| b.last);
        let mut at = 0usize;
        while at < self.pending.len() {
            let gap = read_varint(&self.pending, &mut at).unwrap_or(0);
            let tf = read_varint(&self.pending, &mut at).unwrap_or(1);
            let doc = prev.map_or(gap, |p| p + gap);
            docs.push(doc);
            tfs.push(tf);
            prev = Some(doc);
        }
    }

    /// Encodes the pending postings as a block.
    fn flush(&mut self, (docs, tfs): &mut (Vec<u32>, Vec<u32>)) {
        if self.pending_len == 0 {
            return;
        }
        docs.clear();
        tfs.clear();
        self.decode_pending(docs, tfs);
        let meta = encode_block(&mut self.data, docs, tfs);
        self.blocks.push(meta);
        self.pending.clear();
        self.pending_len = 0;
    }

    /// Calls `f(doc, tf)` for every posting, in doc order.
    fn for_each(&self, scratch: &mut (Vec<u32>, Vec<u32>), mut f: impl FnMut(u32, u32)) {
        let df = self.df as usize;
        for (i, meta) in self.blocks.iter().enumerate() {
            decode_block(&self.data, meta, (df - i * BLOCK).min(BLOCK), &mut f);
        }
        let (docs, tfs) = scratch;
        docs.clear();
        tfs.clear();
        self.decode_pending(docs, tfs);
        for (&d, &tf) in docs.iter().zip(tfs.iter()) {
            f(d, tf);
        }
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u32> {
    let mut v = 0u32;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u32::from(b & 0x7f).checked_shl(shift)?;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

/// Builds one field's structures: documents' `(provisional term, weight)`
/// occurrences go straight into per-term compressed postings, so the build never
/// holds an uncompressed copy of the postings.
struct FieldBuilder {
    terms: FxMap<Box<str>, u32>,
    bufs: Vec<TermBuf>,
    docs: u32,
    scratch: Vec<(u32, u32)>,
    block: (Vec<u32>, Vec<u32>),
}

impl FieldBuilder {
    fn new() -> Self {
        FieldBuilder {
            terms: FxMap::default(),
            bufs: Vec::new(),
            docs: 0,
            scratch: Vec::new(),
            block: (Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK)),
        }
    }

    #[inline]
    fn term_id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.terms.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.terms.insert(term.into(), id);
        self.bufs.push(TermBuf::default());
        id
    }

    /// Adds a document from its `(term, weight)` occurrences in `scratch`.
    fn end_doc(&mut self) {
        let doc = self.docs;
        self.scratch.sort_unstable_by_key(|&(t, _)| t);
        let mut i = 0;
        while i < self.scratch.len() {
            let t = self.scratch[i].0;
            let mut tf = 0u32;
            while i < self.scratch.len() && self.scratch[i].0 == t {
                tf = tf.saturating_add(self.scratch[i].1);
                i += 1;
            }
            self.bufs[t as usize].push(doc, tf, &mut self.block);
        }
        self.scratch.clear();
        self.docs += 1;
    }

    /// Sorts the dictionary, computes idf and norms, lays the postings out in
    /// dictionary order (splitting frequent terms into impact tiers). Returns the
    /// field and the map from provisional to final term ids.
    fn finish(mut self) -> (Field, Vec<u32>) {
        let n_docs = self.docs as usize;
        let mut terms: Vec<(Box<str>, u32)> = std::mem::take(&mut self.terms).into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut remap = vec![0u32; terms.len()];
        for (rank, (_, old)) in terms.iter().enumerate() {
            remap[*old as usize] = rank as u32;
        }
        let order: Vec<u32> = terms.iter().map(|(_, old)| *old).collect();
        let dict = TermDict::from_sorted(terms.iter().map(|(t, _)| &**t));
        drop(terms);
        let n = n_docs as f64;
        let idf: Vec<f64> =
            order.iter().map(|&p| ((1.0 + n) / (1.0 + f64::from(self.bufs[p as usize].df))).ln() + 1.0).collect();
        // Norms, term after term.
        let mut norm2 = vec![0f64; n_docs];
        for (t, &p) in order.iter().enumerate() {
            let w = idf[t];
            self.bufs[p as usize].for_each(&mut self.block, |d, tf| {
                let x = f64::from(tf) * w;
                norm2[d as usize] += x * x;
            });
        }
        let inv_norms: Vec<f32> = norm2.iter().map(|&s| if s > 0.0 { (1.0 / s.sqrt()) as f32 } else { 0.0 }).collect();
        drop(norm2);
        // Room for everything, so that no large array is reallocated (copied) while
        // the per-term buffers still exist; pages reserved but not written cost nothing.
        let (mut blocks, mut bytes, mut tiered) = (0usize, 0usize, 0usize);
        for b in &self.bufs {
            blocks += b.blocks.len() + 1;
            bytes += b.data.len() + b.pending.len();
            tiered += usize::from(b.df as usize >= TIER_MIN_DF);
        }
        let mut postings = Postings::new(inv_norms);
        postings.reserve(order.len(), order.len() + 4 * tiered, blocks + 5 * tiered, bytes + bytes / 2 + 64);
        let mut impacts = Vec::new();
        let (mut docs, mut tfs) = (Vec::new(), Vec::new());
        for (t, &p) in order.iter().enumerate() {
            let mut buf = std::mem::take(&mut self.bufs[p as usize]);
            let idf32 = idf[t] as f32;
            if (buf.df as usize) < TIER_MIN_DF {
                buf.flush(&mut self.block);
                postings.push_encoded_term(&buf.data, &buf.blocks, buf.df as usize, idf32);
            } else {
                docs.clear();
                tfs.clear();
                buf.for_each(&mut self.block, |d, tf| {
                    docs.push(d);
                    tfs.push(tf);
                });
                drop(buf);
                postings.push_term(&docs, &tfs, idf32, &mut impacts);
            }
        }
        postings.finish();
        (Field { dict, idf, postings }, remap)
    }
}

/// Documents per batch handed to the product-building thread.
const BUILD_BATCH: usize = 1024;

/// Builds the exact structure: scikit-learn tokens of `title + " " + body`.
struct ExactBuilder {
    b: FieldBuilder,
    text: String,
    lowered: String,
}

impl ExactBuilder {
    fn new() -> Self {
        ExactBuilder { b: FieldBuilder::new(), text: String::new(), lowered: String::new() }
    }

    fn add(&mut self, title: &str, body: &str) {
        self.text.clear();
        self.text.push_str(title);
        self.text.push(' ');
        self.text.push_str(body);
        lowercase_into(&self.text, &mut self.lowered);
        let b = &mut self.b;
        for_each_token_lowered(&self.lowered, |tok| {
            let id = b.term_id(tok);
            b.scratch.push((id, 1));
        });
        b.end_doc();
    }

    fn finish(self) -> Field {
        self.b.finish().0
    }
}

/// Builds the product structure: folded, stemmed words, titles boosted.
struct ProductBuilder {
    b: FieldBuilder,
    analyzer: ProductAnalyzer,
    /// Surface word -> provisional stem id (each distinct word is stemmed once).
    surface: FxMap<Box<str>, u32>,
    folded: String,
    joined: String,
}

impl ProductBuilder {
    fn new() -> Self {
        ProductBuilder {
            b: FieldBuilder::new(),
            analyzer: ProductAnalyzer::new(),
            surface: FxMap::default(),
            folded: String::new(),
            joined: String::new(),
        }
    }

    fn add(&mut self, title: &str, body: &str) {
        let ProductBuilder { b, analyzer, surface, folded, joined } = self;
        for (text, weight) in [(title, TITLE_BOOST), (body, 1)] {
            fold_into(text, folded);
            for_each_word(folded, joined, |w| {
                let id = match surface.get(w.text) {
                    Some(&id) => id,
                    None => {
                        let id = b.term_id(&analyzer.stem(w.text));
                        surface.insert(w.text.into(), id);
                        id
                    }
                };
                b.scratch.push((id, weight));
            });
        }
        b.end_doc();
    }

    fn finish(self) -> ProductField {
        let (field, remap) = self.b.finish();
        let mut words: Vec<(Box<str>, u32)> = self.surface.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let surface_stem = words.iter().map(|(_, id)| remap[*id as usize]).collect();
        let surface = TermDict::from_sorted(words.iter().map(|(w, _)| &**w));
        ProductField { field, surface, surface_stem }
    }
}

/// FNV-1a 64 of the folded title words and the year: the "same film" key.
fn title_key(folded_title: &str, year: Option<i32>) -> u64 {
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
    h
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
        let mut table = DocTable { id_offsets: vec![0], genre_offsets: vec![0], ..Default::default() };
        let mut genre_ids: FxMap<String, u16> = FxMap::default();
        let mut exact = options.exact.then(ExactBuilder::new);
        let mut folded = String::new();
        let mut add_doc = |doc: &Document, table: &mut DocTable, exact: &mut Option<ExactBuilder>| {
            table.ids.push_str(&doc.id);
            table.id_offsets.push(table.ids.len() as u32);
            table.years.push(doc.year.unwrap_or(NO_YEAR));
            table.ratings.push(doc.rating.unwrap_or(f32::NAN));
            table.votes.push(doc.votes);
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
            table.genre_offsets.push(table.genres.len() as u32);
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
        for d in 0..table.len() {
            let (a, b) = (table.genre_offsets[d] as usize, table.genre_offsets[d + 1] as usize);
            table.genres[a..b].sort_unstable();
        }
        table.genre_names = TermDict::from_sorted(names.iter().map(|(n, _)| n.as_str()));

        let mut index = Index { docs: table, exact: exact_field, product, prior: Vec::new(), prior_max: 0.0 };
        index.compute_prior();
        index
    }

    /// Derives the popularity prior from the vote counts.
    pub(crate) fn compute_prior(&mut self) {
        let max_votes = self.docs.votes.iter().copied().max().unwrap_or(0);
        let denom = (1.0 + max_votes as f64).ln();
        self.prior = self
            .docs
            .votes
            .iter()
            .map(|&v| if denom > 0.0 { (f64::from(PRIOR_WEIGHT) * (1.0 + v as f64).ln() / denom) as f32 } else { 0.0 })
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
