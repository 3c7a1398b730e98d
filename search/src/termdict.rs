//! A sorted term dictionary: all terms in one byte buffer, looked up by binary
//! search; a term's id is its rank, so a prefix is a contiguous id range.

use std::ops::Range;

/// Sorted, deduplicated strings stored contiguously.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TermDict {
    /// The concatenated UTF-8 bytes of all terms, in sorted order.
    pub(crate) bytes: String,
    /// `offsets[i]..offsets[i + 1]` is term `i` in `bytes` (`len() + 1` entries).
    pub(crate) offsets: Vec<u32>,
}

impl TermDict {
    /// Builds a dictionary from terms that are already sorted and unique.
    pub(crate) fn from_sorted<'a>(terms: impl IntoIterator<Item = &'a str>) -> Self {
        let mut dict = TermDict { bytes: String::new(), offsets: vec![0] };
        for t in terms {
            dict.bytes.push_str(t);
            dict.offsets.push(dict.bytes.len() as u32);
        }
        dict
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.offsets.capacity() * 4
    }

    /// Number of terms.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Term `i`. Callers pass ids below [`Self::len`].
    #[inline]
    pub(crate) fn get(&self, i: usize) -> &str {
        &self.bytes[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// The id of `term`, if present.
    pub(crate) fn find(&self, term: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(term) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    /// The ids of all terms that start with `prefix`.
    pub(crate) fn prefix_range(&self, prefix: &str) -> Range<usize> {
        let n = self.len();
        let start = partition(n, |i| self.get(i) < prefix);
        let end = start + partition(n - start, |i| self.get(start + i).starts_with(prefix));
        start..end
    }

    /// Checks the invariants a loaded dictionary must hold.
    pub(crate) fn validate(&self, what: &str) -> Result<(), String> {
        let Some(&first) = self.offsets.first() else {
            return Err(format!("{what}: no offsets"));
        };
        if first != 0 || *self.offsets.last().unwrap_or(&0) as usize != self.bytes.len() {
            return Err(format!("{what}: offsets do not span the term bytes"));
        }
        for w in self.offsets.windows(2) {
            if w[0] > w[1] || !self.bytes.is_char_boundary(w[1] as usize) {
                return Err(format!("{what}: bad term offsets"));
            }
        }
        for i in 1..self.len() {
            if self.get(i - 1) >= self.get(i) {
                return Err(format!("{what}: terms not sorted at {i}"));
            }
        }
        Ok(())
    }
}

/// The first index in `0..n` for which `pred` is false (`pred` must be true then false).
fn partition(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// FxHash (rustc's hasher): fast for the short string keys of index building.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_terms_and_prefixes() {
        let d = TermDict::from_sorted(["cas", "casa", "casablanca", "cat", "léon"]);
        assert_eq!(d.len(), 5);
        assert_eq!(d.find("casa"), Some(1));
        assert_eq!(d.find("léon"), Some(4));
        assert_eq!(d.find("ca"), None);
        assert_eq!(d.prefix_range("casa"), 1..3);
        assert_eq!(d.prefix_range("ca"), 0..4);
        assert_eq!(d.prefix_range("z"), 5..5);
        assert!(d.validate("t").is_ok());
    }
}
