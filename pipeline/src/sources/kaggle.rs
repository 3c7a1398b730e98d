//! The Kaggle-format catalog CSV (the old project's "sample data curated by
//! Kaggle"): `Poster_Link, Series_Title, Released_Year, Certificate, Runtime,
//! Genre, IMDB_Rating, Overview, Meta_score, Director, Star1..Star4,
//! No_of_Votes, Gross`.

use crate::store::AssetStore;
use crate::{PipelineError, Result};

/// The columns a Kaggle catalog must have, in file order.
pub const COLUMNS: [&str; 16] = [
    "Poster_Link",
    "Series_Title",
    "Released_Year",
    "Certificate",
    "Runtime",
    "Genre",
    "IMDB_Rating",
    "Overview",
    "Meta_score",
    "Director",
    "Star1",
    "Star2",
    "Star3",
    "Star4",
    "No_of_Votes",
    "Gross",
];

/// A raw asset that was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAsset {
    pub key: String,
    pub bytes: u64,
    /// False when the same content was already stored (nothing written).
    pub written: bool,
}

/// Fetches the CSV at `location` and stores it under
/// `raw/kaggle_catalog/date=YYYY-MM-DD/<name>-<digest>.csv`.
///
/// The header is checked before anything is stored, so a wrong file is
/// refused with the missing column named and the store is left untouched.
pub async fn fetch(store: &AssetStore, location: &str) -> Result<RawAsset> {
    let bytes = super::fetch_bytes(location).await?;
    check_header(location, &bytes)?;
    let digest = super::content_digest(&bytes);
    let name = location
        .rsplit('/')
        .next()
        .unwrap_or("catalog.csv")
        .trim_end_matches(".csv")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(64)
        .collect::<String>();
    let date = chrono::Utc::now().format("%Y-%m-%d");
    let key = format!("raw/kaggle_catalog/date={date}/{name}-{digest}.csv");
    let len = bytes.len() as u64;
    if store.exists(&key).await? {
        return Ok(RawAsset { key, bytes: len, written: false });
    }
    store.put(&key, bytes).await?;
    Ok(RawAsset { key, bytes: len, written: true })
}

/// Refuses a file whose header lacks one of [`COLUMNS`].
pub fn check_header(location: &str, bytes: &[u8]) -> Result<()> {
    let bad = |reason: String| PipelineError::BadInput { key: location.to_owned(), reason };
    let text = std::str::from_utf8(&bytes[..bytes.len().min(4096)])
        .or_else(|e| std::str::from_utf8(&bytes[..e.valid_up_to()]))
        .map_err(|e| bad(format!("not UTF-8: {e}")))?;
    let header = text.trim_start_matches('\u{feff}').lines().next().unwrap_or_default();
    if header.trim().is_empty() {
        return Err(bad("the file is empty".into()));
    }
    let names: Vec<&str> = header.split(',').map(|h| h.trim().trim_matches('"')).collect();
    for col in COLUMNS {
        if !names.contains(&col) {
            return Err(bad(format!("the header has no `{col}` column")));
        }
    }
    // The cleaning job reads columns by position.
    if names.get(..COLUMNS.len()) != Some(&COLUMNS[..]) {
        return Err(bad(format!("columns must come in this order: {}", COLUMNS.join(", "))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_check_names_the_missing_column() {
        let ok = COLUMNS.join(",") + "\n";
        assert!(check_header("x", ok.as_bytes()).is_ok());
        let err = check_header("x", b"Series_Title,Released_Year\n").unwrap_err().to_string();
        assert!(err.contains("Poster_Link"), "{err}");
        assert!(check_header("x", b"").unwrap_err().to_string().contains("empty"));
    }
}
