//! The model file: a versioned binary format with a checksum, written atomically.
//!
//! Layout (integers and floats little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `MQSENTI\0` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 4 | tokenizer version ([`TOKENIZER_VERSION`](crate::tokenize::TOKENIZER_VERSION)) |
//! | 1 | longest n-gram (1–3) |
//! | 1 | flags: bit 0 l2-normalised rows; other bits zero |
//! | 2 | zero |
//! | 4 | bias (f32) |
//! | 8 | feature count `n` |
//! | 8n | feature keys (u64), strictly ascending, non-zero |
//! | 4n | feature scales (f32) |
//! | 4n | feature weights (f32) |
//! | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! [`Model::load`] checks, in order: magic, version, that the length is exactly
//! what the count says, the checksum, then every invariant prediction relies on
//! (n-gram range, tokenizer version, flags, sorted non-zero keys, finite
//! numbers). Any failure is a [`ModelFileError`], never a panic, and nothing is
//! allocated from a size the file claims before the length check has passed.
//! [`Model::save`] writes a temporary file beside the target, syncs it, and
//! renames it over the target, so a reader never sees half a model.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, ModelFileError, Result};
use crate::features::{FeatureConfig, MAX_NGRAM};
use crate::model::Model;
use crate::tokenize::TOKENIZER_VERSION;

/// The first bytes of every model file.
pub const MAGIC: [u8; 8] = *b"MQSENTI\0";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: usize = 32;
const TRAILER_LEN: usize = 4;
const FLAG_L2: u8 = 1;
/// Bytes per feature: key, scale, weight.
const FEATURE_LEN: usize = 16;

impl Model {
    /// The model as file bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let features = self.features();
        let n = features.len();
        let mut out = Vec::with_capacity(HEADER_LEN + FEATURE_LEN * n + TRAILER_LEN);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.config.tokenizer_version.to_le_bytes());
        out.push(self.config.ngram_max);
        out.push(if self.config.l2_normalize { FLAG_L2 } else { 0 });
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend_from_slice(&(n as u64).to_le_bytes());
        features.iter().for_each(|(k, _)| out.extend_from_slice(&k.to_le_bytes()));
        features.iter().for_each(|(_, f)| out.extend_from_slice(&f.scale.to_le_bytes()));
        features.iter().for_each(|(_, f)| out.extend_from_slice(&f.weight.to_le_bytes()));
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Reads a model from file bytes, validating everything (see the module docs).
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelFileError> {
        use ModelFileError::*;
        let found = bytes.len() as u64;
        if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
            return Err(if MAGIC.starts_with(bytes) && !bytes.is_empty() {
                Truncated { expected: (HEADER_LEN + TRAILER_LEN) as u64, found }
            } else {
                BadMagic
            });
        }
        if bytes.len() < HEADER_LEN + TRAILER_LEN {
            return Err(Truncated { expected: (HEADER_LEN + TRAILER_LEN) as u64, found });
        }
        let u32_at = |o: usize| u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(UnsupportedVersion { found: version, supported: FORMAT_VERSION });
        }
        let n = u64::from_le_bytes(bytes[24..32].try_into().map_err(|_| Corrupt("header".into()))?);
        let expected = n
            .checked_mul(FEATURE_LEN as u64)
            .and_then(|v| v.checked_add((HEADER_LEN + TRAILER_LEN) as u64))
            .ok_or_else(|| Corrupt(format!("feature count {n} is impossible")))?;
        if expected != found {
            return Err(Truncated { expected, found });
        }
        let body = bytes.len() - TRAILER_LEN;
        let stored = u32_at(body);
        let computed = crc32fast::hash(&bytes[..body]);
        if stored != computed {
            return Err(Checksum { stored, computed });
        }

        let tokenizer_version = u32_at(12);
        if tokenizer_version != TOKENIZER_VERSION {
            return Err(Corrupt(format!(
                "tokenizer version {tokenizer_version} (this build tokenizes with version {TOKENIZER_VERSION}); retrain the model"
            )));
        }
        let (ngram_max, flags) = (bytes[16], bytes[17]);
        if !(1..=MAX_NGRAM).contains(&ngram_max) {
            return Err(Corrupt(format!("n-gram length {ngram_max} is not 1..={MAX_NGRAM}")));
        }
        if flags & !FLAG_L2 != 0 || bytes[18..20] != [0, 0] {
            return Err(Corrupt(format!("unknown flags {flags:#04x}")));
        }
        let bias = f32::from_bits(u32_at(20));
        if !bias.is_finite() {
            return Err(Corrupt("bias is not finite".into()));
        }
        let n = n as usize;
        let keys_at = HEADER_LEN;
        let scale_at = keys_at + 8 * n;
        let weight_at = scale_at + 4 * n;
        let keys: Vec<u64> = bytes[keys_at..scale_at]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        if keys.first() == Some(&0) || keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Corrupt("feature keys are not strictly ascending and non-zero".into()));
        }
        let floats = |range: &[u8]| -> Result<Vec<f32>, ModelFileError> {
            let v: Vec<f32> = range.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            if v.iter().all(|x| x.is_finite()) {
                Ok(v)
            } else {
                Err(Corrupt("a feature parameter is not finite".into()))
            }
        };
        let scale = floats(&bytes[scale_at..weight_at])?;
        let weight = floats(&bytes[weight_at..body])?;
        let config = FeatureConfig { tokenizer_version, ngram_max, l2_normalize: flags & FLAG_L2 != 0 };
        Ok(Model::from_parts(config, keys, scale, weight, bias))
    }

    /// Writes the model to `path` atomically: a temporary file in the same
    /// directory, synced, then renamed over `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into());
        let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let io = |context: &'static str, p: &Path| {
            let p = p.to_path_buf();
            move |source| Error::Io { context, path: p, source }
        };
        let write = || -> Result<()> {
            let mut f = File::create(&tmp).map_err(io("creating temporary model file", &tmp))?;
            f.write_all(&self.to_bytes()).map_err(io("writing model file", &tmp))?;
            f.sync_all().map_err(io("syncing model file", &tmp))?;
            std::fs::rename(&tmp, path).map_err(io("renaming temporary model file to", path))
        };
        let result = write();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Loads and validates a model file written by [`Model::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Model> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            context: "reading model file",
            path: path.into(),
            source,
        })?;
        Model::from_bytes(&bytes).map_err(|kind| Error::ModelFile { path: path.into(), kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Label, TrainConfig};

    fn model() -> Model {
        let data = [
            ("a great and wonderful film", Label::Positive),
            ("great acting, loved it", Label::Positive),
            ("an awful and boring film", Label::Negative),
            ("awful acting, hated it", Label::Negative),
        ];
        Model::train(data, &TrainConfig { min_df: 1, ..TrainConfig::default() }).unwrap()
    }

    #[test]
    fn round_trip_through_a_file() {
        let m = model();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sentiment.model");
        m.save(&path).unwrap();
        m.save(&path).unwrap(); // overwrite in place
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["sentiment.model"], "no temporary file left behind");
        let back = Model::load(&path).unwrap();
        assert_eq!(back.feature_config(), m.feature_config());
        assert_eq!(back.features(), m.features());
        for text in ["great film", "boring", "wonderful but awful", ""] {
            assert_eq!(back.predict(text), m.predict(text), "{text}");
        }
        assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, 36 + 16 * m.feature_count());
    }

    #[test]
    fn corrupt_files_are_typed_errors() {
        use ModelFileError::*;
        let good = model().to_bytes();
        let err = |b: &[u8]| Model::from_bytes(b).unwrap_err();

        assert_eq!(err(b""), BadMagic);
        assert_eq!(err(b"PK\x03\x04 a zip file, not a model"), BadMagic);
        assert!(matches!(err(&good[..4]), Truncated { .. }));
        // Cut anywhere: truncated, never a panic.
        for cut in [12, 31, 32, 40, good.len() - 5, good.len() - 1] {
            assert!(matches!(err(&good[..cut]), Truncated { .. }), "cut at {cut}");
        }
        let mut padded = good.clone();
        padded.push(0);
        assert!(matches!(err(&padded), Truncated { .. }));

        let mut v = good.clone();
        v[8] = 9;
        assert_eq!(err(&v), UnsupportedVersion { found: 9, supported: FORMAT_VERSION });

        // A flipped bit anywhere after the version: the checksum catches it.
        for at in [16, 20, 40, good.len() / 2, good.len() - 6] {
            let mut v = good.clone();
            v[at] ^= 0x10;
            assert!(matches!(err(&v), Checksum { .. }), "flip at {at}: {:?}", err(&v));
        }
        let mut v = good.clone();
        let last = v.len() - 1;
        v[last] ^= 1;
        assert!(matches!(err(&v), Checksum { .. }));

        // A huge feature count does not allocate, it is a length error.
        let mut v = good.clone();
        v[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(err(&v), Corrupt(_)));
        v[24..32].copy_from_slice(&(1u64 << 40).to_le_bytes());
        assert!(matches!(err(&v), Truncated { .. }));
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_an_error() {
        let good = model().to_bytes();
        assert!(Model::from_bytes(&good).is_ok());
        for cut in 0..good.len() {
            assert!(Model::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..good.len() {
            for mask in [0x01, 0x80, 0xff] {
                let mut v = good.clone();
                v[at] ^= mask;
                assert!(Model::from_bytes(&v).is_err(), "byte {at} ^ {mask:#x}");
            }
        }
    }

    #[test]
    fn checksummed_but_invalid_contents_are_corrupt() {
        let good = model().to_bytes();
        let reseal = |mut v: Vec<u8>| {
            let body = v.len() - 4;
            let crc = crc32fast::hash(&v[..body]);
            v[body..].copy_from_slice(&crc.to_le_bytes());
            Model::from_bytes(&v).unwrap_err()
        };
        let mut v = good.clone();
        v[16] = 7; // n-gram length
        assert!(matches!(reseal(v), ModelFileError::Corrupt(m) if m.contains("n-gram")));
        let mut v = good.clone();
        v[12] = 99; // tokenizer version
        assert!(matches!(reseal(v), ModelFileError::Corrupt(m) if m.contains("tokenizer")));
        let mut v = good.clone();
        v[17] = 0x80; // unknown flag
        assert!(matches!(reseal(v), ModelFileError::Corrupt(m) if m.contains("flags")));
        let mut v = good.clone();
        v[32..40].copy_from_slice(&u64::MAX.to_le_bytes()); // keys out of order
        assert!(matches!(reseal(v), ModelFileError::Corrupt(m) if m.contains("ascending")));
        let mut v = good.clone();
        v[20..24].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(matches!(reseal(v), ModelFileError::Corrupt(m) if m.contains("bias")));
    }

    #[test]
    fn load_reports_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.model");
        std::fs::write(&path, b"garbage").unwrap();
        let e = Model::load(&path).unwrap_err();
        assert!(matches!(&e, Error::ModelFile { kind: ModelFileError::BadMagic, .. }));
        assert!(e.to_string().contains("bad.model"), "{e}");
        assert!(matches!(Model::load(dir.path().join("none")), Err(Error::Io { .. })));
    }
}
