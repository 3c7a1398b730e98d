//! Writes the `index_load` seeds: small index files in the current format, each
//! behind the target's first byte (0: as is, 1: checksum patched). Run after a
//! format change: `cargo run --example write_seeds` in `fuzz/`.

use search::{BuildOptions, Document, Index};

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/index_load");
    std::fs::create_dir_all(&dir)?;
    let docs = marquee_fuzz::documents();
    let few: Vec<Document> = docs.iter().take(3).cloned().collect();
    let product = BuildOptions { exact: false, product: true };
    let exact = BuildOptions { exact: true, product: false };
    let indexes = [
        ("both", Index::build(docs.clone())),
        ("product", Index::build_with(docs.clone(), product)),
        ("exact", Index::build_with(few, exact)),
        ("empty", Index::build(Vec::new())),
    ];
    for (name, index) in indexes {
        let mut bytes = Vec::new();
        index.write_to(&mut bytes).map_err(std::io::Error::other)?;
        for flag in [0u8, 1] {
            let mut seed = vec![flag];
            seed.extend_from_slice(&bytes);
            std::fs::write(dir.join(format!("{name}-{flag}")), seed)?;
        }
    }
    Ok(())
}
