//! The index file: a versioned binary format with a checksummed payload,
//! written atomically.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `MRQSIDX\0` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 4 | flags: bit 0 exact structure present, bit 1 product structure present |
//! | 8 | document count |
//! | 8 | payload length in bytes |
//! | 8 | checksum of the payload: FNV-1a 64 over its little-endian u64 words (a tail of fewer than 8 bytes byte by byte) |
//! | … | payload: the document table, then each structure present |
//!
//! Every array in the payload is a u64 element count followed by the elements.
//! Loading checks magic, version, length and checksum, then every structural
//! invariant the search code relies on (offsets, sortedness, decoded doc ids), so
//! a corrupt file is an [`Error`], never a panic.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::filter::DocTable;
use crate::index::{Field, Index, ProductField};
use crate::postings::Postings;
use crate::termdict::TermDict;

/// The first bytes of every index file.
pub const MAGIC: [u8; 8] = *b"MRQSIDX\0";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 2;
const HEADER_LEN: usize = 40;
const FLAG_EXACT: u32 = 1;
const FLAG_PRODUCT: u32 = 2;

/// FNV-1a 64 over little-endian u64 words (8 times faster than byte-wise FNV).
pub fn checksum(bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(PRIME);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    h
}

/// Serialises into a byte buffer.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn u8s(&mut self, v: &[u8]) {
        self.bytes(v);
    }
    fn u16s(&mut self, v: &[u16]) {
        self.len(v.len());
        v.iter().for_each(|x| self.0.extend_from_slice(&x.to_le_bytes()));
    }
    fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        v.iter().for_each(|x| self.0.extend_from_slice(&x.to_le_bytes()));
    }
    fn i32s(&mut self, v: &[i32]) {
        self.len(v.len());
        v.iter().for_each(|x| self.0.extend_from_slice(&x.to_le_bytes()));
    }
    fn u64s(&mut self, v: &[u64]) {
        self.len(v.len());
        v.iter().for_each(|x| self.0.extend_from_slice(&x.to_le_bytes()));
    }
    fn f32s(&mut self, v: &[f32]) {
        self.len(v.len());
        v.iter().for_each(|x| self.0.extend_from_slice(&x.to_le_bytes()));
    }
    fn f64s(&mut self, v: &[f64]) {
        self.len(v.len());
        v.iter().for_each(|x| self.0.extend_from_slice(&x.to_le_bytes()));
    }
    fn dict(&mut self, d: &TermDict) {
        self.str(&d.bytes);
        self.u32s(&d.offsets);
    }
    fn postings(&mut self, p: &Postings) {
        self.u32s(&p.term_lists);
        self.u32s(&p.list_blocks);
        self.u64s(&p.list_postings);
        self.f32s(&p.list_max);
        self.u32s(&p.block_first);
        self.u32s(&p.block_last);
        self.f32s(&p.block_max);
        self.u64s(&p.block_offset);
        self.u8s(&p.block_bits);
        self.u8s(&p.block_tf_bits);
        self.u8s(&p.data);
        self.f32s(&p.inv_norms);
    }
    fn field(&mut self, f: &Field) {
        self.dict(&f.dict);
        self.f64s(&f.idf);
        self.postings(&f.postings);
    }
}

/// Deserialises from a byte slice; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn corrupt(what: impl Into<String>) -> Error {
    Error::Corrupt(what.into())
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| corrupt(format!("{what}: runs past the end of the payload")))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_le_bytes(w))
    }
    fn array<const N: usize, T>(&mut self, what: &str, f: impl Fn([u8; N]) -> T) -> Result<Vec<T>> {
        let n = self.u64(what)?;
        let bytes = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(N))
            .ok_or_else(|| corrupt(format!("{what}: impossible length")))?;
        let raw = self.take(bytes, what)?;
        Ok(raw
            .chunks_exact(N)
            .map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                f(a)
            })
            .collect())
    }
    fn u8s(&mut self, what: &str) -> Result<Vec<u8>> {
        self.array::<1, u8>(what, |a| a[0])
    }
    fn str(&mut self, what: &str) -> Result<String> {
        String::from_utf8(self.u8s(what)?).map_err(|_| corrupt(format!("{what}: not UTF-8")))
    }
    fn u16s(&mut self, what: &str) -> Result<Vec<u16>> {
        self.array(what, u16::from_le_bytes)
    }
    fn u32s(&mut self, what: &str) -> Result<Vec<u32>> {
        self.array(what, u32::from_le_bytes)
    }
    fn i32s(&mut self, what: &str) -> Result<Vec<i32>> {
        self.array(what, i32::from_le_bytes)
    }
    fn u64s(&mut self, what: &str) -> Result<Vec<u64>> {
        self.array(what, u64::from_le_bytes)
    }
    fn f32s(&mut self, what: &str) -> Result<Vec<f32>> {
        self.array(what, f32::from_le_bytes)
    }
    fn f64s(&mut self, what: &str) -> Result<Vec<f64>> {
        self.array(what, f64::from_le_bytes)
    }
    fn dict(&mut self, what: &str) -> Result<TermDict> {
        let d = TermDict { bytes: self.str(what)?, offsets: self.u32s(what)? };
        d.validate(what).map_err(corrupt)?;
        Ok(d)
    }
    fn postings(&mut self) -> Result<Postings> {
        Ok(Postings {
            term_lists: self.u32s("term lists")?,
            list_blocks: self.u32s("list blocks")?,
            list_postings: self.u64s("list postings")?,
            list_max: self.f32s("list max")?,
            block_first: self.u32s("block first")?,
            block_last: self.u32s("block last")?,
            block_max: self.f32s("block max")?,
            block_offset: self.u64s("block offsets")?,
            block_bits: self.u8s("block bits")?,
            block_tf_bits: self.u8s("block tf bits")?,
            data: self.u8s("posting data")?,
            inv_norms: self.f32s("document norms")?,
            idf: Vec::new(),
        })
    }
    fn field(&mut self, what: &str, docs: usize) -> Result<Field> {
        let dict = self.dict(what)?;
        let idf = self.f64s("idf")?;
        let mut postings = self.postings()?;
        if idf.len() != dict.len() || postings.terms() != dict.len() {
            return Err(corrupt(format!("{what}: dictionary, idf and postings disagree on the term count")));
        }
        if idf.iter().any(|x| !x.is_finite()) {
            return Err(corrupt(format!("{what}: idf not finite")));
        }
        postings.idf = idf.iter().map(|&x| x as f32).collect();
        postings.validate(docs as u32).map_err(|e| corrupt(format!("{what} postings: {e}")))?;
        Ok(Field { dict, idf, postings })
    }
}

impl Index {
    /// Writes the index file format to `w`.
    pub fn write_to(&self, mut w: impl Write) -> Result<()> {
        let mut p = Writer::default();
        let d = &self.docs;
        p.str(&d.ids);
        p.u32s(&d.id_offsets);
        p.i32s(&d.years);
        p.f32s(&d.ratings);
        p.u64s(&d.votes);
        p.dict(&d.genre_names);
        p.u32s(&d.genre_offsets);
        p.u16s(&d.genres);
        p.u64s(&d.title_keys);
        p.u32s(&d.id_order);
        let mut flags = 0;
        if let Some(f) = &self.exact {
            flags |= FLAG_EXACT;
            p.field(f);
        }
        if let Some(pf) = &self.product {
            flags |= FLAG_PRODUCT;
            p.field(&pf.field);
            p.dict(&pf.surface);
            p.u32s(&pf.surface_stem);
        }
        let payload = p.0;
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(&MAGIC);
        header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        header.extend_from_slice(&flags.to_le_bytes());
        header.extend_from_slice(&(self.len() as u64).to_le_bytes());
        header.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        header.extend_from_slice(&checksum(&payload).to_le_bytes());
        let io = |source| Error::Io { context: "writing the search index".into(), source };
        w.write_all(&header).map_err(io)?;
        w.write_all(&payload).map_err(io)?;
        w.flush().map_err(io)
    }

    /// Reads an index from the bytes of an index file, checking everything.
    pub fn read_from(bytes: &[u8]) -> Result<Index> {
        if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
            return Err(Error::BadMagic);
        }
        if bytes.len() < HEADER_LEN {
            return Err(Error::Truncated { expected: HEADER_LEN as u64, found: bytes.len() as u64 });
        }
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let version = word(8) as u32;
        let flags = (word(8) >> 32) as u32;
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion { found: version, expected: FORMAT_VERSION });
        }
        let (docs, len, sum) = (word(16), word(24), word(32));
        let payload = &bytes[HEADER_LEN..];
        if payload.len() as u64 != len {
            return Err(Error::Truncated { expected: len, found: payload.len() as u64 });
        }
        let found = checksum(payload);
        if found != sum {
            return Err(Error::Checksum { expected: sum, found });
        }
        if flags & !(FLAG_EXACT | FLAG_PRODUCT) != 0 {
            return Err(corrupt(format!("unknown flags {flags:#x}")));
        }
        let docs = usize::try_from(docs)
            .ok()
            .filter(|&d| d < u32::MAX as usize)
            .ok_or_else(|| corrupt("document count out of range"))?;
        let mut r = Reader { bytes: payload, at: 0 };
        let table = DocTable {
            ids: r.str("ids")?,
            id_offsets: r.u32s("id offsets")?,
            years: r.i32s("years")?,
            ratings: r.f32s("ratings")?,
            votes: r.u64s("votes")?,
            genre_names: r.dict("genre names")?,
            genre_offsets: r.u32s("genre offsets")?,
            genres: r.u16s("genres")?,
            title_keys: r.u64s("title keys")?,
            id_order: r.u32s("id order")?,
        };
        if table.len() != docs {
            return Err(corrupt(format!("header says {docs} documents, table holds {}", table.len())));
        }
        table.validate().map_err(corrupt)?;
        let exact = if flags & FLAG_EXACT != 0 { Some(r.field("exact", docs)?) } else { None };
        let product = if flags & FLAG_PRODUCT != 0 {
            let field = r.field("product", docs)?;
            let surface = r.dict("surface words")?;
            let surface_stem = r.u32s("surface stems")?;
            if surface_stem.len() != surface.len() || surface_stem.iter().any(|&t| t as usize >= field.dict.len()) {
                return Err(corrupt("surface words point outside the stem dictionary"));
            }
            Some(ProductField { field, surface, surface_stem })
        } else {
            None
        };
        if r.at != payload.len() {
            return Err(corrupt(format!("{} unread bytes after the last section", payload.len() - r.at)));
        }
        let mut index = Index { docs: table, exact, product, prior: Vec::new(), prior_max: 0.0 };
        index.compute_prior();
        Ok(index)
    }

    /// Writes the index to `path` atomically: a temporary file in the same
    /// directory, synced, then renamed over `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "index".into());
        name.push(format!(".tmp-{}", std::process::id()));
        let tmp = path.with_file_name(name);
        let result = (|| {
            let file = std::fs::File::create(&tmp).map_err(|source| Error::Path {
                context: "creating",
                path: tmp.clone(),
                source,
            })?;
            let mut w = std::io::BufWriter::new(file);
            self.write_to(&mut w)?;
            let file = w.into_inner().map_err(|e| Error::Path {
                context: "writing",
                path: tmp.clone(),
                source: e.into_error(),
            })?;
            file.sync_all().map_err(|source| Error::Path { context: "syncing", path: tmp.clone(), source })?;
            std::fs::rename(&tmp, path).map_err(|source| Error::Path {
                context: "renaming into",
                path: path.into(),
                source,
            })
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Reads an index file written by [`Index::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        let bytes =
            std::fs::read(path).map_err(|source| Error::Path { context: "reading", path: path.into(), source })?;
        Index::read_from(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, Filter, Mode};

    fn sample() -> Index {
        let docs = ["Casablanca", "Léon: The Professional", "Spider-Man", "The Godfather", "Casablanca"]
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                id: format!("tt{i}"),
                title: t.to_string(),
                body: format!("A film about {t} and other things number {i}"),
                votes: 10 * i as u64,
                year: Some(1940 + i as i32),
                rating: Some(7.0 + i as f32 / 10.0),
                genres: vec!["Drama".into()],
            });
        Index::build(docs)
    }

    fn bytes(index: &Index) -> Vec<u8> {
        let mut out = Vec::new();
        index.write_to(&mut out).expect("write to a Vec");
        out
    }

    #[test]
    fn round_trip_keeps_everything() {
        let index = sample();
        let back = Index::read_from(&bytes(&index)).expect("read back");
        assert_eq!(back, index);
        let q = |i: &Index| i.search("casablanca", Mode::Product, &Filter::default(), 10);
        assert_eq!(q(&back), q(&index));
    }

    #[test]
    fn save_and_load_through_a_file() {
        let dir = std::env::temp_dir().join(format!("search-file-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("search.idx");
        let index = sample();
        index.save(&path).expect("save");
        assert_eq!(Index::load(&path).expect("load"), index);
        let leftovers = std::fs::read_dir(&dir).expect("list").count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
        let missing = Index::load(dir.join("nope.idx")).expect_err("missing file");
        assert!(missing.to_string().contains("nope.idx"), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn truncated_files_are_errors() {
        let b = bytes(&sample());
        for cut in [0, 4, 8, 20, HEADER_LEN, HEADER_LEN + 1, b.len() / 2, b.len() - 1] {
            let err = Index::read_from(&b[..cut]).expect_err("truncated");
            assert!(matches!(err, Error::BadMagic | Error::Truncated { .. }), "cut {cut}: {err}");
        }
    }

    #[test]
    fn any_flipped_payload_byte_is_caught() {
        let b = bytes(&sample());
        for at in (HEADER_LEN..b.len()).step_by(7) {
            let mut bad = b.clone();
            bad[at] ^= 0x40;
            let err = Index::read_from(&bad).expect_err("flipped byte");
            assert!(matches!(err, Error::Checksum { .. }), "byte {at}: {err}");
        }
    }

    #[test]
    fn wrong_version_and_magic_are_reported() {
        let mut b = bytes(&sample());
        b[8] = 99;
        let err = Index::read_from(&b).expect_err("version");
        assert!(matches!(err, Error::UnsupportedVersion { found: 99, expected: FORMAT_VERSION }), "{err}");
        b[0] = b'X';
        assert!(matches!(Index::read_from(&b), Err(Error::BadMagic)));
    }

    #[test]
    fn inconsistent_payload_with_valid_checksum_is_corrupt_not_a_panic() {
        // Re-checksum a payload whose posting data was tampered with.
        let b = bytes(&sample());
        for at in (HEADER_LEN..b.len()).step_by(3) {
            let mut bad = b.clone();
            bad[at] = bad[at].wrapping_add(1);
            let sum = checksum(&bad[HEADER_LEN..]);
            bad[32..40].copy_from_slice(&sum.to_le_bytes());
            // Either still a valid index (e.g. a changed vote count) or a clean error.
            let _ = Index::read_from(&bad);
        }
    }
}
