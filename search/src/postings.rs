//! Compressed posting lists: doc ids and term frequencies bit-packed per block,
//! with per-block score bounds.
//!
//! Each list's postings (ascending doc ids) are cut into blocks of [`BLOCK`] = 128.
//! A block stores its first and last doc id, the largest impact in it (the
//! *block max*, used by block-max MaxScore to skip whole blocks), its doc ids as
//! offsets from the first one, bit-packed at the smallest width that holds
//! `last - first` (frame of reference), and its term frequencies minus one,
//! bit-packed at the smallest width that holds the largest (usually 0–2 bits).
//! Unlike delta coding, frame of reference costs a few bits more per posting, but
//! any doc of a block can be read in O(1): moving to the next posting reads one
//! value and skipping to a target is a binary search inside the block, with
//! nothing decoded into buffers.
//!
//! The weight of a posting, its *impact* `tf·idf / ‖doc‖`, is computed when the
//! posting is scored, in f32, from its term frequency, the term's idf and the
//! document's inverse norm ([`impact`]): storing the frequency (a few bits) and one
//! norm per document instead of an f32 per posting makes the lists about four
//! times smaller, and keeps the exact mode within 1e-5 of scikit-learn (the three
//! factors are each rounded once to f32). Block and list maxima are computed with
//! the same function, so they bound the scores exactly.

/// Postings per block.
pub(crate) const BLOCK: usize = 128;
/// The doc id of an exhausted cursor.
pub(crate) const END: u32 = u32::MAX;
/// Terms in at least this many documents are split into impact tiers.
///
/// A frequent term's list is stored as five lists over disjoint postings: the
/// top 1/1024 impacts, then up to the top 1/128, 1/16, 1/4, and the rest
/// (tuned on the 1M-document benchmark corpus). Each is its
/// own cursor with its own (much smaller, for the lower tiers) upper bound, so
/// MaxScore can leave the long low-impact tiers non-essential and only probe them
/// for the few candidates that come from the short high-impact tiers. Since each
/// posting is in exactly one tier, summing the tiers' contributions gives the
/// exact score.
pub(crate) const TIER_MIN_DF: usize = 4096;
/// Tier boundaries as divisors of the document frequency (see [`TIER_MIN_DF`]).
const TIER_DIVISORS: [usize; 4] = [1024, 128, 16, 4];
/// The top tiers of a frequent term (its top 1/16 postings, see [`TIER_DIVISORS`])
/// also store each posting's impact. They are the lists a query walks from end to
/// end (the lower tiers are mostly skipped or probed), and reading their impacts
/// in order is much faster than looking each document's norm up at random; they
/// hold about 4% of all postings.
const STORED_IMPACT_TIERS: usize = 3;

/// The score a posting adds per unit of query weight: `idf × tf × (1 / ‖doc‖)`.
///
/// Every score, block max and list max goes through this one function, so the
/// bounds hold exactly (f32 multiplication by the same query weight is monotone).
#[inline]
pub(crate) fn impact(idf: f32, tf: u32, inv_norm: f32) -> f32 {
    idf * tf as f32 * inv_norm
}

/// Bytes taken by `n` values packed at `bits` bits.
#[inline]
pub(crate) fn packed_len(n: usize, bits: u32) -> usize {
    (n * bits as usize).div_ceil(8)
}

/// Bits needed to hold `v` (0 for 0).
#[inline]
fn width(v: u32) -> u32 {
    32 - v.leading_zeros()
}

/// Value `i` of the values packed at `bits` bits from byte `at` of `data`
/// (which must have 8 readable bytes after the value's first byte).
#[inline]
fn unpack(data: &[u8], at: usize, bits: u32, i: usize) -> u32 {
    if bits == 0 {
        return 0;
    }
    let bit = i * bits as usize;
    let at = at + bit / 8;
    let mut word = [0u8; 8];
    word.copy_from_slice(&data[at..at + 8]);
    ((u64::from_le_bytes(word) >> (bit % 8)) & ((1u64 << bits) - 1)) as u32
}

/// [`unpack`] for data that may lack the 8 bytes of padding (blocks being built).
#[inline]
fn unpack_unpadded(data: &[u8], at: usize, bits: u32, i: usize) -> u32 {
    if bits == 0 {
        return 0;
    }
    let bit = i * bits as usize;
    let at = at + bit / 8;
    let mut word = [0u8; 8];
    match data.get(at..at + 8) {
        Some(w) => word.copy_from_slice(w),
        None => {
            let tail = &data[at.min(data.len())..];
            word[..tail.len()].copy_from_slice(tail);
        }
    }
    ((u64::from_le_bytes(word) >> (bit % 8)) & ((1u64 << bits) - 1)) as u32
}

/// Appends `values` bit-packed at `bits` bits each (little-endian bit order).
fn pack(out: &mut Vec<u8>, values: impl Iterator<Item = u32>, bits: u32) {
    if bits == 0 {
        return;
    }
    let mut acc = 0u64;
    let mut filled = 0u32;
    for v in values {
        acc |= u64::from(v) << filled;
        filled += bits;
        while filled >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            filled -= 8;
        }
    }
    if filled > 0 {
        out.push(acc as u8);
    }
}

/// Where one encoded block is and how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockMeta {
    /// First doc id.
    pub(crate) first: u32,
    /// Last doc id.
    pub(crate) last: u32,
    /// Byte offset of the packed doc offsets (then the packed frequencies).
    pub(crate) offset: u64,
    /// Width of the doc offsets.
    pub(crate) bits: u8,
    /// Width of the frequencies minus one.
    pub(crate) tf_bits: u8,
}

/// Encodes one block (`docs` strictly ascending, `tfs` all at least 1, at most
/// [`BLOCK`] of each) at the end of `data`.
pub(crate) fn encode_block(data: &mut Vec<u8>, docs: &[u32], tfs: &[u32]) -> BlockMeta {
    debug_assert!(!docs.is_empty() && docs.len() == tfs.len() && docs.len() <= BLOCK);
    let (first, last) = (docs[0], docs[docs.len() - 1]);
    let bits = width(last - first);
    let tf_bits = width(tfs.iter().map(|&t| t - 1).max().unwrap_or(0));
    let offset = data.len() as u64;
    pack(data, docs.iter().map(|&d| d - first), bits);
    pack(data, tfs.iter().map(|&t| t - 1), tf_bits);
    BlockMeta { first, last, offset, bits: bits as u8, tf_bits: tf_bits as u8 }
}

/// Calls `f(doc, tf)` for the `len` postings of the block `meta` in `data`
/// (padded or not).
#[inline]
pub(crate) fn decode_block(data: &[u8], meta: &BlockMeta, len: usize, mut f: impl FnMut(u32, u32)) {
    let (bits, tf_bits) = (u32::from(meta.bits), u32::from(meta.tf_bits));
    let at = meta.offset as usize;
    let tf_at = at + packed_len(len, bits);
    for i in 0..len {
        // Wrapping: a corrupt block decodes to a non-ascending doc, which validation rejects.
        let d = meta.first.wrapping_add(unpack_unpadded(data, at, bits, i));
        f(d, unpack_unpadded(data, tf_at, tf_bits, i).saturating_add(1));
    }
}

/// All posting lists of one index structure.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Postings {
    /// `term_lists[t]..term_lists[t + 1]`: the lists (impact tiers) of term `t`.
    pub(crate) term_lists: Vec<u32>,
    /// `list_blocks[l]..list_blocks[l + 1]`: the blocks of list `l`.
    pub(crate) list_blocks: Vec<u32>,
    /// `list_postings[l]..list_postings[l + 1]`: the postings of list `l`.
    pub(crate) list_postings: Vec<u64>,
    /// The largest impact of each list (its MaxScore upper bound).
    pub(crate) list_max: Vec<f32>,
    /// First doc id of each block.
    pub(crate) block_first: Vec<u32>,
    /// Last doc id of each block.
    pub(crate) block_last: Vec<u32>,
    /// Largest impact in each block.
    pub(crate) block_max: Vec<f32>,
    /// Byte offset of each block's packed doc offsets in `data` (its packed
    /// frequencies follow them).
    pub(crate) block_offset: Vec<u64>,
    /// Bit width of each block's doc offsets (0..=32).
    pub(crate) block_bits: Vec<u8>,
    /// Bit width of each block's frequencies minus one (0..=32).
    pub(crate) block_tf_bits: Vec<u8>,
    /// Packed blocks, followed by 8 zero bytes so unpacking can read whole words.
    pub(crate) data: Vec<u8>,
    /// `1 / ‖doc‖` of each document (0 for a document without terms).
    pub(crate) inv_norms: Vec<f32>,
    /// `list_impacts[l]..list_impacts[l + 1]`: the stored impacts of list `l` in
    /// `impacts`, one per posting, or none (see [`STORED_IMPACT_TIERS`]).
    pub(crate) list_impacts: Vec<u64>,
    /// Stored impacts, exactly [`impact`] of their posting.
    pub(crate) impacts: Vec<f32>,
    /// The idf of each term, as the scorer uses it (derived from the f64 idf of
    /// the structure, not stored on disk).
    pub(crate) idf: Vec<f32>,
}

impl Postings {
    /// An empty structure over documents with these inverse norms, ready for
    /// [`Self::push_term`] and [`Self::push_encoded_term`].
    pub(crate) fn new(inv_norms: Vec<f32>) -> Self {
        Postings {
            term_lists: vec![0],
            list_blocks: vec![0],
            list_postings: vec![0],
            list_impacts: vec![0],
            inv_norms,
            ..Default::default()
        }
    }

    /// Reserves room for `blocks` more blocks, `lists` more lists and `bytes` more data.
    pub(crate) fn reserve(&mut self, terms: usize, lists: usize, blocks: usize, bytes: usize) {
        self.term_lists.reserve_exact(terms);
        self.idf.reserve_exact(terms);
        self.list_blocks.reserve_exact(lists);
        self.list_postings.reserve_exact(lists);
        self.list_max.reserve_exact(lists);
        self.list_impacts.reserve_exact(lists);
        self.block_first.reserve_exact(blocks);
        self.block_last.reserve_exact(blocks);
        self.block_max.reserve_exact(blocks);
        self.block_offset.reserve_exact(blocks);
        self.block_bits.reserve_exact(blocks);
        self.block_tf_bits.reserve_exact(blocks);
        self.data.reserve_exact(bytes);
    }

    /// Number of terms.
    pub(crate) fn terms(&self) -> usize {
        self.term_lists.len().saturating_sub(1)
    }

    /// The lists of term `t` (see [`TIER_MIN_DF`]).
    #[inline]
    pub(crate) fn lists(&self, t: u32) -> std::ops::Range<usize> {
        self.term_lists[t as usize] as usize..self.term_lists[t as usize + 1] as usize
    }

    /// Document frequency of term `t`.
    #[inline]
    pub(crate) fn df(&self, t: u32) -> u32 {
        let l = self.lists(t);
        (self.list_postings[l.end] - self.list_postings[l.start]) as u32
    }

    /// Appends the next term's postings (`docs` strictly ascending, `tfs` at
    /// least 1), split into impact tiers when the term is frequent.
    pub(crate) fn push_term(&mut self, docs: &[u32], tfs: &[u32], idf: f32, scratch: &mut Vec<f32>) {
        debug_assert_eq!(docs.len(), tfs.len());
        let df = docs.len();
        if df < TIER_MIN_DF {
            self.push_list(docs, tfs, idf, false);
        } else {
            let inv = &self.inv_norms;
            scratch.clear();
            scratch.extend(docs.iter().zip(tfs).map(|(&d, &tf)| impact(idf, tf, inv[d as usize])));
            let impacts = scratch.clone();
            // Thresholds: the impacts at ranks df / divisor (descending).
            let mut cuts = [f32::INFINITY; TIER_DIVISORS.len()];
            for (cut, div) in cuts.iter_mut().zip(TIER_DIVISORS) {
                let rank = df / div;
                let (_, nth, _) = scratch.select_nth_unstable_by(rank, |a, b| b.total_cmp(a));
                *cut = *nth;
            }
            let mut tier_docs = Vec::new();
            let mut tier_tfs = Vec::new();
            for tier in 0..=cuts.len() {
                let hi = if tier == 0 { f32::INFINITY } else { cuts[tier - 1] };
                let lo = if tier == cuts.len() { f32::NEG_INFINITY } else { cuts[tier] };
                tier_docs.clear();
                tier_tfs.clear();
                for ((&d, &tf), &w) in docs.iter().zip(tfs).zip(&impacts) {
                    // Tier 0 takes impacts >= cut 0, tier i those in [cut i, cut i-1).
                    let above_lo = if tier == cuts.len() { true } else { w >= lo };
                    let below_hi = tier == 0 || w < hi;
                    if above_lo && below_hi {
                        tier_docs.push(d);
                        tier_tfs.push(tf);
                    }
                }
                if !tier_docs.is_empty() {
                    self.push_list(&tier_docs, &tier_tfs, idf, tier < STORED_IMPACT_TIERS);
                }
            }
        }
        self.end_term(idf);
    }

    /// Appends the next term as one list whose blocks are already encoded in
    /// `self.data` (`df` postings, every block full but the last).
    pub(crate) fn push_placed_term(&mut self, blocks: &[BlockMeta], df: usize, idf: f32) {
        debug_assert_eq!(df.div_ceil(BLOCK), blocks.len());
        let mut max = 0f32;
        for (i, meta) in blocks.iter().enumerate() {
            let len = (df - i * BLOCK).min(BLOCK);
            let mut bmax = 0f32;
            let inv = &self.inv_norms;
            decode_block(&self.data, meta, len, |d, tf| bmax = bmax.max(impact(idf, tf, inv[d as usize])));
            max = max.max(bmax);
            self.push_block_meta(meta, bmax);
        }
        self.end_list(df, max);
        self.end_term(idf);
    }

    /// [`Self::push_placed_term`] for blocks encoded in `data` (offsets relative to it).
    #[cfg(test)]
    pub(crate) fn push_encoded_term(&mut self, data: &[u8], blocks: &[BlockMeta], df: usize, idf: f32) {
        let base = self.data.len() as u64;
        self.data.extend_from_slice(data);
        let placed: Vec<BlockMeta> = blocks.iter().map(|m| BlockMeta { offset: base + m.offset, ..*m }).collect();
        self.push_placed_term(&placed, df, idf);
    }

    /// Postings in block `b` of list `l`.
    #[inline]
    fn block_len(&self, l: usize, b: usize) -> usize {
        let total = (self.list_postings[l + 1] - self.list_postings[l]) as usize;
        (total - (b - self.list_blocks[l] as usize) * BLOCK).min(BLOCK)
    }

    /// Drops the bytes of `data` that no block refers to (blocks written during
    /// building and replaced since), moving the blocks down in offset order.
    pub(crate) fn compact(&mut self) {
        let mut spans: Vec<(u64, u32, u32)> = Vec::with_capacity(self.block_first.len());
        for l in 0..self.list_max.len() {
            for b in self.list_blocks[l] as usize..self.list_blocks[l + 1] as usize {
                let len = self.block_len(l, b);
                let bytes =
                    packed_len(len, u32::from(self.block_bits[b])) + packed_len(len, u32::from(self.block_tf_bits[b]));
                spans.push((self.block_offset[b], b as u32, bytes as u32));
            }
        }
        let live: usize = spans.iter().map(|s| s.2 as usize).sum();
        if live == self.data.len() {
            return;
        }
        spans.sort_unstable();
        let mut at = 0usize;
        for (off, b, bytes) in spans {
            let (off, bytes) = (off as usize, bytes as usize);
            debug_assert!(off >= at, "blocks do not overlap");
            if off != at {
                self.data.copy_within(off..off + bytes, at);
            }
            self.block_offset[b as usize] = at as u64;
            at += bytes;
        }
        self.data.truncate(at);
    }

    fn push_block_meta(&mut self, meta: &BlockMeta, bmax: f32) {
        self.block_first.push(meta.first);
        self.block_last.push(meta.last);
        self.block_max.push(bmax);
        self.block_offset.push(meta.offset);
        self.block_bits.push(meta.bits);
        self.block_tf_bits.push(meta.tf_bits);
    }

    fn end_list(&mut self, postings: usize, max: f32) {
        self.list_impacts.push(self.impacts.len() as u64);
        self.list_max.push(max);
        self.list_blocks.push(self.block_first.len() as u32);
        let total = self.list_postings.last().copied().unwrap_or(0) + postings as u64;
        self.list_postings.push(total);
    }

    fn end_term(&mut self, idf: f32) {
        self.idf.push(idf);
        self.term_lists.push(self.list_max.len() as u32);
    }

    /// Appends one posting list (`docs` strictly ascending), storing its impacts if asked.
    fn push_list(&mut self, docs: &[u32], tfs: &[u32], idf: f32, store_impacts: bool) {
        debug_assert_eq!(docs.len(), tfs.len());
        let mut max = 0f32;
        for (d, t) in docs.chunks(BLOCK).zip(tfs.chunks(BLOCK)) {
            let inv = &self.inv_norms;
            let at = self.impacts.len();
            if store_impacts {
                self.impacts.extend(d.iter().zip(t).map(|(&d, &tf)| impact(idf, tf, inv[d as usize])));
            }
            let bmax = if store_impacts {
                self.impacts[at..].iter().copied().fold(0f32, f32::max)
            } else {
                d.iter().zip(t).map(|(&d, &tf)| impact(idf, tf, inv[d as usize])).fold(0f32, f32::max)
            };
            max = max.max(bmax);
            let meta = encode_block(&mut self.data, d, t);
            self.push_block_meta(&meta, bmax);
        }
        self.end_list(docs.len(), max);
    }

    /// Ends building: pads `data` for word-wide unpacking and drops spare capacity.
    pub(crate) fn finish(&mut self) {
        self.data.extend_from_slice(&[0u8; 8]);
        self.data.shrink_to_fit();
    }

    /// The metadata of block `b`.
    #[inline]
    fn meta(&self, b: usize) -> BlockMeta {
        BlockMeta {
            first: self.block_first[b],
            last: self.block_last[b],
            offset: self.block_offset[b],
            bits: self.block_bits[b],
            tf_bits: self.block_tf_bits[b],
        }
    }

    /// The term frequency of doc `d` in list `list`, if the doc is in it.
    pub(crate) fn find(&self, list: usize, d: u32) -> Option<u32> {
        let (b0, b1) = (self.list_blocks[list] as usize, self.list_blocks[list + 1] as usize);
        if b0 == b1 || d < self.block_first[b0] || d > self.block_last[b1 - 1] {
            return None;
        }
        let b = b0 + self.block_last[b0..b1].partition_point(|&l| l < d);
        let first = self.block_first[b];
        if d < first {
            return None;
        }
        let len =
            (self.list_postings[list + 1] as usize - self.list_postings[list] as usize - (b - b0) * BLOCK).min(BLOCK);
        let (bits, tf_bits) = (u32::from(self.block_bits[b]), u32::from(self.block_tf_bits[b]));
        let at = self.block_offset[b] as usize;
        let rel = d - first;
        let (mut lo, mut hi) = (0usize, len - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if unpack(&self.data, at, bits, mid) < rel {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (unpack(&self.data, at, bits, lo) == rel)
            .then(|| unpack(&self.data, at + packed_len(len, bits), tf_bits, lo).saturating_add(1))
    }

    /// Checks every invariant the cursors rely on, decoding every block: doc ids
    /// strictly ascending and below `docs`, block metadata consistent, every
    /// impact within its block's and list's maxima.
    pub(crate) fn validate(&self, docs: u32) -> Result<(), String> {
        let terms = self.terms();
        let lists = self.list_max.len();
        let blocks = self.block_first.len();
        if self.list_blocks.len() != lists + 1
            || self.list_postings.len() != lists + 1
            || self.list_impacts.len() != lists + 1
        {
            return Err("list tables have inconsistent lengths".into());
        }
        if self.list_impacts[0] != 0
            || self.list_impacts[lists] != self.impacts.len() as u64
            || self.list_impacts.windows(2).any(|w| w[0] > w[1])
        {
            return Err("stored impacts do not match the lists".into());
        }
        let tl = &self.term_lists;
        if tl.first() != Some(&0) || tl.last().copied() != Some(lists as u32) || tl.windows(2).any(|w| w[0] > w[1]) {
            return Err("term lists do not cover the posting lists".into());
        }
        if self.idf.len() != terms || self.idf.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err("bad idf table".into());
        }
        if self.inv_norms.len() != docs as usize || self.inv_norms.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err("bad document norms".into());
        }
        if [
            self.block_last.len(),
            self.block_max.len(),
            self.block_offset.len(),
            self.block_bits.len(),
            self.block_tf_bits.len(),
        ]
        .iter()
        .any(|&l| l != blocks)
        {
            return Err("block tables have inconsistent lengths".into());
        }
        if self.list_blocks[0] != 0 || self.list_postings[0] != 0 {
            return Err("list tables do not start at zero".into());
        }
        if self.list_blocks[lists] as usize != blocks {
            return Err("list tables do not cover the blocks".into());
        }
        for t in 0..terms {
            let idf = self.idf[t];
            for l in self.lists(t as u32) {
                self.validate_list(l, idf, docs)?;
            }
        }
        Ok(())
    }

    fn validate_list(&self, l: usize, idf: f32, docs: u32) -> Result<(), String> {
        let blocks = self.block_first.len();
        let (b0, b1) = (self.list_blocks[l] as usize, self.list_blocks[l + 1] as usize);
        let (p0, p1) = (self.list_postings[l], self.list_postings[l + 1]);
        if b0 > b1 || p0 > p1 || b1 > blocks {
            return Err(format!("list {l}: ranges out of bounds"));
        }
        if (p1 - p0).div_ceil(BLOCK as u64) != (b1 - b0) as u64 {
            return Err(format!("list {l}: block count does not match its postings"));
        }
        let (i0, i1) = (self.list_impacts[l], self.list_impacts[l + 1]);
        let stored = i1 > i0;
        if stored && i1 - i0 != p1 - p0 {
            return Err(format!("list {l}: stored impacts do not match its postings"));
        }
        if !self.list_max[l].is_finite() {
            return Err(format!("list {l}: max not finite"));
        }
        let mut prev: Option<u32> = None;
        for b in b0..b1 {
            let len = ((p1 - p0) as usize - (b - b0) * BLOCK).min(BLOCK);
            let meta = self.meta(b);
            let (bits, tf_bits) = (u32::from(meta.bits), u32::from(meta.tf_bits));
            let end = (meta.offset as usize)
                .checked_add(packed_len(len, bits.min(32)) + packed_len(len, tf_bits.min(32)) + 8);
            if bits > 32 || tf_bits > 32 || end.is_none_or(|end| end > self.data.len()) {
                return Err(format!("list {l}: block {b} out of bounds"));
            }
            if meta.first >= docs || prev.is_some_and(|p| meta.first <= p) {
                return Err(format!("list {l}: doc ids not ascending"));
            }
            if !self.block_max[b].is_finite() || self.block_max[b] > self.list_max[l] {
                return Err(format!("list {l}: block {b} max above the list max"));
            }
            // Offsets strictly ascending from 0, ending at the stored last doc.
            let mut last: Option<u32> = None;
            let mut ok = true;
            let mut bmax = 0f32;
            let mut at = i0 as usize + (b - b0) * BLOCK;
            decode_block(&self.data, &meta, len, |d, tf| {
                // `d` may exceed `docs` only if the block is bad; checked before use.
                ok &= last.is_none_or(|p| d > p) && (last.is_some() || d == meta.first) && d < docs;
                if ok {
                    let w = impact(idf, tf, self.inv_norms[d as usize]);
                    // A stored impact is exactly the computed one: both paths score alike.
                    ok &= !stored || self.impacts[at].to_bits() == w.to_bits();
                    bmax = bmax.max(w);
                }
                last = Some(d);
                at += 1;
            });
            if !ok || last != Some(meta.last) {
                return Err(format!("list {l}: block {b} doc ids not ascending or last doc mismatch"));
            }
            if bmax > self.block_max[b] {
                return Err(format!("list {l}: block {b} max too small"));
            }
            prev = Some(meta.last);
        }
        Ok(())
    }
}

/// A position in one posting list, plus the query's weight for its term.
///
/// It holds no reference to the [`Postings`] so that cursors can live in reusable
/// per-thread scratch space; every method takes the postings it was opened on.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    /// The query-side weight multiplied into every impact.
    pub(crate) weight: f32,
    /// The query word this term stands for (a doc scores the best term per group).
    pub(crate) group: u32,
    /// `weight × list max`: no document scores more from this list.
    pub(crate) ub: f32,
    /// The current doc, or [`END`].
    pub(crate) doc: u32,
    idf: f32,
    block: usize,
    block_end: usize,
    list_end: usize,
    posting_base: usize,
    first: u32,
    len: usize,
    pos: usize,
    /// Where the current block's doc offsets and frequencies are, and their widths.
    doc_at: usize,
    tf_at: usize,
    bits: u32,
    tf_bits: u32,
    /// Whether the list stores its impacts; if so `imp_at` is the index in
    /// `impacts` of the current block's first one, and `imp_base` (wrapping) what
    /// turns a posting index into an impact index.
    stored: bool,
    imp_at: usize,
    imp_base: usize,
    /// The block whose impacts from some position on are in the cursor's
    /// [`ImpactBuf`], and the block of the last posting scored (`usize::MAX`: none).
    filled: usize,
    filled_end: usize,
    scored: usize,
}

/// Impacts computed at once by [`Cursor::score`] when a cursor walks a block.
const FILL: usize = 16;

/// A cursor's copy of its current block's impacts (see [`Cursor::score`]).
pub(crate) type ImpactBuf = [f32; BLOCK];

impl Cursor {
    /// Opens posting list `list` of term `term` for a query with `weight`, on its
    /// first posting.
    pub(crate) fn open(p: &Postings, term: u32, list: usize, weight: f32, group: u32) -> Cursor {
        let mut c = Cursor {
            weight,
            group,
            ub: weight * p.list_max[list],
            doc: END,
            idf: p.idf[term as usize],
            block: p.list_blocks[list] as usize,
            block_end: p.list_blocks[list + 1] as usize,
            list_end: p.list_postings[list + 1] as usize,
            posting_base: 0,
            first: 0,
            len: 0,
            pos: 0,
            doc_at: 0,
            tf_at: 0,
            bits: 0,
            tf_bits: 0,
            stored: p.list_impacts[list + 1] > p.list_impacts[list],
            imp_at: 0,
            imp_base: (p.list_impacts[list] as usize).wrapping_sub(p.list_postings[list] as usize),
            filled: usize::MAX,
            filled_end: 0,
            scored: usize::MAX,
        };
        c.enter_block(p, c.block, p.list_postings[list] as usize);
        c
    }

    #[inline]
    fn enter_block(&mut self, p: &Postings, b: usize, posting_base: usize) {
        self.block = b;
        if b >= self.block_end {
            self.doc = END;
            return;
        }
        self.posting_base = posting_base;
        self.len = (self.list_end - posting_base).min(BLOCK);
        self.pos = 0;
        self.first = p.block_first[b];
        self.doc = self.first;
        self.bits = u32::from(p.block_bits[b]);
        self.tf_bits = u32::from(p.block_tf_bits[b]);
        self.doc_at = p.block_offset[b] as usize;
        self.tf_at = self.doc_at + packed_len(self.len, self.bits);
        self.imp_at = self.imp_base.wrapping_add(posting_base);
    }

    #[inline]
    fn jump_to_block(&mut self, p: &Postings, b: usize) {
        let base = self.posting_base + (b - self.block) * BLOCK;
        self.enter_block(p, b, base);
    }

    /// Offset `i` of the current block (doc id minus the block's first doc id).
    #[inline]
    fn offset(&self, p: &Postings, i: usize) -> u32 {
        unpack(&p.data, self.doc_at, self.bits, i)
    }

    /// The weighted impact of the current posting (the cursor must not be at [`END`]).
    ///
    /// A stored impact is read in order. Otherwise the impact needs the
    /// document's norm, a random read: when a second posting
    /// of the same block is scored (the cursor is walking the block, not probing
    /// it), the impacts of the rest of the block are computed at once into `buf`,
    /// so that those reads overlap instead of waiting for each other.
    #[inline]
    pub(crate) fn score(&mut self, p: &Postings, buf: &mut ImpactBuf) -> f32 {
        if self.stored {
            return self.weight * p.impacts[self.imp_at + self.pos];
        }
        if self.filled == self.block && self.pos < self.filled_end {
            return self.weight * buf[self.pos];
        }
        if self.scored == self.block {
            let end = (self.pos + FILL).min(self.len);
            for (i, slot) in buf.iter_mut().enumerate().take(end).skip(self.pos) {
                let d = self.first + self.offset(p, i);
                let tf = unpack(&p.data, self.tf_at, self.tf_bits, i).saturating_add(1);
                *slot = impact(self.idf, tf, p.inv_norms[d as usize]);
            }
            self.filled = self.block;
            self.filled_end = end;
            return self.weight * buf[self.pos];
        }
        self.scored = self.block;
        let tf = unpack(&p.data, self.tf_at, self.tf_bits, self.pos).saturating_add(1);
        self.weight * impact(self.idf, tf, p.inv_norms[self.doc as usize])
    }

    /// Moves to the next posting.
    #[inline]
    pub(crate) fn next(&mut self, p: &Postings) {
        self.pos += 1;
        if self.pos >= self.len {
            self.jump_to_block(p, self.block + 1);
            return;
        }
        self.doc = self.first + self.offset(p, self.pos);
    }

    /// Moves to the first posting with doc `>= target`.
    #[inline]
    pub(crate) fn advance(&mut self, p: &Postings, target: u32) {
        if self.doc >= target {
            return;
        }
        if target > p.block_last[self.block] {
            // Gallop: the next block is the usual case, else binary search.
            let mut b = self.block + 1;
            if b < self.block_end && p.block_last[b] < target {
                b += 1 + p.block_last[b + 1..self.block_end].partition_point(|&l| l < target);
            }
            self.jump_to_block(p, b);
            if self.doc >= target {
                return;
            }
        }
        // The block's last doc is >= target: binary search in (pos, len).
        let rel = target - self.first;
        let (mut lo, mut hi) = (self.pos + 1, self.len - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.offset(p, mid) < rel {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        self.pos = lo;
        self.doc = self.first + self.offset(p, lo);
    }

    /// Last doc of the current block (the cursor must not be at [`END`]).
    #[inline]
    pub(crate) fn block_last(&self, p: &Postings) -> u32 {
        p.block_last[self.block]
    }

    /// `weight ×` the current block's max impact (the cursor must not be at [`END`]).
    #[inline]
    pub(crate) fn block_ub(&self, p: &Postings) -> f32 {
        self.weight * p.block_max[self.block]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists over `docs` documents with norm 1 and tf `d % 7 + 1`, idf 1.
    fn build(lists: &[Vec<u32>], docs: usize) -> Postings {
        let mut p = Postings::new(vec![1.0; docs]);
        for list in lists {
            let tfs: Vec<u32> = list.iter().map(|&d| d % 7 + 1).collect();
            p.push_term(list, &tfs, 1.0, &mut Vec::new());
        }
        p.finish();
        p
    }

    fn walk(p: &Postings, term: u32, list: usize) -> Vec<(u32, f32)> {
        let mut c = Cursor::open(p, term, list, 1.0, 0);
        let mut buf = [0f32; BLOCK];
        let mut got = Vec::new();
        while c.doc != END {
            got.push((c.doc, c.score(p, &mut buf)));
            c.next(p);
        }
        got
    }

    #[test]
    fn round_trips_through_cursors() {
        let long: Vec<u32> = (0..1000).map(|i| i * 7 + (i % 5)).collect();
        let dense: Vec<u32> = (0..300).collect();
        let wide = vec![0, 1, 70_000, 199_999];
        let p = build(&[long.clone(), dense.clone(), wide.clone(), vec![5]], 200_000);
        assert!(p.validate(200_000).is_ok());
        for (t, list) in [long, dense, wide, vec![5]].iter().enumerate() {
            let got = walk(&p, t as u32, t);
            assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), *list);
            assert!(got.iter().all(|&(d, s)| s == (d % 7 + 1) as f32), "tf travels with its doc");
            assert_eq!(p.df(t as u32) as usize, list.len());
            for &d in list {
                assert_eq!(p.find(t, d), Some(d % 7 + 1));
            }
            assert_eq!(p.find(t, 3), list.contains(&3).then_some(4));
        }
    }

    #[test]
    fn encoded_terms_equal_pushed_terms() {
        let docs: Vec<u32> = (0..1000).map(|i| i * 3 + (i % 2)).collect();
        let tfs: Vec<u32> = (0..1000).map(|i| 1 + (i * 31 % 9)).collect();
        let inv: Vec<f32> = (0..3000).map(|d| 1.0 / (1.0 + d as f32)).collect();
        let mut a = Postings::new(inv.clone());
        a.push_term(&docs, &tfs, 2.5, &mut Vec::new());
        a.finish();
        let mut data = Vec::new();
        let blocks: Vec<BlockMeta> =
            docs.chunks(BLOCK).zip(tfs.chunks(BLOCK)).map(|(d, t)| encode_block(&mut data, d, t)).collect();
        let mut b = Postings::new(inv);
        b.push_encoded_term(&data, &blocks, docs.len(), 2.5);
        b.finish();
        assert_eq!(a, b);
        assert!(b.validate(3000).is_ok());
    }

    #[test]
    fn advance_finds_the_first_doc_at_or_after_target() {
        let list: Vec<u32> = (0..2000).map(|i| i * 2).collect();
        let p = build(std::slice::from_ref(&list), 4000);
        let mut c = Cursor::open(&p, 0, 0, 1.0, 0);
        let mut buf = [0f32; BLOCK];
        for target in [0u32, 1, 2, 255, 256, 257, 1001, 3000, 3999] {
            c.advance(&p, target);
            let want = list.iter().copied().find(|&d| d >= target).unwrap_or(END);
            assert_eq!(c.doc, want, "target {target}");
            if want != END {
                assert_eq!(c.score(&p, &mut buf), (want % 7 + 1) as f32);
            }
        }
        c.advance(&p, 4000);
        assert_eq!(c.doc, END);
    }

    #[test]
    fn frequent_terms_split_into_disjoint_impact_tiers() {
        let docs: Vec<u32> = (0..10_000).map(|i| i * 2).collect();
        let tfs: Vec<u32> = (0..10_000u32).map(|i| 1 + (i * 7919) % 1000).collect();
        let mut p = Postings::new(vec![0.001; 20_000]);
        p.push_term(&docs, &tfs, 1.0, &mut Vec::new());
        p.finish();
        assert!(p.validate(20_000).is_ok());
        let lists = p.lists(0);
        assert_eq!(lists.len(), TIER_DIVISORS.len() + 1);
        assert_eq!(p.df(0), 10_000);
        let mut seen = Vec::new();
        let mut maxes = Vec::new();
        for l in lists {
            let mut last = None;
            for (d, s) in walk(&p, 0, l) {
                assert!(last < Some(d));
                last = Some(d);
                let i = (d / 2) as usize;
                assert_eq!(s, impact(1.0, tfs[i], 0.001), "impact travels with its doc");
                seen.push(d);
            }
            maxes.push(p.list_max[l]);
            let stored = p.list_impacts[l + 1] - p.list_impacts[l];
            let postings = p.list_postings[l + 1] - p.list_postings[l];
            assert_eq!(stored, if l < STORED_IMPACT_TIERS { postings } else { 0 }, "list {l}");
        }
        seen.sort_unstable();
        assert_eq!(seen, docs, "every posting in exactly one tier");
        assert!(maxes.windows(2).all(|w| w[0] > w[1]), "tiers ordered by impact: {maxes:?}");
        // The top tier is small: about 1/TIER_DIVISORS[0] of the postings.
        assert!(p.list_postings[1] - p.list_postings[0] <= (10_000 / TIER_DIVISORS[0] + 20) as u64);
    }

    #[test]
    fn validation_rejects_inconsistent_blocks() {
        let mut p = build(&[vec![1, 2, 3]], 10);
        assert!(p.validate(10).is_ok());
        let mut short = p.clone();
        short.inv_norms.truncate(3);
        assert!(short.validate(3).is_err(), "doc 3 is out of range for 3 docs");
        let mut low = p.clone();
        low.block_max[0] = 0.5;
        assert!(low.validate(10).is_err(), "block max below an impact");
        p.block_last[0] = 7;
        assert!(p.validate(10).is_err());
        // A stored impact that differs from the computed one.
        let docs: Vec<u32> = (0..5000).collect();
        let mut t = Postings::new(vec![0.5; 5000]);
        t.push_term(&docs, &vec![1; 5000], 1.0, &mut Vec::new());
        t.finish();
        assert!(t.validate(5000).is_ok());
        t.impacts[0] *= 0.5;
        assert!(t.validate(5000).is_err());
    }
}
