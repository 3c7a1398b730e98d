//! The string interner of index building: every distinct term gets an id in
//! first-seen order.
//!
//! Terms live in one arena (no allocation per term); the open-addressing table
//! keeps each key's length and first 8 bytes inline in its 16-byte slot, so a
//! probe for a word of up to 8 bytes (most words) compares two integers and never
//! touches the arena, and a hit costs one cache line.

/// Interned strings, ids `0..len()` in insertion order.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// Open-addressing table (linear probing), a power of two long, at most half full.
    slots: Vec<Slot>,
    /// All strings, concatenated in id order.
    arena: String,
    /// `arena[ends[id - 1]..ends[id]]` is string `id` (`ends[-1]` = 0).
    ends: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The key's first 8 bytes, zero-padded.
    head: u64,
    /// The key's length in bytes.
    len: u32,
    /// The id, or [`EMPTY`].
    id: u32,
}

const EMPTY: u32 = u32::MAX;
const EMPTY_SLOT: Slot = Slot { head: 0, len: 0, id: EMPTY };
const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// The first 16 bytes of `s`, zero-padded, as two words.
#[inline]
fn head(s: &[u8]) -> [u64; 2] {
    let mut b = [0u8; 16];
    let n = s.len().min(16);
    b[..n].copy_from_slice(&s[..n]);
    let mut lo = [0u8; 8];
    let mut hi = [0u8; 8];
    lo.copy_from_slice(&b[..8]);
    hi.copy_from_slice(&b[8..]);
    [u64::from_le_bytes(lo), u64::from_le_bytes(hi)]
}

#[inline]
fn hash(h: [u64; 2], s: &[u8]) -> u64 {
    let mut x = (h[0] ^ (s.len() as u64).wrapping_mul(K)).wrapping_mul(K);
    x = (x.rotate_left(26) ^ h[1]).wrapping_mul(K);
    if s.len() > 16 {
        for c in s[16..].chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            x = (x.rotate_left(26) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
    }
    x ^ (x >> 32)
}

impl Interner {
    /// Number of strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// String `id`.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.arena[start..self.ends[i]]
    }

    #[inline]
    fn slot_of(&self, h: u64) -> usize {
        // The table length is a power of two; the hash's high bits are the best mixed.
        (h >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// The id of `s`, if interned.
    #[cfg(test)]
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let b = s.as_bytes();
        let hd = head(b);
        let mask = self.slots.len() - 1;
        let mut i = self.slot_of(hash(hd, b));
        loop {
            let slot = &self.slots[i];
            if slot.id == EMPTY {
                return None;
            }
            if slot.head == hd[0] && slot.len as usize == b.len() && (b.len() <= 8 || self.get(slot.id) == s) {
                return Some(slot.id);
            }
            i = (i + 1) & mask;
        }
    }

    /// The hash [`Self::intern_hashed`] takes.
    #[inline]
    pub(crate) fn hash(s: &str) -> u64 {
        let b = s.as_bytes();
        hash(head(b), b)
    }

    /// Reads the slot where a string of hash `h` is looked up first, so that a
    /// later [`Self::intern_hashed`] finds it in cache: touching all the words of a
    /// document first lets the processor fetch their slots in parallel.
    #[inline]
    pub(crate) fn touch(&self, h: u64) -> u32 {
        if self.slots.is_empty() {
            0
        } else {
            self.slots[self.slot_of(h)].id
        }
    }

    /// The id of `s`, interning it first if new; the flag says whether it was new.
    #[cfg(test)]
    pub(crate) fn intern(&mut self, s: &str) -> (u32, bool) {
        self.intern_hashed(s, Self::hash(s))
    }

    /// [`Self::intern`] with the string's [`Self::hash`] already computed.
    #[inline]
    pub(crate) fn intern_hashed(&mut self, s: &str, h: u64) -> (u32, bool) {
        if self.slots.is_empty() || 2 * (self.ends.len() + 1) > self.slots.len() {
            self.grow();
        }
        let b = s.as_bytes();
        let hd = head(b);
        let mask = self.slots.len() - 1;
        let mut i = self.slot_of(h);
        loop {
            let slot = self.slots[i];
            if slot.id == EMPTY {
                break;
            }
            if slot.head == hd[0] && slot.len as usize == b.len() && (b.len() <= 8 || self.get(slot.id) == s) {
                return (slot.id, false);
            }
            i = (i + 1) & mask;
        }
        let id = self.ends.len() as u32;
        assert!(id < EMPTY && b.len() <= u32::MAX as usize, "too many or too long terms to intern");
        self.arena.push_str(s);
        self.ends.push(self.arena.len());
        self.slots[i] = Slot { head: hd[0], len: b.len() as u32, id };
        (id, true)
    }

    /// Doubles the table (16 slots at first) and reinserts every string.
    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(16);
        let mut slots = vec![EMPTY_SLOT; cap];
        let mask = cap - 1;
        let shift = 64 - cap.trailing_zeros();
        for id in 0..self.ends.len() as u32 {
            let b = self.get(id).as_bytes();
            let hd = head(b);
            let mut i = (hash(hd, b) >> shift) as usize;
            while slots[i].id != EMPTY {
                i = (i + 1) & mask;
            }
            slots[i] = Slot { head: hd[0], len: b.len() as u32, id };
        }
        self.slots = slots;
    }

    /// The ids sorted by their strings.
    pub(crate) fn sorted_ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..self.len() as u32).collect();
        ids.sort_unstable_by(|&a, &b| self.get(a).cmp(self.get(b)));
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_short_long_and_tricky_keys() {
        let mut t = Interner::default();
        let long = "x".repeat(40);
        let keys = ["ab", "ab\0", "", "sixteen-bytes-16", "sixteen-bytes-16!", &long, "léon", "ab\0\0", "東京", "ba"];
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.intern(k), (i as u32, true), "{k:?}");
        }
        for _ in 0..2000 {
            // Many more keys force several rehashes.
            let n = t.len();
            assert_eq!(t.intern(&format!("w{n}")), (n as u32, true));
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.intern(k), (i as u32, false), "{k:?}");
            assert_eq!(t.find(k), Some(i as u32));
            assert_eq!(t.get(i as u32), *k);
        }
        assert_eq!(t.find("abc"), None);
        assert_eq!(t.find(&"x".repeat(41)), None);
        let sorted = t.sorted_ids();
        assert!(sorted.windows(2).all(|w| t.get(w[0]) < t.get(w[1])));
    }
}
