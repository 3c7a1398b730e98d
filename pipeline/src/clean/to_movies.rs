//! Reads a `cleaned_movies` Parquet back into [`Movie`] rows for the load.

use datafusion::arrow::array::{Array, ArrayRef, Float64Array, Int64Array, ListArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::ParquetReadOptions;

use catalog::Movie;

use super::kaggle::session;
use super::udfs::string_list_type;
use crate::error::DfContext;
use crate::store::AssetStore;
use crate::{PipelineError, Result};

/// All movies of the Parquet at `key`, in file order.
pub async fn read_cleaned(store: &AssetStore, key: &str) -> Result<Vec<Movie>> {
    let ctx = session(store)?;
    let batches = ctx
        .read_parquet(AssetStore::datafusion_url(key), ParquetReadOptions::default())
        .await
        .job("read cleaned_movies")?
        .collect()
        .await
        .job("read cleaned_movies")?;
    let mut out = Vec::new();
    for b in &batches {
        batch_to_movies(b, key, &mut out)?;
    }
    Ok(out)
}

fn column(b: &RecordBatch, name: &str, ty: &DataType, key: &str) -> Result<ArrayRef> {
    let c = b.column_by_name(name).ok_or_else(|| PipelineError::BadInput {
        key: key.to_owned(),
        reason: format!("cleaned_movies has no `{name}` column"),
    })?;
    cast(c, ty).map_err(|e| PipelineError::BadInput { key: key.to_owned(), reason: format!("`{name}`: {e}") })
}

fn batch_to_movies(b: &RecordBatch, key: &str, out: &mut Vec<Movie>) -> Result<()> {
    let s = |n: &str| column(b, n, &DataType::Utf8, key);
    let i = |n: &str| column(b, n, &DataType::Int64, key);
    let (id, title, cert, lang, overview, director, poster) =
        (s("id")?, s("title")?, s("certificate")?, s("language")?, s("overview")?, s("director")?, s("poster_url")?);
    let (year, runtime, votes, meta, gross) =
        (i("year")?, i("runtime_minutes")?, i("votes")?, i("metascore")?, i("gross_usd")?);
    let rating = column(b, "rating", &DataType::Float64, key)?;
    let genres = column(b, "genres", &string_list_type(), key)?;
    let stars = column(b, "stars", &string_list_type(), key)?;

    let str_at = |a: &ArrayRef, r: usize| {
        let a = a.as_any().downcast_ref::<StringArray>()?;
        (!a.is_null(r)).then(|| a.value(r).to_owned())
    };
    let int_at = |a: &ArrayRef, r: usize| {
        let a = a.as_any().downcast_ref::<Int64Array>()?;
        (!a.is_null(r)).then(|| a.value(r))
    };
    let list_at = |a: &ArrayRef, r: usize| -> Vec<String> {
        let Some(a) = a.as_any().downcast_ref::<ListArray>() else { return Vec::new() };
        if a.is_null(r) {
            return Vec::new();
        }
        let v = a.value(r);
        let Some(v) = v.as_any().downcast_ref::<StringArray>() else { return Vec::new() };
        v.iter().flatten().map(str::to_owned).collect()
    };
    let ratings = rating.as_any().downcast_ref::<Float64Array>();
    let i32_at = |a: &ArrayRef, r: usize| int_at(a, r).and_then(|v| i32::try_from(v).ok());

    for r in 0..b.num_rows() {
        let (Some(id), Some(title)) = (str_at(&id, r), str_at(&title, r)) else { continue };
        out.push(Movie {
            id,
            title,
            year: i32_at(&year, r),
            runtime_minutes: i32_at(&runtime, r),
            certificate: str_at(&cert, r),
            rating: ratings.and_then(|a| (!a.is_null(r)).then(|| a.value(r))),
            votes: int_at(&votes, r),
            metascore: i32_at(&meta, r),
            gross_usd: int_at(&gross, r),
            language: str_at(&lang, r),
            genres: list_at(&genres, r),
            overview: str_at(&overview, r),
            director: str_at(&director, r),
            stars: list_at(&stars, r),
            poster_url: str_at(&poster, r),
            user_review_count: None,
            critic_review_count: None,
        });
    }
    Ok(())
}
