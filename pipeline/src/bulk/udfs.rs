//! UDFs that parse whole lines of the bulk files (the pure parsers of
//! [`imdb_bulk::format`]) into typed structs, and format ids back.
//!
//! The raw files are read by DataFusion's CSV reader as one column per line
//! (see [`super::job::line_options`]): IMDb's TSV has no quoting, escapes
//! with backslashes and has lines of the wrong width now and then, none of
//! which a CSV reader should decide. One UDF per file splits, unescapes and
//! types a line in one pass, flags a malformed line instead of failing the
//! query, and counts numbers it had to null (`bad_fields`).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, Int64Array, Int64Builder, ListBuilder, StringArray,
    StringBuilder, StructArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::logical_expr::{create_udf, ColumnarValue, ScalarUDF, Volatility};
use datafusion::prelude::SessionContext;
use imdb_bulk::format::{self, Parsed};

fn f(name: &str, ty: DataType) -> Field {
    Field::new(name, ty, true)
}

fn list_of(ty: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", ty, true)))
}

fn flags() -> [Field; 2] {
    [f("malformed", DataType::Boolean), f("bad_fields", DataType::Int32)]
}

/// The struct `mq_imdb_basics(line)` returns.
pub fn basics_fields() -> Fields {
    let mut v = vec![
        f("tconst", DataType::Int64),
        f("title_type", DataType::Utf8),
        f("primary_title", DataType::Utf8),
        f("original_title", DataType::Utf8),
        f("is_adult", DataType::Boolean),
        f("start_year", DataType::Int32),
        f("runtime_minutes", DataType::Int32),
        f("genres", list_of(DataType::Utf8)),
    ];
    v.extend(flags());
    v.into()
}

pub fn ratings_fields() -> Fields {
    let mut v =
        vec![f("tconst", DataType::Int64), f("average_rating", DataType::Float64), f("num_votes", DataType::Int64)];
    v.extend(flags());
    v.into()
}

pub fn principals_fields() -> Fields {
    let mut v = vec![
        f("tconst", DataType::Int64),
        f("ordering", DataType::Int32),
        f("nconst", DataType::Int64),
        f("category", DataType::Utf8),
    ];
    v.extend(flags());
    v.into()
}

pub fn names_fields() -> Fields {
    let mut v = vec![f("nconst", DataType::Int64), f("primary_name", DataType::Utf8)];
    v.extend(flags());
    v.into()
}

pub fn crew_fields() -> Fields {
    let mut v = vec![
        f("tconst", DataType::Int64),
        f("directors", list_of(DataType::Int64)),
        f("writers", list_of(DataType::Int64)),
    ];
    v.extend(flags());
    v.into()
}

/// Registers the bulk UDFs on `ctx` (the cleaning UDFs are registered by
/// [`super::job::register_functions`], which calls this).
pub fn register(ctx: &SessionContext) {
    for udf in all() {
        ctx.register_udf(udf);
    }
}

/// Every bulk UDF (for registries that are not a `SessionContext`, such as
/// a Ballista executor's).
pub fn all() -> Vec<ScalarUDF> {
    vec![
        line_udf("mq_imdb_basics", basics_fields(), basics),
        line_udf("mq_imdb_ratings", ratings_fields(), ratings),
        line_udf("mq_imdb_principals", principals_fields(), principals),
        line_udf("mq_imdb_names", names_fields(), names),
        line_udf("mq_imdb_crew", crew_fields(), crew),
        id_udf("mq_tconst", "tt"),
        id_udf("mq_nconst", "nm"),
        names_by_position_udf(),
    ]
}

/// A UDF from a line column to the struct `fields`, built by `parse`.
fn line_udf(name: &str, fields: Fields, parse: fn(&StringArray, &Fields) -> StructArray) -> ScalarUDF {
    let ret = DataType::Struct(fields.clone());
    create_udf(
        name,
        vec![DataType::Utf8],
        ret,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let lines = cast(&arrays[0], &DataType::Utf8)?;
            let lines = lines.as_any().downcast_ref::<StringArray>().expect("cast to Utf8 yields a StringArray");
            Ok(ColumnarValue::Array(Arc::new(parse(lines, &fields))))
        }),
    )
}

fn line(lines: &StringArray, i: usize) -> Option<&str> {
    (!lines.is_null(i)).then(|| lines.value(i))
}

/// The two flag columns, filled row by row.
struct Flags {
    malformed: BooleanBuilder,
    bad: Int32Builder,
}

impl Flags {
    fn new(n: usize) -> Self {
        Self { malformed: BooleanBuilder::with_capacity(n), bad: Int32Builder::with_capacity(n) }
    }
    fn ok(&mut self, bad: u32) {
        self.malformed.append_value(false);
        self.bad.append_value(i32::try_from(bad).unwrap_or(i32::MAX));
    }
    fn malformed(&mut self) {
        self.malformed.append_value(true);
        self.bad.append_value(0);
    }
    fn finish(mut self) -> [ArrayRef; 2] {
        [Arc::new(self.malformed.finish()), Arc::new(self.bad.finish())]
    }
}

fn opt_str(b: &mut StringBuilder, v: Option<&str>) {
    match v {
        Some(s) => b.append_value(s),
        None => b.append_null(),
    }
}

fn basics(lines: &StringArray, fields: &Fields) -> StructArray {
    let n = lines.len();
    let mut tconst = Int64Builder::with_capacity(n);
    let mut ty = StringBuilder::with_capacity(n, n * 8);
    let mut primary = StringBuilder::with_capacity(n, n * 24);
    let mut original = StringBuilder::with_capacity(n, n * 24);
    let mut adult = BooleanBuilder::with_capacity(n);
    let mut year = Int32Builder::with_capacity(n);
    let mut runtime = Int32Builder::with_capacity(n);
    let mut genres = ListBuilder::new(StringBuilder::new());
    let mut flags = Flags::new(n);
    for i in 0..n {
        match line(lines, i).map(format::parse_basics) {
            Some(Parsed::Row(r)) => {
                tconst.append_value(r.tconst);
                opt_str(&mut ty, r.title_type.as_deref());
                opt_str(&mut primary, r.primary_title.as_deref());
                opt_str(&mut original, r.original_title.as_deref());
                adult.append_option(r.is_adult);
                year.append_option(r.start_year);
                runtime.append_option(r.runtime_minutes);
                for g in &r.genres {
                    genres.values().append_value(g);
                }
                genres.append(true);
                flags.ok(r.bad_fields);
            }
            _ => {
                tconst.append_null();
                ty.append_null();
                primary.append_null();
                original.append_null();
                adult.append_null();
                year.append_null();
                runtime.append_null();
                genres.append(false);
                flags.malformed();
            }
        }
    }
    let [m, b] = flags.finish();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(tconst.finish()),
        Arc::new(ty.finish()),
        Arc::new(primary.finish()),
        Arc::new(original.finish()),
        Arc::new(adult.finish()),
        Arc::new(year.finish()),
        Arc::new(runtime.finish()),
        Arc::new(genres.finish()),
        m,
        b,
    ];
    StructArray::new(fields.clone(), cols, None)
}

fn ratings(lines: &StringArray, fields: &Fields) -> StructArray {
    let n = lines.len();
    let mut tconst = Int64Builder::with_capacity(n);
    let mut rating = Float64Builder::with_capacity(n);
    let mut votes = Int64Builder::with_capacity(n);
    let mut flags = Flags::new(n);
    for i in 0..n {
        match line(lines, i).map(format::parse_ratings) {
            Some(Parsed::Row(r)) => {
                tconst.append_value(r.tconst);
                rating.append_option(r.average_rating);
                votes.append_option(r.num_votes);
                flags.ok(r.bad_fields);
            }
            _ => {
                tconst.append_null();
                rating.append_null();
                votes.append_null();
                flags.malformed();
            }
        }
    }
    let [m, b] = flags.finish();
    let cols: Vec<ArrayRef> =
        vec![Arc::new(tconst.finish()), Arc::new(rating.finish()), Arc::new(votes.finish()), m, b];
    StructArray::new(fields.clone(), cols, None)
}

fn principals(lines: &StringArray, fields: &Fields) -> StructArray {
    let n = lines.len();
    let mut tconst = Int64Builder::with_capacity(n);
    let mut ordering = Int32Builder::with_capacity(n);
    let mut nconst = Int64Builder::with_capacity(n);
    let mut category = StringBuilder::with_capacity(n, n * 8);
    let mut flags = Flags::new(n);
    for i in 0..n {
        match line(lines, i).map(format::parse_principals) {
            Some(Parsed::Row(r)) => {
                tconst.append_value(r.tconst);
                ordering.append_option(r.ordering);
                nconst.append_option(r.nconst);
                opt_str(&mut category, r.category.as_deref());
                flags.ok(r.bad_fields);
            }
            _ => {
                tconst.append_null();
                ordering.append_null();
                nconst.append_null();
                category.append_null();
                flags.malformed();
            }
        }
    }
    let [m, b] = flags.finish();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(tconst.finish()),
        Arc::new(ordering.finish()),
        Arc::new(nconst.finish()),
        Arc::new(category.finish()),
        m,
        b,
    ];
    StructArray::new(fields.clone(), cols, None)
}

fn names(lines: &StringArray, fields: &Fields) -> StructArray {
    let n = lines.len();
    let mut nconst = Int64Builder::with_capacity(n);
    let mut name = StringBuilder::with_capacity(n, n * 16);
    let mut flags = Flags::new(n);
    for i in 0..n {
        match line(lines, i).map(format::parse_name) {
            Some(Parsed::Row(r)) => {
                nconst.append_value(r.nconst);
                opt_str(&mut name, r.primary_name.as_deref());
                flags.ok(r.bad_fields);
            }
            _ => {
                nconst.append_null();
                name.append_null();
                flags.malformed();
            }
        }
    }
    let [m, b] = flags.finish();
    let cols: Vec<ArrayRef> = vec![Arc::new(nconst.finish()), Arc::new(name.finish()), m, b];
    StructArray::new(fields.clone(), cols, None)
}

fn crew(lines: &StringArray, fields: &Fields) -> StructArray {
    let n = lines.len();
    let mut tconst = Int64Builder::with_capacity(n);
    let mut directors = ListBuilder::new(Int64Builder::new());
    let mut writers = ListBuilder::new(Int64Builder::new());
    let mut flags = Flags::new(n);
    for i in 0..n {
        match line(lines, i).map(format::parse_crew) {
            Some(Parsed::Row(r)) => {
                tconst.append_value(r.tconst);
                directors.values().append_slice(&r.directors);
                directors.append(true);
                writers.values().append_slice(&r.writers);
                writers.append(true);
                flags.ok(r.bad_fields);
            }
            _ => {
                tconst.append_null();
                directors.append(false);
                writers.append(false);
                flags.malformed();
            }
        }
    }
    let [m, b] = flags.finish();
    let cols: Vec<ArrayRef> =
        vec![Arc::new(tconst.finish()), Arc::new(directors.finish()), Arc::new(writers.finish()), m, b];
    StructArray::new(fields.clone(), cols, None)
}

/// `mq_tconst(111161)` → `tt0111161`.
fn id_udf(name: &str, prefix: &'static str) -> ScalarUDF {
    create_udf(
        name,
        vec![DataType::Int64],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let ids = cast(&arrays[0], &DataType::Int64)?;
            let ids = ids.as_any().downcast_ref::<Int64Array>().expect("cast to Int64 yields an Int64Array");
            let mut out = StringBuilder::with_capacity(ids.len(), ids.len() * 10);
            let mut s = String::with_capacity(16);
            for i in 0..ids.len() {
                if ids.is_null(i) || ids.value(i) < 0 {
                    out.append_null();
                } else {
                    s.clear();
                    format::push_id(&mut s, prefix, ids.value(i) as u64);
                    out.append_value(&s);
                }
            }
            Ok(ColumnarValue::Array(Arc::new(out.finish())))
        }),
    )
}

/// `mq_names_by_position(text)`: `text` is a `string_agg` of
/// `<pos> \x1f <name>` items joined by `\x1e` (in no particular order);
/// the names ordered by position; null for null or empty text.
///
/// Why not `array_agg(name ORDER BY pos)`: the ordered accumulator has no
/// grouped form (13 s against 0.3 s for the credits at scale 0.1), and the
/// grouped unordered one over-counts its memory by orders of magnitude
/// (it reports the whole input batch for each group's slice), which fails
/// a bounded pool. `string_agg` is grouped and accounts exactly.
fn names_by_position_udf() -> ScalarUDF {
    create_udf(
        "mq_names_by_position",
        vec![DataType::Utf8],
        list_of(DataType::Utf8),
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let text = cast(&arrays[0], &DataType::Utf8)?;
            let text = text.as_any().downcast_ref::<StringArray>().expect("cast to Utf8 yields a StringArray");
            let mut out = ListBuilder::new(StringBuilder::new());
            let mut items: Vec<(i64, &str)> = Vec::new();
            for i in 0..text.len() {
                items.clear();
                if !text.is_null(i) {
                    items.extend(text.value(i).split('\u{1e}').filter_map(|item| {
                        let (pos, name) = item.split_once('\u{1f}')?;
                        Some((pos.trim().parse::<i64>().unwrap_or(i64::MAX), name))
                    }));
                }
                if items.is_empty() {
                    out.append(false);
                    continue;
                }
                items.sort();
                for (_, name) in &items {
                    out.values().append_value(name);
                }
                out.append(true);
            }
            Ok(ColumnarValue::Array(Arc::new(out.finish())))
        }),
    )
}
