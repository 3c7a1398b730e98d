//! `Index::read_from` on any bytes: a clear error or an index, never a panic, an
//! abort or an allocation beyond what the bytes can describe. Half the inputs
//! (first byte odd) get a header whose length and checksum match their payload,
//! so mutations reach the structural checks; a loaded index is searched, and
//! writing it, reading that back and writing again gives the same bytes.
//! (`Index::load` reads a file through this same parser.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use search::Index;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 1 { marquee_fuzz::with_valid_checksum(rest) } else { rest.to_vec() };
    let Ok(index) = Index::read_from(&bytes) else {
        return;
    };
    for q in ["a", "casablanca", "the god", "léon", "zz"] {
        marquee_fuzz::exercise(&index, q, 10);
    }
    for d in 0..index.len().min(8) as u32 {
        let _ = index.more_like_this(d, 5);
        assert_eq!(index.doc_of(index.doc_id(d)).map(|x| index.doc_id(x) == index.doc_id(d)), Some(true));
    }
    let mut written = Vec::new();
    index.write_to(&mut written).expect("writing to a Vec");
    let back = Index::read_from(&written).expect("a written index reads back");
    let mut again = Vec::new();
    back.write_to(&mut again).expect("writing to a Vec");
    assert!(again == written, "an index read back writes other bytes");
});
