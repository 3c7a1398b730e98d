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
//! Every array in the payload is a u64 element count followed by the elements; an
//! absent document column (see [`crate::Index`]'s document table) is an empty array.
//! Version 3: Elias-Fano posting blocks, 32-bit block offsets and list counts,
//! 32-bit votes and title keys.
//! Loading checks magic, version and length, reads the payload while summing it
//! (every array's length is checked against the bytes left before anything is
//! allocated, so memory stays in proportion to the file),
//! checks the checksum, then every structural invariant the search code relies on
//! (offsets, sortedness, decoded doc ids, score bounds), so a corrupt file is an
//! [`Error`], never a panic.
//!
//! Both directions stream: [`Index::save`] writes the payload straight to the file
//! (then the header, with the checksum, over the placeholder it wrote first), and
//! [`Index::load`] reads each array straight into its final place, so neither
//! holds a second copy of the index in memory.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::filter::DocTable;
use crate::index::{Field, Index, ProductField};
use crate::postings::Postings;
use crate::termdict::TermDict;

/// The first bytes of every index file.
pub const MAGIC: [u8; 8] = *b"MRQSIDX\0";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 3;
const HEADER_LEN: usize = 40;
const FLAG_EXACT: u32 = 1;
const FLAG_PRODUCT: u32 = 2;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// Bytes converted per write or read of an array.
const CHUNK: usize = 1 << 16;

/// FNV-1a 64 over little-endian u64 words (8 times faster than byte-wise FNV).
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut c = Checksum::default();
    c.update(bytes);
    c.finish()
}

/// [`checksum`] computed over the payload piece by piece.
#[derive(Debug, Clone)]
struct Checksum {
    h: u64,
    tail: [u8; 8],
    n: usize,
}

impl Default for Checksum {
    fn default() -> Self {
        Checksum { h: FNV_OFFSET, tail: [0; 8], n: 0 }
    }
}

impl Checksum {
    fn update(&mut self, mut bytes: &[u8]) {
        if self.n > 0 {
            let take = (8 - self.n).min(bytes.len());
            self.tail[self.n..self.n + take].copy_from_slice(&bytes[..take]);
            self.n += take;
            bytes = &bytes[take..];
            if self.n < 8 {
                return;
            }
            self.h = (self.h ^ u64::from_le_bytes(self.tail)).wrapping_mul(FNV_PRIME);
            self.n = 0;
        }
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.h = (self.h ^ u64::from_le_bytes(w)).wrapping_mul(FNV_PRIME);
        }
        let rest = chunks.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.n = rest.len();
    }

    fn finish(&self) -> u64 {
        self.tail[..self.n].iter().fold(self.h, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
    }
}

fn header(flags: u32, docs: u64, len: u64, sum: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[12..16].copy_from_slice(&flags.to_le_bytes());
    h[16..24].copy_from_slice(&docs.to_le_bytes());
    h[24..32].copy_from_slice(&len.to_le_bytes());
    h[32..40].copy_from_slice(&sum.to_le_bytes());
    h
}

/// Serialises the payload into `w`, summing and counting what it writes.
struct Writer<W: Write> {
    w: W,
    sum: Checksum,
    len: u64,
}

impl<W: Write> Writer<W> {
    fn new(w: W) -> Self {
        Writer { w, sum: Checksum::default(), len: 0 }
    }
    fn put(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.sum.update(b);
        self.len += b.len() as u64;
        self.w.write_all(b)
    }
    fn u64(&mut self, v: u64) -> std::io::Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn len(&mut self, n: usize) -> std::io::Result<()> {
        self.u64(n as u64)
    }
    fn u8s(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.len(b.len())?;
        for c in b.chunks(CHUNK) {
            self.put(c)?;
        }
        Ok(())
    }
    fn str(&mut self, s: &str) -> std::io::Result<()> {
        self.u8s(s.as_bytes())
    }
    fn array<T: Copy, const N: usize>(&mut self, v: &[T], f: impl Fn(T) -> [u8; N]) -> std::io::Result<()> {
        self.len(v.len())?;
        let mut buf = vec![0u8; CHUNK];
        for c in v.chunks(CHUNK / N) {
            for (slot, &x) in buf.chunks_exact_mut(N).zip(c) {
                slot.copy_from_slice(&f(x));
            }
            self.put(&buf[..c.len() * N])?;
        }
        Ok(())
    }
    fn u16s(&mut self, v: &[u16]) -> std::io::Result<()> {
        self.array(v, u16::to_le_bytes)
    }
    fn u32s(&mut self, v: &[u32]) -> std::io::Result<()> {
        self.array(v, u32::to_le_bytes)
    }
    fn i32s(&mut self, v: &[i32]) -> std::io::Result<()> {
        self.array(v, i32::to_le_bytes)
    }
    fn f32s(&mut self, v: &[f32]) -> std::io::Result<()> {
        self.array(v, f32::to_le_bytes)
    }
    fn f64s(&mut self, v: &[f64]) -> std::io::Result<()> {
        self.array(v, f64::to_le_bytes)
    }
    fn dict(&mut self, d: &TermDict) -> std::io::Result<()> {
        self.str(&d.bytes)?;
        self.u32s(&d.offsets)
    }
    fn postings(&mut self, p: &Postings) -> std::io::Result<()> {
        self.u32s(&p.term_lists)?;
        self.u32s(&p.list_blocks)?;
        self.u32s(&p.list_postings)?;
        self.f32s(&p.list_max)?;
        self.u32s(&p.block_first)?;
        self.u32s(&p.block_last)?;
        self.f32s(&p.block_max)?;
        self.u32s(&p.block_offset)?;
        self.u8s(&p.block_bits)?;
        self.u8s(&p.block_tf_bits)?;
        self.u8s(&p.data)?;
        self.f32s(&p.inv_norms)?;
        self.u32s(&p.list_impacts)?;
        self.f32s(&p.impacts)
    }
    fn field(&mut self, f: &Field) -> std::io::Result<()> {
        self.dict(&f.dict)?;
        self.f64s(&f.idf)?;
        self.postings(&f.postings)
    }
}

/// Deserialises the payload from `r`: every read is checked against the bytes the
/// header says are left, and summed.
struct Reader<R: Read> {
    r: R,
    left: u64,
    sum: Checksum,
}

fn corrupt(what: impl Into<String>) -> Error {
    Error::Corrupt(what.into())
}

fn read_error(source: std::io::Error) -> Error {
    Error::Io { context: "reading the search index".into(), source }
}

impl<R: Read> Reader<R> {
    fn fill(&mut self, out: &mut [u8], what: &str) -> Result<()> {
        if out.len() as u64 > self.left {
            return Err(corrupt(format!("{what}: runs past the end of the payload")));
        }
        self.r.read_exact(out).map_err(read_error)?;
        self.sum.update(out);
        self.left -= out.len() as u64;
        Ok(())
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        let mut w = [0u8; 8];
        self.fill(&mut w, what)?;
        Ok(u64::from_le_bytes(w))
    }
    /// The element count of an array of `size`-byte elements, checked against what is left.
    fn count(&mut self, size: usize, what: &str) -> Result<usize> {
        let n = self.u64(what)?;
        n.checked_mul(size as u64)
            .filter(|&b| b <= self.left)
            .and_then(|_| usize::try_from(n).ok())
            .ok_or_else(|| corrupt(format!("{what}: impossible length")))
    }
    fn array<const N: usize, T>(&mut self, what: &str, f: impl Fn([u8; N]) -> T) -> Result<Vec<T>> {
        let n = self.count(N, what)?;
        let mut out = Vec::with_capacity(n);
        let mut buf = vec![0u8; CHUNK.min(n * N)];
        let mut left = n * N;
        while left > 0 {
            let k = left.min(CHUNK);
            self.fill(&mut buf[..k], what)?;
            out.extend(buf[..k].chunks_exact(N).map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                f(a)
            }));
            left -= k;
        }
        Ok(out)
    }
    fn u8s(&mut self, what: &str) -> Result<Vec<u8>> {
        let n = self.count(1, what)?;
        let mut out = vec![0u8; n];
        for c in out.chunks_mut(CHUNK) {
            self.fill(c, what)?;
        }
        Ok(out)
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
    fn f32s(&mut self, what: &str) -> Result<Vec<f32>> {
        self.array(what, f32::from_le_bytes)
    }
    fn f64s(&mut self, what: &str) -> Result<Vec<f64>> {
        self.array(what, f64::from_le_bytes)
    }
    fn dict(&mut self, what: &str) -> Result<TermDict> {
        Ok(TermDict { bytes: self.str(what)?, offsets: self.u32s(what)? })
    }
    fn postings(&mut self) -> Result<Postings> {
        Ok(Postings {
            term_lists: self.u32s("term lists")?,
            list_blocks: self.u32s("list blocks")?,
            list_postings: self.u32s("list postings")?,
            list_max: self.f32s("list max")?,
            block_first: self.u32s("block first")?,
            block_last: self.u32s("block last")?,
            block_max: self.f32s("block max")?,
            block_offset: self.u32s("block offsets")?,
            block_bits: self.u8s("block bits")?,
            block_tf_bits: self.u8s("block tf bits")?,
            data: self.u8s("posting data")?,
            inv_norms: self.f32s("document norms")?,
            list_impacts: self.u32s("list impacts")?,
            impacts: self.f32s("impacts")?,
            idf: Vec::new(),
        })
    }
    fn field(&mut self, what: &str) -> Result<Field> {
        Ok(Field { dict: self.dict(what)?, idf: self.f64s("idf")?, postings: self.postings()? })
    }
    /// Reads (and sums) whatever is left of the payload.
    fn drain(&mut self) -> Result<()> {
        let mut buf = vec![0u8; CHUNK];
        while self.left > 0 {
            let k = (self.left as usize).min(CHUNK);
            self.fill(&mut buf[..k], "payload")?;
        }
        Ok(())
    }
}

/// Checks one field read from a file and derives what is not stored.
fn validate_field(f: &mut Field, what: &str, docs: usize) -> Result<()> {
    f.dict.validate(what).map_err(corrupt)?;
    if f.idf.len() != f.dict.len() || f.postings.terms() != f.dict.len() {
        return Err(corrupt(format!("{what}: dictionary, idf and postings disagree on the term count")));
    }
    if f.idf.iter().any(|x| !x.is_finite()) {
        return Err(corrupt(format!("{what}: idf not finite")));
    }
    f.postings.idf = f.idf.iter().map(|&x| x as f32).collect();
    f.postings.validate(docs as u32).map_err(|e| corrupt(format!("{what} postings: {e}")))
}

/// The parts of an index file, read but not validated.
struct Parts {
    table: DocTable,
    exact: Option<Field>,
    product: Option<ProductField>,
}

impl Index {
    /// Writes the payload; returns the flags of the structures written.
    fn write_payload<W: Write>(&self, p: &mut Writer<W>) -> std::io::Result<u32> {
        let d = &self.docs;
        p.str(&d.ids)?;
        p.u32s(&d.id_offsets)?;
        p.i32s(&d.years)?;
        p.f32s(&d.ratings)?;
        p.u32s(&d.votes)?;
        p.dict(&d.genre_names)?;
        p.u32s(&d.genre_offsets)?;
        p.u16s(&d.genres)?;
        p.u32s(&d.title_keys)?;
        p.u32s(&d.id_order)?;
        let mut flags = 0;
        if let Some(f) = &self.exact {
            flags |= FLAG_EXACT;
            p.field(f)?;
        }
        if let Some(pf) = &self.product {
            flags |= FLAG_PRODUCT;
            p.field(&pf.field)?;
            p.dict(&pf.surface)?;
            p.u32s(&pf.surface_stem)?;
        }
        Ok(flags)
    }

    /// Writes the index file format to `w` (the payload is serialised twice: once
    /// to compute the header's checksum, once to write it).
    pub fn write_to(&self, mut w: impl Write) -> Result<()> {
        let io = |source| Error::Io { context: "writing the search index".into(), source };
        let mut probe = Writer::new(std::io::sink());
        let flags = self.write_payload(&mut probe).map_err(io)?;
        w.write_all(&header(flags, self.len() as u64, probe.len, probe.sum.finish())).map_err(io)?;
        let mut out = Writer::new(&mut w);
        self.write_payload(&mut out).map_err(io)?;
        w.flush().map_err(io)
    }

    /// Reads an index from the bytes of an index file, checking everything.
    pub fn read_from(bytes: &[u8]) -> Result<Index> {
        let head = bytes.get(..HEADER_LEN.min(bytes.len())).unwrap_or(bytes);
        let total = bytes.len() as u64;
        Self::read_stream(head, total, bytes.get(HEADER_LEN..).unwrap_or(&[]))
    }

    /// Reads an index whose header is `head` (the first bytes of a file of
    /// `total` bytes) and whose payload follows in `payload`.
    fn read_stream(head: &[u8], total: u64, payload: impl Read) -> Result<Index> {
        if head.len() < MAGIC.len() || head[..MAGIC.len()] != MAGIC {
            return Err(Error::BadMagic);
        }
        if head.len() < HEADER_LEN {
            return Err(Error::Truncated { expected: HEADER_LEN as u64, found: total });
        }
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&head[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let version = word(8) as u32;
        let flags = (word(8) >> 32) as u32;
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion { found: version, expected: FORMAT_VERSION });
        }
        let (docs, len, sum) = (word(16), word(24), word(32));
        let found_len = total - HEADER_LEN as u64;
        if found_len != len {
            return Err(Error::Truncated { expected: len, found: found_len });
        }
        let mut r = Reader { r: payload, left: len, sum: Checksum::default() };
        let parsed = match Self::read_parts(&mut r, flags, docs) {
            Ok(parts) => Ok(parts),
            // A checksum mismatch is reported as such, even when it made parsing fail.
            Err(e) => match r.drain() {
                Ok(()) => Err(e),
                Err(_) => return Err(e),
            },
        };
        let found = r.sum.finish();
        if found != sum {
            return Err(Error::Checksum { expected: sum, found });
        }
        let Parts { table, mut exact, mut product } = parsed?;
        let docs = table.len();
        table.validate().map_err(corrupt)?;
        if let Some(f) = exact.as_mut() {
            validate_field(f, "exact", docs)?;
        }
        if let Some(pf) = product.as_mut() {
            validate_field(&mut pf.field, "product", docs)?;
            pf.surface.validate("surface words").map_err(corrupt)?;
            if pf.surface_stem.len() != pf.surface.len()
                || pf.surface_stem.iter().any(|&t| t as usize >= pf.field.dict.len())
            {
                return Err(corrupt("surface words point outside the stem dictionary"));
            }
        }
        let mut index = Index { docs: table, exact, product, prior: Vec::new(), prior_max: 0.0 };
        index.compute_prior();
        Ok(index)
    }

    fn read_parts<R: Read>(r: &mut Reader<R>, flags: u32, docs: u64) -> Result<Parts> {
        if flags & !(FLAG_EXACT | FLAG_PRODUCT) != 0 {
            return Err(corrupt(format!("unknown flags {flags:#x}")));
        }
        let docs = usize::try_from(docs)
            .ok()
            .filter(|&d| d < u32::MAX as usize)
            .ok_or_else(|| corrupt("document count out of range"))?;
        let table = DocTable {
            ids: r.str("ids")?,
            id_offsets: r.u32s("id offsets")?,
            years: r.i32s("years")?,
            ratings: r.f32s("ratings")?,
            votes: r.u32s("votes")?,
            genre_names: r.dict("genre names")?,
            genre_offsets: r.u32s("genre offsets")?,
            genres: r.u16s("genres")?,
            title_keys: r.u32s("title keys")?,
            id_order: r.u32s("id order")?,
        };
        if table.len() != docs {
            return Err(corrupt(format!("header says {docs} documents, table holds {}", table.len())));
        }
        let exact = if flags & FLAG_EXACT != 0 { Some(r.field("exact")?) } else { None };
        let product = if flags & FLAG_PRODUCT != 0 {
            let field = r.field("product")?;
            let surface = r.dict("surface words")?;
            let surface_stem = r.u32s("surface stems")?;
            Some(ProductField { field, surface, surface_stem })
        } else {
            None
        };
        if r.left != 0 {
            return Err(corrupt(format!("{} unread bytes after the last section", r.left)));
        }
        Ok(Parts { table, exact, product })
    }

    /// Writes the index to `path` atomically: a temporary file in the same
    /// directory, synced, then renamed over `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "index".into());
        name.push(format!(".tmp-{}", std::process::id()));
        let tmp = path.with_file_name(name);
        let result = (|| {
            let at = |context: &'static str| {
                let tmp = tmp.clone();
                move |source| Error::Path { context, path: tmp, source }
            };
            let file = std::fs::File::create(&tmp).map_err(at("creating"))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            // A placeholder header, the payload, then the real header over the placeholder.
            w.write_all(&[0u8; HEADER_LEN]).map_err(at("writing"))?;
            let mut p = Writer::new(&mut w);
            let flags = self.write_payload(&mut p).map_err(at("writing"))?;
            let (len, sum) = (p.len, p.sum.finish());
            let mut file = w.into_inner().map_err(|e| at("writing")(e.into_error()))?;
            file.seek(SeekFrom::Start(0)).map_err(at("writing"))?;
            file.write_all(&header(flags, self.len() as u64, len, sum)).map_err(at("writing"))?;
            file.sync_all().map_err(at("syncing"))?;
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

    /// Reads an index file written by [`Index::save`], streaming it (the file is
    /// never held in memory as a whole).
    pub fn load(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref();
        let at = |source| Error::Path { context: "reading", path: path.into(), source };
        let file = std::fs::File::open(path).map_err(at)?;
        let total = file.metadata().map_err(at)?.len();
        let mut r = std::io::BufReader::with_capacity(1 << 20, file);
        let mut head = Vec::with_capacity(HEADER_LEN);
        (&mut r).take(HEADER_LEN as u64).read_to_end(&mut head).map_err(at)?;
        Index::read_stream(&head, total, r)
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
    fn save_streams_the_same_bytes_as_write_to() {
        let dir = std::env::temp_dir().join(format!("search-file-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("search.idx");
        let index = sample();
        index.save(&path).expect("save");
        assert_eq!(std::fs::read(&path).expect("read"), bytes(&index));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn checksum_is_the_same_piece_by_piece() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for split in [0, 1, 3, 8, 9, 500, 999, 1000] {
            let mut c = Checksum::default();
            c.update(&data[..split]);
            for piece in data[split..].chunks(5) {
                c.update(piece);
            }
            assert_eq!(c.finish(), checksum(&data), "split at {split}");
        }
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

    /// A payload whose arrays claim more elements than the file holds is refused
    /// before anything is allocated for them.
    #[test]
    fn array_lengths_beyond_the_file_are_refused_before_allocating() {
        for count in [u64::MAX, u64::MAX / 2, 1 << 40, 1 << 33, 1000] {
            let mut payload = count.to_le_bytes().to_vec();
            payload.extend_from_slice(&[0u8; 64]);
            let mut bytes = header(FLAG_PRODUCT, 1, payload.len() as u64, checksum(&payload)).to_vec();
            bytes.extend_from_slice(&payload);
            let err = Index::read_from(&bytes).expect_err("impossible length");
            assert!(
                matches!(err, Error::Corrupt(ref m) if m.contains("length") || m.contains("past the end")),
                "{err}"
            );
        }
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
