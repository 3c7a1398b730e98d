//! Parallel gzip with the output of a single-threaded writer: one gzip
//! member (as IMDb publishes), whose deflate stream is built from chunks
//! compressed independently (in any thread) and concatenated in order, the
//! way pigz does. Each chunk ends with a sync flush (byte-aligned, not
//! final); [`GzWriter::finish`] appends an empty final block and the trailer
//! (the CRC-32 of the chunks combined, and the length).
//!
//! The bytes depend only on the chunks and the level, never on the number
//! of threads or their timing.

use std::io::{self, Write};

use flate2::{Compress, Compression, FlushCompress};

/// A chunk of raw deflate data with the CRC-32 and length of its input.
pub struct DeflatedChunk {
    pub bytes: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
}

/// Compresses `data` into a non-final, byte-aligned run of deflate blocks.
pub fn deflate_chunk(data: &[u8], level: u32) -> DeflatedChunk {
    let mut crc = crc32fast::Hasher::new();
    crc.update(data);
    let mut c = Compress::new(Compression::new(level), false);
    let mut out = Vec::with_capacity(data.len() / 3 + 1024);
    loop {
        if out.capacity() - out.len() < 32 * 1024 {
            out.reserve(out.capacity().max(64 * 1024));
        }
        let consumed = c.total_in() as usize;
        // Raw deflate into a Vec cannot fail: the input is plain bytes.
        c.compress_vec(&data[consumed..], &mut out, FlushCompress::Sync).expect("deflate of in-memory bytes");
        // The flush is complete when the call left output space unused.
        if c.total_in() as usize == data.len() && out.len() < out.capacity() {
            break;
        }
    }
    DeflatedChunk { bytes: out, crc, len: data.len() as u64 }
}

/// Writes one gzip member from [`DeflatedChunk`]s given in order.
pub struct GzWriter<W: Write> {
    out: W,
    crc: crc32fast::Hasher,
    len: u64,
}

impl<W: Write> GzWriter<W> {
    /// Writes the gzip header (no name, no time: the bytes are reproducible).
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255])?;
        Ok(Self { out, crc: crc32fast::Hasher::new(), len: 0 })
    }

    /// Appends the next chunk.
    pub fn push(&mut self, chunk: DeflatedChunk) -> io::Result<()> {
        self.out.write_all(&chunk.bytes)?;
        self.crc.combine(&chunk.crc);
        self.len += chunk.len;
        Ok(())
    }

    /// Ends the deflate stream and writes the trailer; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        // An empty final block with fixed Huffman codes.
        self.out.write_all(&[0x03, 0x00])?;
        self.out.write_all(&self.crc.clone().finalize().to_le_bytes())?;
        self.out.write_all(&(self.len as u32).to_le_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn chunks_make_one_valid_member() {
        let parts: Vec<Vec<u8>> =
            (0..5).map(|i| format!("line {i}\t\\N\n").repeat(1000 * i + 1).into_bytes()).collect();
        let mut w = GzWriter::new(Vec::new()).unwrap();
        for p in &parts {
            w.push(deflate_chunk(p, 1)).unwrap();
        }
        let gz = w.finish().unwrap();
        let mut out = Vec::new();
        // A single-member decoder reads it all: it is one member.
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, parts.concat());
        let mut w = GzWriter::new(Vec::new()).unwrap();
        w.push(deflate_chunk(b"", 1)).unwrap();
        let empty = w.finish().unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&empty[..]).read_to_end(&mut out).unwrap();
        assert!(out.is_empty());
    }
}
