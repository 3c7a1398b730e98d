//! The single-pass builders of the two structures.
//!
//! A document's occurrences go straight into per-term compressed postings: the
//! current partial block of each term is kept as varint `(doc gap, tf)` pairs, and
//! every block of [`BLOCK`] postings is bit-packed in its final format as soon as
//! it is full. Nothing uncompressed is ever held for the whole corpus:
//! * blocks of terms in fewer than [`TIER_MIN_DF`] documents are written into one
//!   shared arena that *becomes* the final posting data, so they are never copied
//!   to a new array (at the end they are only moved down in place, over the bytes
//!   left unused by the next point);
//! * once a term reaches [`TIER_MIN_DF`] documents (it will be split into impact
//!   tiers, which needs its idf and every document's norm, known only at the end),
//!   its next blocks go to a buffer of its own, freed as soon as its tiers are
//!   written at the end; its first blocks in the shared arena become unused.
//!
//! Norms are computed at the end, term after term, from the compressed postings.
//!
//! Speed: terms are interned in [`Interner`] (no allocation per term), and each
//! document's words are hashed and their table slots and term buffers touched
//! before they are used, so that the cache misses of a document overlap.

use crate::analyzer::{fold_into, for_each_word, ProductAnalyzer};
use crate::index::{Field, ProductField, TITLE_BOOST};
use crate::intern::Interner;
use crate::postings::{decode_block, encode_block, BlockMeta, Postings, BLOCK, TIER_MIN_DF};
use crate::termdict::TermDict;
use crate::tokenize::{for_each_token_lowered, lowercase_into};

/// Where a term's block data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Home {
    /// The shared arena (the final posting data).
    Shared,
    /// The term's own buffer.
    Own,
}

/// The postings of one term while building.
#[derive(Default)]
struct TermBuf {
    /// Full blocks: the first `shared_blocks` in the shared arena, the rest in `own`.
    blocks: Vec<BlockMeta>,
    shared_blocks: u32,
    own: Vec<u8>,
    /// The current partial block, as varint `(doc gap, tf)` pairs.
    pending: Vec<u8>,
    pending_len: u32,
    last_doc: u32,
    df: u32,
}

/// Reusable decode buffers.
#[derive(Default)]
struct BlockScratch {
    docs: Vec<u32>,
    tfs: Vec<u32>,
}

impl TermBuf {
    #[inline]
    fn push(&mut self, doc: u32, tf: u32, shared: &mut Vec<u8>, scratch: &mut BlockScratch) {
        let gap = if self.df == 0 { doc } else { doc - self.last_doc };
        push_varint(&mut self.pending, gap);
        push_varint(&mut self.pending, tf);
        self.last_doc = doc;
        self.df += 1;
        self.pending_len += 1;
        if self.pending_len as usize == BLOCK {
            let home = if (self.df as usize) < TIER_MIN_DF { Home::Shared } else { Home::Own };
            self.flush(home, shared, scratch);
        }
    }

    /// Decodes the pending postings into `docs` and `tfs` (appending).
    fn decode_pending(&self, docs: &mut Vec<u32>, tfs: &mut Vec<u32>) {
        let mut prev = self.blocks.last().map(|b| b.last);
        let mut at = 0usize;
        while at < self.pending.len() {
            let gap = read_varint(&self.pending, &mut at);
            let tf = read_varint(&self.pending, &mut at);
            let doc = prev.map_or(gap, |p| p + gap);
            docs.push(doc);
            tfs.push(tf);
            prev = Some(doc);
        }
    }

    /// Encodes the pending postings as a block in `home`.
    fn flush(&mut self, home: Home, shared: &mut Vec<u8>, scratch: &mut BlockScratch) {
        if self.pending_len == 0 {
            return;
        }
        let BlockScratch { docs, tfs } = scratch;
        docs.clear();
        tfs.clear();
        self.decode_pending(docs, tfs);
        let meta = match home {
            Home::Shared => {
                debug_assert_eq!(self.shared_blocks as usize, self.blocks.len(), "shared blocks come first");
                self.shared_blocks += 1;
                encode_block(shared, docs, tfs)
            }
            Home::Own => encode_block(&mut self.own, docs, tfs),
        };
        self.blocks.push(meta);
        self.pending.clear();
        self.pending_len = 0;
    }

    /// Calls `f(doc, tf)` for every posting, in doc order.
    fn for_each(&self, shared: &[u8], scratch: &mut BlockScratch, mut f: impl FnMut(u32, u32)) {
        let df = self.df as usize;
        for (i, meta) in self.blocks.iter().enumerate() {
            let data = if i < self.shared_blocks as usize { shared } else { &self.own[..] };
            decode_block(data, meta, (df - i * BLOCK).min(BLOCK), &mut f);
        }
        let BlockScratch { docs, tfs } = scratch;
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

/// Reads a varint written by [`push_varint`] (the builder's own bytes: well formed).
#[inline]
fn read_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut v = 0u32;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Builds one field's structures from documents' `(term, weight)` occurrences.
pub(crate) struct FieldBuilder {
    terms: Interner,
    bufs: Vec<TermBuf>,
    /// Blocks of terms under [`TIER_MIN_DF`] documents: the final posting data.
    shared: Vec<u8>,
    docs: u32,
    /// The current document's `(term, weight)` occurrences.
    pub(crate) scratch: Vec<(u32, u32)>,
    block: BlockScratch,
}

impl FieldBuilder {
    pub(crate) fn new() -> Self {
        FieldBuilder {
            terms: Interner::default(),
            bufs: Vec::new(),
            shared: Vec::new(),
            docs: 0,
            scratch: Vec::new(),
            block: BlockScratch::default(),
        }
    }

    /// The provisional id of `term` (first-seen order).
    #[inline]
    pub(crate) fn term_id(&mut self, term: &str) -> u32 {
        self.term_id_hashed(term, Interner::hash(term))
    }

    /// [`Self::term_id`] with the term's [`Interner::hash`] already computed.
    #[inline]
    pub(crate) fn term_id_hashed(&mut self, term: &str, h: u64) -> u32 {
        let (id, new) = self.terms.intern_hashed(term, h);
        if new {
            self.bufs.push(TermBuf::default());
        }
        id
    }

    /// Adds a document from its `(term, weight)` occurrences in `scratch`.
    pub(crate) fn end_doc(&mut self) {
        let doc = self.docs;
        let sc = &mut self.scratch;
        sc.sort_unstable_by_key(|&(t, _)| t);
        // Sum the weights of each term in place: `sc[..n]` holds `(term, tf)`.
        let mut n = 0;
        for i in 0..sc.len() {
            if n > 0 && sc[n - 1].0 == sc[i].0 {
                sc[n - 1].1 = sc[n - 1].1.saturating_add(sc[i].1);
            } else {
                sc[n] = sc[i];
                n += 1;
            }
        }
        sc.truncate(n);
        // Touch every term's buffer, then the end of its pending block, so their
        // cache misses overlap instead of coming one after the other.
        let mut acc = 0usize;
        for &(t, _) in sc.iter() {
            acc = acc.wrapping_add(self.bufs[t as usize].pending.len());
        }
        for &(t, _) in sc.iter() {
            acc = acc.wrapping_add(usize::from(self.bufs[t as usize].pending.last().copied().unwrap_or(0)));
        }
        std::hint::black_box(acc);
        for &(t, tf) in sc.iter() {
            self.bufs[t as usize].push(doc, tf, &mut self.shared, &mut self.block);
        }
        sc.clear();
        self.docs += 1;
    }

    /// Sorts the dictionary, computes idf and norms, lays the postings out in
    /// dictionary order (splitting frequent terms into impact tiers). Returns the
    /// field and the map from provisional to final term ids.
    pub(crate) fn finish(self) -> (Field, Vec<u32>) {
        let FieldBuilder { terms, mut bufs, shared, docs, scratch: _, mut block } = self;
        let n_docs = docs as usize;
        let order = terms.sorted_ids();
        let mut remap = vec![0u32; order.len()];
        for (rank, &old) in order.iter().enumerate() {
            remap[old as usize] = rank as u32;
        }
        let dict = TermDict::from_sorted(order.iter().map(|&p| terms.get(p)));
        drop(terms);
        let n = n_docs as f64;
        let idf: Vec<f64> =
            order.iter().map(|&p| ((1.0 + n) / (1.0 + f64::from(bufs[p as usize].df))).ln() + 1.0).collect();
        // Norms, term after term.
        let mut norm2 = vec![0f64; n_docs];
        for (t, &p) in order.iter().enumerate() {
            let w = idf[t];
            bufs[p as usize].for_each(&shared, &mut block, |d, tf| {
                let x = f64::from(tf) * w;
                norm2[d as usize] += x * x;
            });
        }
        let inv_norms: Vec<f32> = norm2.iter().map(|&s| if s > 0.0 { (1.0 / s.sqrt()) as f32 } else { 0.0 }).collect();
        drop(norm2);
        let (mut blocks, mut tiered) = (0usize, 0usize);
        for b in &bufs {
            blocks += b.blocks.len() + 1;
            tiered += usize::from(b.df as usize >= TIER_MIN_DF);
        }
        let mut postings = Postings::new(inv_norms);
        postings.data = shared;
        postings.reserve(order.len(), order.len() + 4 * tiered, blocks + 5 * tiered, 0);
        let (mut docs, mut tfs, mut impacts) = (Vec::new(), Vec::new(), Vec::new());
        let mut freed = 0usize;
        for (t, &p) in order.iter().enumerate() {
            let mut buf = std::mem::take(&mut bufs[p as usize]);
            let idf32 = idf[t] as f32;
            if (buf.df as usize) < TIER_MIN_DF {
                // Every block is already in the shared arena but the partial one.
                buf.flush(Home::Shared, &mut postings.data, &mut block);
                postings.push_placed_term(&buf.blocks, buf.df as usize, idf32);
            } else {
                docs.clear();
                tfs.clear();
                buf.for_each(&postings.data, &mut block, |d, tf| {
                    docs.push(d);
                    tfs.push(tf);
                });
                freed += buf.own.capacity();
                drop(buf);
                postings.push_term(&docs, &tfs, idf32, &mut impacts);
                // The tier lists grow the posting data while the terms' own buffers
                // are freed: hand those back as we go, so the two never add up.
                if freed >= RELEASE_EVERY {
                    release_free_memory();
                    freed = 0;
                }
            }
        }
        drop(bufs);
        release_free_memory();
        postings.compact();
        postings.finish();
        (Field { dict, idf, postings }, remap)
    }
}

/// Bytes of freed term buffers after which [`release_free_memory`] is called.
const RELEASE_EVERY: usize = 4 << 20;

/// Returns the heap's free pages to the operating system.
///
/// glibc keeps freed memory of medium-sized allocations in its heap, and building
/// frees many (the per-term buffers) while it fills large new arrays that cannot
/// reuse them; without this the peak would hold the postings twice.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: `malloc_trim` (glibc >= 2.8) only releases free pages of the
        // heap's arenas; it has no preconditions and is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Builds the exact structure: scikit-learn tokens of `title + " " + body`.
pub(crate) struct ExactBuilder {
    b: FieldBuilder,
    text: String,
    lowered: String,
    /// The current document's tokens: byte range in `lowered` and hash.
    spans: Vec<(usize, usize, u64)>,
}

impl ExactBuilder {
    pub(crate) fn new() -> Self {
        ExactBuilder { b: FieldBuilder::new(), text: String::new(), lowered: String::new(), spans: Vec::new() }
    }

    pub(crate) fn add(&mut self, title: &str, body: &str) {
        self.text.clear();
        self.text.push_str(title);
        self.text.push(' ');
        self.text.push_str(body);
        lowercase_into(&self.text, &mut self.lowered);
        // Tokens and their hashes first; touch their slots; then intern.
        let (spans, lowered) = (&mut self.spans, &self.lowered);
        spans.clear();
        for_each_token_lowered(lowered, |tok| {
            let start = tok.as_ptr() as usize - lowered.as_ptr() as usize;
            spans.push((start, start + tok.len(), Interner::hash(tok)));
        });
        let b = &mut self.b;
        let acc = spans.iter().fold(0u32, |acc, &(_, _, h)| acc.wrapping_add(b.terms.touch(h)));
        std::hint::black_box(acc);
        for &(start, end, h) in spans.iter() {
            let id = b.term_id_hashed(&lowered[start..end], h);
            b.scratch.push((id, 1));
        }
        b.end_doc();
    }

    pub(crate) fn finish(self) -> Field {
        self.b.finish().0
    }
}

/// Builds the product structure: folded, stemmed words, titles boosted.
pub(crate) struct ProductBuilder {
    b: FieldBuilder,
    analyzer: ProductAnalyzer,
    /// Surface words (each distinct word is stemmed once) and their provisional stem ids.
    surface: Interner,
    surface_stem: Vec<u32>,
    folded: String,
    joined: String,
    /// The current document's words, and each one's range in `words`, hash and weight.
    words: String,
    spans: Vec<(usize, usize, u64, u32)>,
}

impl ProductBuilder {
    pub(crate) fn new() -> Self {
        ProductBuilder {
            b: FieldBuilder::new(),
            analyzer: ProductAnalyzer::new(),
            surface: Interner::default(),
            surface_stem: Vec::new(),
            folded: String::new(),
            joined: String::new(),
            words: String::new(),
            spans: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, title: &str, body: &str) {
        let ProductBuilder { b, analyzer, surface, surface_stem, folded, joined, words, spans } = self;
        // Words and their hashes first; touch their slots; then intern.
        words.clear();
        spans.clear();
        for (text, weight) in [(title, TITLE_BOOST), (body, 1)] {
            fold_into(text, folded);
            for_each_word(folded, joined, |w| {
                let start = words.len();
                words.push_str(w.text);
                spans.push((start, words.len(), Interner::hash(w.text), weight));
            });
        }
        let acc = spans.iter().fold(0u32, |acc, &(_, _, h, _)| acc.wrapping_add(surface.touch(h)));
        std::hint::black_box(acc);
        for &(start, end, h, weight) in spans.iter() {
            let word = &words[start..end];
            let (s, new) = surface.intern_hashed(word, h);
            let id = if new {
                let id = b.term_id(&analyzer.stem(word));
                surface_stem.push(id);
                id
            } else {
                surface_stem[s as usize]
            };
            b.scratch.push((id, weight));
        }
        b.end_doc();
    }

    pub(crate) fn finish(self) -> ProductField {
        let (field, remap) = self.b.finish();
        let order = self.surface.sorted_ids();
        let surface_stem = order.iter().map(|&s| remap[self.surface_stem[s as usize] as usize]).collect();
        let surface = TermDict::from_sorted(order.iter().map(|&s| self.surface.get(s)));
        ProductField { field, surface, surface_stem }
    }
}
