//! The single-pass builders of the two structures.
//!
//! A document's occurrences go straight into per-term compressed postings: the
//! current partial block of each term is kept as varint `(doc gap, tf)` pairs in
//! one arena shared by all terms ([`PendingArena`]), and every block of [`BLOCK`]
//! postings is encoded in its final format as soon as it is full. Nothing
//! uncompressed is ever held for the whole corpus:
//! * blocks of terms in fewer than [`TIER_MIN_DF`] documents are written into one
//!   shared arena that *becomes* the final posting data, so they are never copied
//!   to a new array (at the end they are only moved down in place, over the bytes
//!   left unused by the next point);
//! * once a term reaches [`TIER_MIN_DF`] documents (it will be split into impact
//!   tiers, which needs its idf and every document's norm, known only at the end),
//!   its next blocks go to a buffer of its own, freed as soon as its tiers are
//!   written at the end; its first blocks in the shared arena become unused.
//!
//! At the end every partial block is encoded first and the pending arena freed in
//! one piece, then norms are computed term after term from the compressed
//! postings, then the lists are laid out in dictionary order, frequent terms'
//! tiers written from two decoding passes over their blocks
//! ([`Postings::push_tiered_term`]). Memory is handed back to the operating system
//! as the terms' own buffers are freed, so the build peaks at about the final
//! index plus the per-term state (see `BENCHMARKS.md`).
//!
//! Speed: terms are interned in [`Interner`] (no allocation per term), and each
//! document's words are hashed and their table slots and term buffers touched
//! before they are used, so that the cache misses of a document overlap.

use crate::analyzer::{fold_into, for_each_word, ProductAnalyzer};
use crate::index::{Field, ProductField, TITLE_BOOST};
use crate::intern::Interner;
use crate::postings::{decode_block, encode_block, BlockMeta, Postings, TierScratch, BLOCK, TIER_MIN_DF};
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

/// Sizes of [`PendingArena`] slots, growing by about half: 16 bytes to 1.5 KiB
/// (a full block of pending pairs takes at most 128 × 10 bytes).
const CLASS_SIZES: [u16; 13] = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1536];
const CLASSES: usize = CLASS_SIZES.len();
/// No slot.
const NO_SLOT: u8 = u8::MAX;

#[inline]
fn class_size(class: u8) -> usize {
    usize::from(CLASS_SIZES[class as usize])
}

/// The pending (not yet encoded) postings of every term, in slots of one arena:
/// no allocation per term, and freed in one piece.
#[derive(Default)]
struct PendingArena {
    bytes: Vec<u8>,
    free: [Vec<u32>; CLASSES],
}

impl PendingArena {
    fn alloc(&mut self, class: u8) -> u32 {
        if let Some(at) = self.free[class as usize].pop() {
            return at;
        }
        let at = self.bytes.len();
        self.bytes.resize(at + class_size(class), 0);
        u32::try_from(at).expect("pending postings exceed 4 GiB")
    }

    fn release(&mut self, at: u32, class: u8) {
        if class != NO_SLOT {
            self.free[class as usize].push(at);
        }
    }
}

/// The postings of one term while building (20 bytes: most terms never fill a
/// block, so the block list and own buffer are in a [`Full`] apart).
struct TermBuf {
    /// The current partial block: `pending_len` pairs in `pend_used` bytes of the
    /// slot at `pend_at` of class `pend_class` in the [`PendingArena`].
    pend_at: u32,
    pend_used: u16,
    pend_class: u8,
    pending_len: u8,
    last_doc: u32,
    df: u32,
    /// The term's [`Full`], or [`NO_FULL`]; at the end, for a term that never
    /// filled a block, [`SINGLE`] plus the index of its only block's metadata.
    full: u32,
}

/// The encoded blocks of a term that filled at least one.
#[derive(Default)]
struct Full {
    /// The first `shared_blocks` are in the shared arena, the rest in `own`.
    blocks: Vec<BlockMeta>,
    own: Vec<u8>,
    shared_blocks: u32,
}

/// No [`Full`] yet.
const NO_FULL: u32 = u32::MAX;
/// Flag of [`TermBuf::full`]: the rest indexes the single blocks' metadata.
const SINGLE: u32 = 1 << 31;

impl Default for TermBuf {
    fn default() -> Self {
        TermBuf { pend_at: 0, pend_used: 0, pend_class: NO_SLOT, pending_len: 0, last_doc: 0, df: 0, full: NO_FULL }
    }
}

/// What [`TermBuf::push`] and [`TermBuf::flush`] write into.
struct Stores<'a> {
    shared: &'a mut Vec<u8>,
    pending: &'a mut PendingArena,
    fulls: &'a mut Vec<Full>,
    scratch: &'a mut BlockScratch,
}

/// Reusable decode buffers.
#[derive(Default)]
struct BlockScratch {
    docs: Vec<u32>,
    tfs: Vec<u32>,
}

/// Appends a varint.
#[inline]
fn put_varint(out: &mut [u8], at: &mut usize, mut v: u64) {
    while v >= 0x80 {
        out[*at] = (v as u8) | 0x80;
        *at += 1;
        v >>= 7;
    }
    out[*at] = v as u8;
    *at += 1;
}

/// Reads a varint written by [`put_varint`] (the builder's own bytes: well formed).
#[inline]
fn read_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Decodes `len` pending pairs (`gap << 1 | (tf != 1)`, then `tf - 2` if so;
/// the first "gap" is the doc itself).
fn decode_pending(bytes: &[u8], len: usize, f: &mut dyn FnMut(u32, u32)) {
    let mut prev: Option<u32> = None;
    let mut at = 0usize;
    for _ in 0..len {
        let v = read_varint(bytes, &mut at);
        let tf = if v & 1 == 1 { read_varint(bytes, &mut at) as u32 + 2 } else { 1 };
        let gap = (v >> 1) as u32;
        let doc = prev.map_or(gap, |p| p + gap);
        f(doc, tf);
        prev = Some(doc);
    }
}

impl TermBuf {
    #[inline]
    fn push(&mut self, doc: u32, tf: u32, st: &mut Stores<'_>) {
        let gap = if self.pending_len == 0 { doc } else { doc - self.last_doc };
        let mut pair = [0u8; 10];
        let mut n = 0;
        put_varint(&mut pair, &mut n, u64::from(gap) << 1 | u64::from(tf != 1));
        if tf != 1 {
            put_varint(&mut pair, &mut n, u64::from(tf - 2));
        }
        let arena = &mut *st.pending;
        let used = usize::from(self.pend_used);
        if self.pend_class == NO_SLOT || used + n > class_size(self.pend_class) {
            let class = if self.pend_class == NO_SLOT { 0 } else { self.pend_class + 1 };
            let at = arena.alloc(class);
            if self.pend_class != NO_SLOT {
                let old = self.pend_at as usize;
                arena.bytes.copy_within(old..old + used, at as usize);
                arena.release(self.pend_at, self.pend_class);
            }
            self.pend_at = at;
            self.pend_class = class;
        }
        let at = self.pend_at as usize + used;
        arena.bytes[at..at + n].copy_from_slice(&pair[..n]);
        self.pend_used += n as u16;
        self.last_doc = doc;
        self.df += 1;
        self.pending_len += 1;
        if usize::from(self.pending_len) == BLOCK {
            let home = if (self.df as usize) < TIER_MIN_DF { Home::Shared } else { Home::Own };
            self.flush(home, st);
        }
    }

    /// Encodes the pending postings as a block in `home` and frees their slot.
    fn flush(&mut self, home: Home, st: &mut Stores<'_>) {
        if self.pending_len == 0 {
            return;
        }
        let BlockScratch { docs, tfs } = &mut *st.scratch;
        docs.clear();
        tfs.clear();
        let at = self.pend_at as usize;
        decode_pending(
            &st.pending.bytes[at..at + usize::from(self.pend_used)],
            self.pending_len.into(),
            &mut |d, tf| {
                docs.push(d);
                tfs.push(tf);
            },
        );
        st.pending.release(self.pend_at, self.pend_class);
        (self.pend_class, self.pend_used, self.pending_len) = (NO_SLOT, 0, 0);
        if self.full == NO_FULL {
            self.full = u32::try_from(st.fulls.len()).expect("too many terms");
            st.fulls.push(Full::default());
        }
        let full = &mut st.fulls[self.full as usize];
        let meta = match home {
            Home::Shared => {
                debug_assert_eq!(full.shared_blocks as usize, full.blocks.len(), "shared blocks come first");
                full.shared_blocks += 1;
                encode_block(st.shared, docs, tfs)
            }
            Home::Own => {
                // Grow by a quarter: less slack than doubling.
                if full.own.capacity() - full.own.len() < 2048 {
                    full.own.reserve_exact((full.own.len() / 4).max(4096));
                }
                encode_block(&mut full.own, docs, tfs)
            }
        };
        full.blocks.push(meta);
    }
}

impl Full {
    /// Calls `f(doc, tf)` for every posting of the `df` in these blocks, in doc
    /// order (`shared` is the shared arena).
    fn for_each(&self, df: usize, shared: &[u8], f: &mut dyn FnMut(u32, u32)) {
        for (i, meta) in self.blocks.iter().enumerate() {
            let data = if i < self.shared_blocks as usize { shared } else { &self.own[..] };
            decode_block(data, meta, (df - i * BLOCK).min(BLOCK), &mut *f);
        }
    }
}

/// Builds one field's structures from documents' `(term, weight)` occurrences.
pub(crate) struct FieldBuilder {
    terms: Interner,
    bufs: Vec<TermBuf>,
    fulls: Vec<Full>,
    /// Blocks of terms under [`TIER_MIN_DF`] documents: the final posting data.
    shared: Vec<u8>,
    pending: PendingArena,
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
            fulls: Vec::new(),
            shared: Vec::new(),
            pending: PendingArena::default(),
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
            let b = &self.bufs[t as usize];
            acc = acc.wrapping_add(b.pend_at as usize + usize::from(b.pend_used));
        }
        for &(t, _) in sc.iter() {
            let b = &self.bufs[t as usize];
            let end = b.pend_at as usize + usize::from(b.pend_used);
            acc = acc.wrapping_add(usize::from(self.pending.bytes.get(end).copied().unwrap_or(0)));
        }
        std::hint::black_box(acc);
        let mut st = Stores {
            shared: &mut self.shared,
            pending: &mut self.pending,
            fulls: &mut self.fulls,
            scratch: &mut self.block,
        };
        for &(t, tf) in sc.iter() {
            self.bufs[t as usize].push(doc, tf, &mut st);
        }
        sc.clear();
        self.docs += 1;
    }

    /// Sorts the dictionary, computes idf and norms, lays the postings out in
    /// dictionary order (splitting frequent terms into impact tiers).
    /// `with_remap` is called with the map from provisional to final term ids as
    /// soon as it is known, before the heavy part (so a caller can free what it
    /// only needed until then).
    pub(crate) fn finish(self, with_remap: impl FnOnce(&[u32])) -> Field {
        let FieldBuilder { terms, mut bufs, mut fulls, mut shared, mut pending, docs, scratch: _, mut block } = self;
        let n_docs = docs as usize;
        let order = terms.sorted_ids();
        let mut remap = vec![0u32; order.len()];
        for (rank, &old) in order.iter().enumerate() {
            remap[old as usize] = rank as u32;
        }
        let dict = TermDict::from_sorted(order.iter().map(|&p| terms.get(p)));
        drop(terms);
        with_remap(&remap);
        drop(remap);
        // Every partial block, encoded; then the pending arena goes in one piece.
        // A term that never filled a block has one block, its metadata in `singles`.
        let mut singles: Vec<BlockMeta> = Vec::new();
        singles.reserve_exact(bufs.iter().filter(|b| b.full == NO_FULL).count());
        let mut st = Stores { shared: &mut shared, pending: &mut pending, fulls: &mut fulls, scratch: &mut block };
        for b in bufs.iter_mut() {
            if b.full == NO_FULL {
                let at = st.pending.bytes[b.pend_at as usize..].get(..usize::from(b.pend_used)).unwrap_or_default();
                let BlockScratch { docs, tfs } = &mut *st.scratch;
                docs.clear();
                tfs.clear();
                decode_pending(at, b.pending_len.into(), &mut |d, tf| {
                    docs.push(d);
                    tfs.push(tf);
                });
                b.full = SINGLE | singles.len() as u32;
                singles.push(encode_block(st.shared, docs, tfs));
            } else {
                let home = if (b.df as usize) < TIER_MIN_DF { Home::Shared } else { Home::Own };
                b.flush(home, &mut st);
            }
        }
        drop(pending);
        release_free_memory();
        let n = n_docs as f64;
        let idf: Vec<f64> =
            order.iter().map(|&p| ((1.0 + n) / (1.0 + f64::from(bufs[p as usize].df))).ln() + 1.0).collect();
        // Norms, term after term.
        let mut norm2 = vec![0f64; n_docs];
        for (t, &p) in order.iter().enumerate() {
            let w = idf[t];
            let b = &bufs[p as usize];
            let mut add = |d: u32, tf: u32| {
                let x = f64::from(tf) * w;
                norm2[d as usize] += x * x;
            };
            if b.full & SINGLE != 0 {
                decode_block(&shared, &singles[(b.full & !SINGLE) as usize], b.df as usize, add);
            } else {
                fulls[b.full as usize].for_each(b.df as usize, &shared, &mut add);
            }
        }
        let inv_norms: Vec<f32> = norm2.iter().map(|&s| if s > 0.0 { (1.0 / s.sqrt()) as f32 } else { 0.0 }).collect();
        drop(norm2);
        let blocks = singles.len() + fulls.iter().map(|f| f.blocks.len()).sum::<usize>();
        let tiered = bufs.iter().filter(|b| b.df as usize >= TIER_MIN_DF).count();
        let mut postings = Postings::new(inv_norms);
        postings.data = shared;
        postings.reserve(order.len(), order.len() + 4 * tiered, blocks + 5 * tiered);
        let mut tiers = TierScratch::default();
        let mut freed = 0usize;
        for (t, &p) in order.iter().enumerate() {
            let (df, full) = (bufs[p as usize].df as usize, bufs[p as usize].full);
            let idf32 = idf[t] as f32;
            if full & SINGLE != 0 {
                postings.push_placed_term(&[singles[(full & !SINGLE) as usize]], df, idf32);
                continue;
            }
            let buf = std::mem::take(&mut fulls[full as usize]);
            if df < TIER_MIN_DF {
                // Every block is already in the shared arena.
                postings.push_placed_term(&buf.blocks, df, idf32);
            } else {
                postings.push_tiered_term(df, idf32, &mut tiers, |data, f| buf.for_each(df, data, f));
                freed += buf.own.capacity();
            }
            freed += buf.blocks.capacity() * std::mem::size_of::<BlockMeta>();
            drop(buf);
            // The tier lists grow the posting data while the terms' own buffers
            // are freed: hand those back as we go, so the two never add up.
            if freed >= RELEASE_EVERY {
                release_free_memory();
                freed = 0;
            }
        }
        drop(tiers);
        drop(singles);
        drop(fulls);
        drop(bufs);
        release_free_memory();
        postings.compact();
        postings.finish();
        Field { dict, idf, postings }
    }
}

/// Bytes of freed term buffers after which [`release_free_memory`] is called.
const RELEASE_EVERY: usize = 1 << 20;

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
        self.b.finish(|_| {})
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
        let ProductBuilder { b, surface, surface_stem, .. } = self;
        let mut words = None;
        // The surface dictionary is built, and its interner freed, before the
        // postings are laid out.
        let field = b.finish(|remap| {
            let order = surface.sorted_ids();
            let stems = order.iter().map(|&s| remap[surface_stem[s as usize] as usize]).collect();
            let dict = TermDict::from_sorted(order.iter().map(|&s| surface.get(s)));
            drop(surface);
            drop(surface_stem);
            words = Some((dict, stems));
        });
        let (surface, surface_stem) = words.unwrap_or_default();
        ProductField { field, surface, surface_stem }
    }
}
