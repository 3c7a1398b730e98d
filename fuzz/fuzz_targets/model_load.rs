//! `sentiment::Model::from_bytes` (which `Model::load` reads a file through) on
//! any bytes: a typed error or a model, never a panic, nor an allocation beyond
//! what the bytes can describe. Half the inputs (first byte odd) get their CRC-32
//! trailer recomputed, so that mutations reach the checks behind the checksum. A
//! model that loads writes back the very same bytes, and predicts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentiment::Model;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 1 { marquee_fuzz::with_valid_crc32(rest) } else { rest.to_vec() };
    let Ok(model) = Model::from_bytes(&bytes) else {
        return;
    };
    assert!(model.to_bytes() == bytes, "a loaded model writes other bytes");
    assert!((1..=3).contains(&model.feature_config().ngram_max));
    for text in ["", "A wonderful, moving film.", "boring and awful; I hated it", "l'été — ça va 10/10"] {
        // Scores may be infinite or NaN for a hostile (checksummed) file; they must not panic.
        let p = model.predict(text);
        let _ = p.positive_probability();
    }
});
