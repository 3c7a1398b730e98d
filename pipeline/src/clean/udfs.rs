//! The [cleaning rules](super::rules) as DataFusion scalar UDFs, registered once
//! per session. Each UDF is a thin adapter: Arrow arrays in, a rule per row,
//! Arrow arrays out. The rules stay pure and are tested alone.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, ListBuilder, StringArray, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result;
use datafusion::logical_expr::{create_udf, ColumnarValue, ScalarUDF, Volatility};
use datafusion::prelude::SessionContext;

use super::rules;

/// `List<Utf8>`, the type of genre and people lists.
pub fn string_list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

/// Registers every `mq_*` cleaning function on `ctx`.
pub fn register(ctx: &SessionContext) {
    for udf in all() {
        ctx.register_udf(udf);
    }
}

fn all() -> Vec<ScalarUDF> {
    vec![
        str_to("mq_text", DataType::Utf8, |v| Arc::new(v.map(rules::text).collect::<StringArray>())),
        str_to("mq_runtime_minutes", DataType::Int32, |v| {
            Arc::new(v.map(rules::runtime_minutes).collect::<Int32Array>())
        }),
        str_to("mq_count", DataType::Int64, |v| Arc::new(v.map(rules::count).collect::<Int64Array>())),
        str_to("mq_money_usd", DataType::Int64, |v| Arc::new(v.map(rules::money_usd).collect::<Int64Array>())),
        str_to("mq_year", DataType::Int32, |v| Arc::new(v.map(rules::year).collect::<Int32Array>())),
        str_to("mq_rating", DataType::Float64, |v| Arc::new(v.map(rules::rating).collect::<Float64Array>())),
        str_to("mq_metascore", DataType::Int32, |v| Arc::new(v.map(rules::metascore).collect::<Int32Array>())),
        str_to("mq_poster_url", DataType::Utf8, |v| Arc::new(v.map(rules::poster_url).collect::<StringArray>())),
        str_to("mq_genres", string_list_type(), |v| {
            let mut b = ListBuilder::new(StringBuilder::new());
            for g in v.map(rules::genres) {
                for item in g {
                    b.values().append_value(item);
                }
                b.append(true);
            }
            Arc::new(b.finish())
        }),
        str_to("mq_currency", DataType::Utf8, |v| Arc::new(v.map(rules::currency).collect::<StringArray>())),
        names_udf(),
        movie_id_udf(),
        title_key_udf(),
        usd_udf(),
        names_of_udf(),
    ]
}

/// Arguments as Arrow arrays of `rows` rows, cast to `ty`.
fn arrays(args: &[ColumnarValue], ty: &DataType) -> Result<Vec<ArrayRef>> {
    ColumnarValue::values_to_arrays(args)?
        .into_iter()
        .map(|a| if a.data_type() == ty { Ok(a) } else { Ok(cast(&a, ty)?) })
        .collect()
}

fn str_at(a: &StringArray, i: usize) -> Option<&str> {
    (!a.is_null(i)).then(|| a.value(i))
}

fn as_strings(a: &ArrayRef) -> &StringArray {
    a.as_any().downcast_ref::<StringArray>().expect("cast to Utf8 yields a StringArray")
}

/// A one-argument UDF over strings.
fn str_to(
    name: &str,
    ret: DataType,
    f: impl Fn(&mut dyn Iterator<Item = Option<&str>>) -> ArrayRef + Send + Sync + 'static,
) -> ScalarUDF {
    create_udf(
        name,
        vec![DataType::Utf8],
        ret,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| {
            let arrs = arrays(args, &DataType::Utf8)?;
            let s = as_strings(&arrs[0]);
            Ok(ColumnarValue::Array(f(&mut s.iter())))
        }),
    )
}

/// `mq_names(a, b, c, d)`: people in billing order as a list.
fn names_udf() -> ScalarUDF {
    create_udf(
        "mq_names",
        vec![DataType::Utf8; 4],
        string_list_type(),
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrs = arrays(args, &DataType::Utf8)?;
            let cols: Vec<&StringArray> = arrs.iter().map(as_strings).collect();
            let rows = cols.first().map_or(0, |c| c.len());
            let mut b = ListBuilder::new(StringBuilder::new());
            for i in 0..rows {
                let row = cols.iter().map(|c| (!c.is_null(i)).then(|| c.value(i)));
                for n in rules::names(row) {
                    b.values().append_value(n);
                }
                b.append(true);
            }
            Ok(ColumnarValue::Array(Arc::new(b.finish())))
        }),
    )
}

/// `mq_movie_id(imdb_ref, title, year)`: see [`rules::movie_id`].
fn movie_id_udf() -> ScalarUDF {
    create_udf(
        "mq_movie_id",
        vec![DataType::Utf8, DataType::Utf8, DataType::Int32],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrs = ColumnarValue::values_to_arrays(args)?;
            let imdb = cast(&arrs[0], &DataType::Utf8)?;
            let title = cast(&arrs[1], &DataType::Utf8)?;
            let year = cast(&arrs[2], &DataType::Int32)?;
            let (imdb, title) = (as_strings(&imdb), as_strings(&title));
            let year = year.as_any().downcast_ref::<Int32Array>().expect("cast to Int32");
            let out: StringArray = (0..title.len())
                .map(|i| {
                    let y = (!year.is_null(i)).then(|| year.value(i));
                    rules::movie_id(str_at(imdb, i), str_at(title, i), y)
                })
                .collect();
            Ok(ColumnarValue::Array(Arc::new(out)))
        }),
    )
}

/// `mq_title_key(title, year)`: see [`rules::title_key`].
fn title_key_udf() -> ScalarUDF {
    create_udf(
        "mq_title_key",
        vec![DataType::Utf8, DataType::Int32],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrs = ColumnarValue::values_to_arrays(args)?;
            let title = cast(&arrs[0], &DataType::Utf8)?;
            let year = cast(&arrs[1], &DataType::Int32)?;
            let title = as_strings(&title);
            let year = year.as_any().downcast_ref::<Int32Array>().expect("cast to Int32");
            let out: StringArray = (0..title.len())
                .map(|i| rules::title_key(str_at(title, i), (!year.is_null(i)).then(|| year.value(i))))
                .collect();
            Ok(ColumnarValue::Array(Arc::new(out)))
        }),
    )
}

/// `mq_usd(amount, currency)`: see [`rules::usd`].
fn usd_udf() -> ScalarUDF {
    create_udf(
        "mq_usd",
        vec![DataType::Int64, DataType::Utf8],
        DataType::Int64,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrs = ColumnarValue::values_to_arrays(args)?;
            let amount = cast(&arrs[0], &DataType::Int64)?;
            let cur = cast(&arrs[1], &DataType::Utf8)?;
            let amount = amount.as_any().downcast_ref::<Int64Array>().expect("cast to Int64");
            let cur = as_strings(&cur);
            let out: Int64Array = (0..amount.len())
                .map(|i| rules::usd((!amount.is_null(i)).then(|| amount.value(i)), str_at(cur, i)))
                .collect();
            Ok(ColumnarValue::Array(Arc::new(out)))
        }),
    )
}

/// The `List<Struct{name, …}>` type of scraped people lists.
pub fn people_type() -> DataType {
    let person = DataType::Struct(vec![Field::new("name", DataType::Utf8, true)].into());
    DataType::List(Arc::new(Field::new("item", person, true)))
}

/// `mq_names_of(people)`: the `name` of each person of a scraped list, tidied
/// and without repeats (see [`rules::names`]).
fn names_of_udf() -> ScalarUDF {
    use datafusion::arrow::array::{ListArray, StructArray};
    create_udf(
        "mq_names_of",
        vec![people_type()],
        string_list_type(),
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrs = ColumnarValue::values_to_arrays(args)?;
            let mut b = ListBuilder::new(StringBuilder::new());
            let list = arrs[0].as_any().downcast_ref::<ListArray>();
            let rows = arrs[0].len();
            for i in 0..rows {
                let names: Vec<String> = match list {
                    Some(l) if !l.is_null(i) => {
                        let v = l.value(i);
                        let names = v
                            .as_any()
                            .downcast_ref::<StructArray>()
                            .and_then(|s| s.column_by_name("name"))
                            .and_then(|c| cast(c, &DataType::Utf8).ok());
                        match names {
                            Some(n) => {
                                let n = as_strings(&n);
                                rules::names((0..n.len()).map(|j| str_at(n, j)))
                            }
                            None => Vec::new(),
                        }
                    }
                    _ => Vec::new(),
                };
                for n in names {
                    b.values().append_value(n);
                }
                b.append(true);
            }
            Ok(ColumnarValue::Array(Arc::new(b.finish())))
        }),
    )
}
