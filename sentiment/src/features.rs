//! N-gram features: stable 64-bit n-gram keys and the key table.
//!
//! A feature is an n-gram of tokens (n = 1 up to [`FeatureConfig::ngram_max`]),
//! identified by a 64-bit key hashed from its tokens. The key is the n-gram's
//! identity: the vocabulary is the set of keys kept at training (pruned by
//! document frequency), so the model never stores strings. With at most a few
//! million distinct n-grams, two of them share a key with probability about
//! `n² / 2⁶⁵` < 10⁻⁶, unlike the hashing trick into a small table, where
//! collisions are routine.
//!
//! The hash is FNV-1a over the token's bytes, finalised with the MurmurHash3 mixer
//! (`fmix64`); an n-gram key chains the previous (n-1)-gram key with the next token
//! hash. It is written here, not taken from `std`, because keys are stored in model
//! files and must not change between builds or platforms.

use crate::tokenize::{for_each_token_normalized, normalize_into, TOKENIZER_VERSION};

/// What turns a text into features; stored in every model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureConfig {
    /// The tokenizer rules' version ([`TOKENIZER_VERSION`]).
    pub tokenizer_version: u32,
    /// The longest n-gram (1 = unigrams only, 2 = uni+bigrams, 3 = up to trigrams).
    pub ngram_max: u8,
    /// Whether each document's feature vector is scaled to unit Euclidean length.
    pub l2_normalize: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig { tokenizer_version: TOKENIZER_VERSION, ngram_max: 3, l2_normalize: true }
    }
}

/// The longest n-gram supported.
pub const MAX_NGRAM: u8 = 3;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Multiplier chaining an n-gram key with the next token (the 64-bit golden ratio).
const CHAIN: u64 = 0x9e37_79b9_7f4a_7c15;

/// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
#[inline]
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// The hash of one token.
#[inline]
pub fn token_hash(token: &str) -> u64 {
    let mut h = FNV_OFFSET;
    for &b in token.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    fmix64(h)
}

/// The key of the n-gram `prefix_key` (an (n-1)-gram key or a token hash) followed
/// by the token whose hash is `next`.
#[inline]
pub fn chain_key(prefix_key: u64, next: u64) -> u64 {
    fmix64(prefix_key.wrapping_mul(CHAIN) ^ next)
}

/// Zero marks an empty slot in [`KeyTable`], so a key is never zero.
#[inline]
fn nonzero(k: u64) -> u64 {
    if k == 0 {
        1
    } else {
        k
    }
}

/// The key of an n-gram given as tokens (1 ≤ n ≤ [`MAX_NGRAM`]), as
/// [`for_each_key`] produces it. For tests and tools.
pub fn ngram_key(tokens: &[&str]) -> u64 {
    let mut it = tokens.iter().map(|t| token_hash(t));
    let first = it.next().unwrap_or(0);
    nonzero(it.fold(first, chain_key))
}

/// Reusable buffers for turning texts into n-gram keys without allocating.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    pub(crate) text: String,
    pub(crate) keys: Vec<u64>,
    pub(crate) set: Vec<u64>,
}

impl Scratch {
    /// The keys left by the last [`distinct_keys`] call (distinct, in order of
    /// first appearance).
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }
}

/// Calls `f` with the key of every n-gram of `text` (1 ≤ n ≤ `ngram_max`) in text
/// order, duplicates included. `buf` holds the normalised text.
pub fn for_each_key(text: &str, ngram_max: u8, buf: &mut String, mut f: impl FnMut(u64)) {
    normalize_into(text, buf);
    let mut prev = 0u64; // hash of the previous token
    let mut prev_bi = 0u64; // key of the bigram ending at the previous token
    let mut seen = 0usize;
    for_each_token_normalized(buf, |tok| {
        let h = token_hash(tok);
        f(nonzero(h));
        if ngram_max >= 2 && seen >= 1 {
            let bi = chain_key(prev, h);
            f(nonzero(bi));
            if ngram_max >= 3 && seen >= 2 {
                f(nonzero(chain_key(prev_bi, h)));
            }
            prev_bi = bi;
        }
        prev = h;
        seen += 1;
    });
}

/// The distinct n-gram keys of `text`, in order of first appearance, into
/// `scratch.keys`.
///
/// Duplicates are dropped with a small open-addressing set (twice the key
/// count, in cache) rather than by sorting: about half the cost.
pub fn distinct_keys(text: &str, ngram_max: u8, scratch: &mut Scratch) {
    let Scratch { text: buf, keys, set } = scratch;
    keys.clear();
    for_each_key(text, ngram_max, buf, |k| keys.push(k));
    let cap = (keys.len() * 2).next_power_of_two().max(16);
    set.clear();
    set.resize(cap, 0);
    let mask = cap - 1;
    let mut kept = 0;
    for r in 0..keys.len() {
        let k = keys[r];
        // Bits the key tables do not use for their slots.
        let mut i = (k >> 40) as usize & mask;
        loop {
            match set[i] {
                0 => {
                    set[i] = k;
                    keys[kept] = k;
                    kept += 1;
                    break;
                }
                s if s == k => break,
                _ => i = (i + 1) & mask,
            }
        }
    }
    keys.truncate(kept);
}

/// An open-addressing hash table from non-zero n-gram keys to values, with
/// linear probing and a load factor of at most 3/4. A slot holds the key and
/// its value side by side, so a hit costs one cache miss. Built once, read-only
/// after: lookups never allocate.
#[derive(Debug, Clone)]
pub struct KeyTable<V> {
    /// Key 0 marks an empty slot.
    slots: Vec<(u64, V)>,
    mask: usize,
    len: usize,
}

impl<V: Copy + Default> KeyTable<V> {
    /// A table holding `pairs` (keys must be non-zero and distinct; a repeated key
    /// keeps its last value).
    pub fn from_pairs(pairs: impl ExactSizeIterator<Item = (u64, V)>) -> Self {
        let cap = (pairs.len() * 4 / 3 + 1).next_power_of_two().max(16);
        let mut t = KeyTable { slots: vec![(0, V::default()); cap], mask: cap - 1, len: 0 };
        for (k, v) in pairs {
            debug_assert!(k != 0, "zero key");
            let mut i = t.slot(k);
            while t.slots[i].0 != 0 && t.slots[i].0 != k {
                i = (i + 1) & t.mask;
            }
            if t.slots[i].0 == 0 {
                t.len += 1;
            }
            t.slots[i] = (k, v);
        }
        t
    }

    #[inline]
    fn slot(&self, k: u64) -> usize {
        // Keys are fmix64 outputs: the low bits are as good as any.
        (k as usize) & self.mask
    }

    /// The value of `key`, if present.
    #[inline]
    pub fn get(&self, key: u64) -> Option<V> {
        let mut i = self.slot(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Every `(key, value)`, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, V)> + '_ {
        self.slots.iter().copied().filter(|&(k, _)| k != 0)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held by the table.
    pub fn heap_bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<(u64, V)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(text: &str, n: u8) -> Vec<u64> {
        let mut buf = String::new();
        let mut v = Vec::new();
        for_each_key(text, n, &mut buf, |k| v.push(k));
        v
    }

    #[test]
    fn ngrams_in_order() {
        let k = |t: &[&str]| ngram_key(t);
        assert_eq!(keys_of("Not good", 1), [k(&["not"]), k(&["good"])]);
        assert_eq!(keys_of("Not good", 2), [k(&["not"]), k(&["good"]), k(&["not", "good"])]);
        assert_eq!(
            keys_of("not<br />very good !", 3),
            [
                k(&["not"]),
                k(&["very"]),
                k(&["not", "very"]),
                k(&["good"]),
                k(&["very", "good"]),
                k(&["not", "very", "good"]),
                k(&["!"]),
                k(&["good", "!"]),
                k(&["very", "good", "!"]),
            ]
        );
    }

    #[test]
    fn keys_are_order_sensitive_and_stable() {
        assert_ne!(ngram_key(&["good", "not"]), ngram_key(&["not", "good"]));
        assert_ne!(ngram_key(&["a", "b"]), ngram_key(&["ab"]));
        // Pinned: these values are part of the model file format.
        assert_eq!(token_hash(""), fmix64(FNV_OFFSET));
        assert_eq!(ngram_key(&["good"]), 0x8cab_3c66_8ee8_a4f4);
    }

    #[test]
    fn distinct_keys_dedup() {
        let mut s = Scratch::default();
        distinct_keys("bad bad bad", 2, &mut s);
        assert_eq!(s.keys, [ngram_key(&["bad"]), ngram_key(&["bad", "bad"])]);
        // A long text with many repeats: the same set as sort + dedup.
        let text = "so bad , so so bad ! not good , not bad . ".repeat(50);
        distinct_keys(&text, 3, &mut s);
        let mut got = s.keys.clone();
        got.sort_unstable();
        let mut want = keys_of(&text, 3);
        want.sort_unstable();
        want.dedup();
        assert_eq!(got, want);
        assert_eq!(s.keys()[0], ngram_key(&["so"]));
    }

    #[test]
    fn key_table_lookup() {
        let pairs: Vec<(u64, u32)> = (1..=1000u64).map(|i| (fmix64(i) | 1, i as u32)).collect();
        let t = KeyTable::from_pairs(pairs.iter().copied());
        assert_eq!(t.len(), 1000);
        for &(k, v) in &pairs {
            assert_eq!(t.get(k), Some(v));
        }
        assert_eq!(t.get(12345 << 1), None);
        let mut all: Vec<(u64, u32)> = t.iter().collect();
        all.sort_unstable();
        let mut want = pairs.clone();
        want.sort_unstable();
        assert_eq!(all, want);
        let empty = KeyTable::<u32>::from_pairs(std::iter::empty());
        assert!(empty.is_empty() && empty.get(7).is_none());
    }
}
