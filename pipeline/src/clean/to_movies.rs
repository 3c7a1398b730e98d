//! Reads a `cleaned_movies` Parquet back into [`Movie`] rows for the load.

use datafusion::arrow::array::{Array, ArrayRef, Float64Array, Int64Array, ListArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::ParquetReadOptions;

use catalog::{Movie, Thumbnail};

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
    // Columns of the merged job; absent from Parquets of the Kaggle-only job.
    let opt = |n: &str, ty: &DataType| b.column_by_name(n).and_then(|c| cast(c, ty).ok());
    let (imdb_id, original_title, title_type) =
        (opt("imdb_id", &DataType::Utf8), opt("original_title", &DataType::Utf8), opt("title_type", &DataType::Utf8));
    let (writers, cast_members, languages, countries) = (
        opt("writers", &string_list_type()),
        opt("cast_members", &string_list_type()),
        opt("languages", &string_list_type()),
        opt("countries", &string_list_type()),
    );
    let (gross_amount, gross_currency, budget_amount, budget_currency) = (
        opt("gross_amount", &DataType::Int64),
        opt("gross_currency", &DataType::Utf8),
        opt("budget_amount", &DataType::Int64),
        opt("budget_currency", &DataType::Utf8),
    );
    let (user_reviews, critic_reviews) =
        (opt("user_review_count", &DataType::Int64), opt("critic_review_count", &DataType::Int64));
    let (thumb_key, thumb_w, thumb_h, thumb_p) = (
        opt("thumbnail_key", &DataType::Utf8),
        opt("thumbnail_width", &DataType::Int64),
        opt("thumbnail_height", &DataType::Int64),
        opt("thumbnail_placeholder", &DataType::Utf8),
    );
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
            user_review_count: user_reviews.as_ref().and_then(|a| int_at(a, r)),
            critic_review_count: critic_reviews.as_ref().and_then(|a| int_at(a, r)),
            imdb_id: imdb_id.as_ref().and_then(|a| str_at(a, r)),
            original_title: original_title.as_ref().and_then(|a| str_at(a, r)),
            title_type: title_type.as_ref().and_then(|a| str_at(a, r)),
            writers: writers.as_ref().map(|a| list_at(a, r)).unwrap_or_default(),
            cast: cast_members.as_ref().map(|a| list_at(a, r)).unwrap_or_default(),
            languages: languages.as_ref().map(|a| list_at(a, r)).unwrap_or_default(),
            countries: countries.as_ref().map(|a| list_at(a, r)).unwrap_or_default(),
            gross_amount: gross_amount.as_ref().and_then(|a| int_at(a, r)),
            gross_currency: gross_currency.as_ref().and_then(|a| str_at(a, r)),
            budget_amount: budget_amount.as_ref().and_then(|a| int_at(a, r)),
            budget_currency: budget_currency.as_ref().and_then(|a| str_at(a, r)),
            thumbnail: thumb_key.as_ref().and_then(|a| str_at(a, r)).filter(|k| Thumbnail::is_valid_key(k)).map(
                |key| {
                    let dim = |a: &Option<ArrayRef>| {
                        a.as_ref().and_then(|a| int_at(a, r)).and_then(|v| u32::try_from(v).ok()).unwrap_or_default()
                    };
                    Thumbnail {
                        key,
                        width: dim(&thumb_w),
                        height: dim(&thumb_h),
                        placeholder: thumb_p.as_ref().and_then(|a| str_at(a, r)),
                    }
                },
            ),
            // Computed in the database from labelled reviews, never cleaned.
            sentiment: None,
        });
    }
    Ok(())
}
