//! Writes the committed seeds of the targets whose seeds are made rather than
//! typed: `corpus/<target>/`, from the real files in `../shared/data/` (read in
//! place, never copied whole) and from the product's own writers. Run from
//! `fuzz/` after a format change, for every target or the ones named:
//! `cargo run --release --example write_seeds [-- title_page model_load …]`.
//!
//! - `index_load`: small index files in the current format, each behind the
//!   target's first byte (0: as is, 1: checksum patched).
//! - `title_page`: the nine saved IMDb title pages, cut down to what the parser
//!   reads (the `__NEXT_DATA__` keys it looks up, the first cast edges, the
//!   JSON-LD block, the page's title and canonical link), and as JSON-LD alone.
//! - `review_page`: no reviews page is saved, so real IMDb reviews (the Maas et
//!   al. corpus, raw HTML with `<br />`) in reviews pages of the documented
//!   shapes: rendered by `imdb::fixtures`, hand-built with other cursor keys and
//!   item shapes, and the old layout's load-more key.
//! - `kaggle_csv`: the Kaggle CSV's header and a few of its rows, byte for byte
//!   (quoted fields, missing gross and Metascore, non-ASCII), one copy with LF
//!   line ends and a BOM.
//! - `tsv_line`: lines of the five bulk files from `imdb_bulk::generate` at a
//!   tiny scale, the start of one gzip file, and hand-written edge cases.
//! - `model_load`: sentiment models trained here (on a toy set and on real
//!   reviews), behind the target's first byte (0: as is, 1: CRC re-sealed).

use std::error::Error;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use imdb::fixtures::render_reviews_page;
use imdb::{html_to_text, Review};
use imdb_bulk::{BulkFile, GenerateOptions};
use search::{BuildOptions, Document, Index};
use sentiment::{FeatureConfig, Label, Model, TrainConfig};
use serde_json::{json, Map, Value};

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;
/// A target's seed writer.
type Writer = fn() -> Result;

/// Where the project's real data lives (`shared/data` beside the repository).
fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(path)
}

/// `corpus/<target>/`, emptied of the files this writer made before.
fn corpus(target: &str) -> Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn main() -> Result {
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let writers: [(&str, Writer); 6] = [
        ("index_load", index_load),
        ("title_page", title_page),
        ("review_page", review_page),
        ("kaggle_csv", kaggle_csv),
        ("tsv_line", tsv_line),
        ("model_load", model_load),
    ];
    if let Some(unknown) = wanted.iter().find(|w| !writers.iter().any(|(name, _)| name == w)) {
        return Err(format!("no seed writer for {unknown:?}").into());
    }
    for (name, write) in writers {
        if wanted.is_empty() || wanted.iter().any(|w| w == name) {
            write()?;
            eprintln!("wrote corpus/{name}/");
        }
    }
    Ok(())
}

fn index_load() -> Result {
    let dir = corpus("index_load")?;
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
            fs::write(dir.join(format!("{name}-{flag}")), seed)?;
        }
    }
    Ok(())
}

// --- title_page ---------------------------------------------------------------

/// The `aboveTheFoldData` / `mainColumnData` keys `imdb::parse_title_page` reads.
const TITLE_KEYS: &[&str] = &[
    "id",
    "titleText",
    "originalTitleText",
    "titleType",
    "releaseYear",
    "runtime",
    "ratingsSummary",
    "metacritic",
    "plot",
    "genres",
    "titleGenres",
    "primaryImage",
    "spokenLanguages",
    "countriesOfOrigin",
    "countriesDetails",
    "reviews",
    "criticReviewsTotal",
    "principalCredits",
    "principalCreditsV2",
    "principalCast",
    "cast",
    "castV2",
    "directors",
    "creators",
    "writers",
    "worldwideGross",
    "lifetimeGross",
    "productionBudget",
];
/// Cast edges kept per page: enough for the shape, small enough to mutate fast.
const CAST_EDGES: usize = 5;

fn title_page() -> Result {
    let dir = corpus("title_page")?;
    let mut pages: Vec<PathBuf> =
        fs::read_dir(data("imdb-pages"))?.map(|e| e.map(|e| e.path())).collect::<std::io::Result<_>>()?;
    pages.retain(|p| p.extension().is_some_and(|e| e == "html"));
    pages.sort();
    for path in pages {
        let html = fs::read_to_string(&path)?;
        let id = path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.strip_prefix("title-")).ok_or("page name")?;
        let head = format!(
            "<!DOCTYPE html><html lang=\"en-US\"><head><meta charset=\"utf-8\"/>{}{}",
            between(&html, "<title>", "</title>", true).ok_or("no <title>")?,
            between(&html, "<link rel=\"canonical\"", ">", true).ok_or("no canonical link")?,
        );
        let ld = between(&html, "<script type=\"application/ld+json\">", "</script>", true).ok_or("no JSON-LD")?;
        let next = between(&html, "<script id=\"__NEXT_DATA__\" type=\"application/json\">", "</script>", false)
            .ok_or("no __NEXT_DATA__")?;
        let next: Value = serde_json::from_str(next)?;
        let pp = &next["props"]["pageProps"];
        let mut kept = Map::new();
        kept.insert("tconst".into(), pp["tconst"].clone());
        for part in ["aboveTheFoldData", "mainColumnData"] {
            let mut o: Map<String, Value> =
                TITLE_KEYS.iter().filter_map(|k| pp[part].get(*k).map(|v| (k.to_string(), v.clone()))).collect();
            if let Some(Value::Array(edges)) = o.get_mut("cast").and_then(|c| c.get_mut("edges")) {
                edges.truncate(CAST_EDGES);
            }
            kept.insert(part.into(), Value::Object(o));
        }
        let (page, query) = (next["page"].clone(), next["query"].clone());
        let next = json!({ "props": { "pageProps": kept, "__N_SSP": true }, "page": page, "query": query });
        let next_script = format!(
            "<script id=\"__NEXT_DATA__\" type=\"application/json\">{}</script>",
            script_json(&serde_json::to_string(&next)?)
        );
        let page = format!("{head}{ld}</head><body><main></main>{next_script}</body></html>\n");
        fs::write(dir.join(format!("page-{id}")), page)?;
        fs::write(dir.join(format!("ld-{id}")), format!("{head}{ld}</head><body></body></html>\n"))?;
    }
    Ok(())
}

/// The text from `open` to `close`, both included or both left out.
fn between<'a>(s: &'a str, open: &str, close: &str, inclusive: bool) -> Option<&'a str> {
    let start = s.find(open)?;
    let end = start + open.len() + s[start + open.len()..].find(close)?;
    Some(if inclusive { &s[start..end + close.len()] } else { &s[start + open.len()..end] })
}

/// JSON made safe for a `<script>` body as Next.js writes it.
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

// --- review_page --------------------------------------------------------------

/// Short real reviews: (imdb id, rating, raw text with its `<br />` tags).
fn real_reviews(count: usize, max_len: usize) -> Result<Vec<(String, u8, String)>> {
    let mut out = Vec::new();
    for r in sentiment::dataset::imdb_reviews(data("reviews/imdb_reviews_50k.csv.gz"))? {
        let r = r?;
        if r.text.len() <= max_len && r.text.contains("<br />") {
            out.push((r.imdb_id, r.rating, r.text));
            if out.len() == count {
                break;
            }
        }
    }
    Ok(out)
}

fn review_page() -> Result {
    let dir = corpus("review_page")?;
    let real = real_reviews(12, 700)?;
    let record = |(i, (_, rating, text)): (usize, &(String, u8, String))| Review {
        id: Some(format!("rw{:07}", 1_000_000 + i)),
        author: (i % 2 == 0).then(|| format!("reviewer-{i}")),
        author_id: (i % 2 == 0).then(|| format!("ur{:08}", 10_000_000 + i)),
        rating: Some(*rating),
        summary: html_to_text(text)
            .split(['.', '!', '?'])
            .next()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        text: html_to_text(text),
        date: Some(format!("2009-0{}-1{}", 1 + i % 9, i % 10)),
        helpful_up: Some(i as i64 * 3),
        helpful_down: Some(i as i64),
        spoiler: i % 3 == 0,
    };
    let reviews: Vec<Review> = real.iter().enumerate().map(record).collect();
    let tt = |i: usize| real[i].0.as_str();

    // As the fixture renderer writes them (the shape of the real pages).
    fs::write(
        dir.join("rendered-0"),
        render_reviews_page(tt(0), &reviews[..3], Some("g4w6ddbmqyzdo6ic4oxwjnbmrdsm6aaaaaaaaa")),
    )?;
    fs::write(dir.join("rendered-1"), render_reviews_page(tt(3), &reviews[3..5], None))?;
    fs::write(dir.join("rendered-empty"), render_reviews_page(tt(5), &[], None))?;

    // Hand-built: the raw review HTML as IMDb serves it, other cursor keys and shapes.
    let item = |i: usize, wrapped: bool| {
        let (_, rating, text) = &real[i];
        let review = json!({
            "reviewId": format!("rw{:07}", 2_000_000 + i),
            "authorRating": if i % 4 == 3 { Value::Null } else { json!(rating) },
            "author": if wrapped { json!({ "username": { "text": format!("user &amp; {i}") }, "userId": format!("ur{i:08}") }) }
                      else { json!({ "nickName": format!("nick{i}"), "id": format!("ur{i:08}") }) },
            "reviewSummary": format!("Summary &quot;{i}&quot;"),
            "reviewText": text,
            "submissionDate": "2023-01-15",
            "helpfulnessVotes": { "upVotes": i * 7, "downVotes": format!("{}", i) },
            "spoiler": i.is_multiple_of(2),
        });
        if wrapped {
            json!({ "review": review, "isTopReview": i == 6 })
        } else {
            review
        }
    };
    let shapes = [
        (
            "pagination-key",
            tt(6),
            json!({ "entityMetadata": { "id": tt(6) }, "reviews": [item(6, true), item(7, true)], "paginationKey": "g4xolermtiqhejcxxxgs753i36t52q343mmhyh7ghk" }),
        ),
        (
            "page-info-done",
            tt(8),
            json!({ "entityMetadata": { "id": tt(8) }, "reviews": [item(8, false)], "pageInfo": { "endCursor": "aaaa", "hasNextPage": false } }),
        ),
        (
            "nested-after",
            tt(9),
            json!({ "reviews": [item(9, false), item(10, true)], "data": { "title": { "pagination": { "after": "cursor-after" } } } }),
        ),
    ];
    for (name, id, content) in shapes {
        let next = json!({ "props": { "pageProps": { "tconst": id, "contentData": content } }, "page": "/title/[tconst]/reviews" });
        fs::write(dir.join(name), reviews_html(id, &next, ""))?;
    }
    // The old layout: no id in the data (the canonical link gives it), the cursor in a div.
    let next = json!({ "props": { "pageProps": { "contentData": { "reviews": [item(11, true)] } } } });
    let old = reviews_html(
        tt(11),
        &next,
        "<div class=\"load-more-data\" data-key=\"old-layout-key\" data-ajaxurl=\"/title/reviews/_ajax\"></div>",
    );
    fs::write(dir.join("old-layout"), old)?;
    Ok(())
}

fn reviews_html(id: &str, next: &Value, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en-US\"><head><title>User reviews - IMDb</title>\
         <link rel=\"canonical\" href=\"https://www.imdb.com/title/{id}/reviews/\"/></head><body>{body}\
         <script id=\"__NEXT_DATA__\" type=\"application/json\">{}</script></body></html>\n",
        script_json(&next.to_string())
    )
}

// --- kaggle_csv ---------------------------------------------------------------

fn kaggle_csv() -> Result {
    let dir = corpus("kaggle_csv")?;
    let bytes = fs::read(data("catalog/imdb_top_1000.csv"))?;
    // Every record's raw bytes, by title: from its start to the next one's.
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    let mut starts: Vec<(String, usize)> = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record)? {
        let start = record.position().ok_or("a record without a position")?.byte() as usize;
        // After a CRLF the next record's position is at the LF.
        let start = if bytes.get(start) == Some(&b'\n') { start + 1 } else { start };
        starts.push((record.get(1).unwrap_or_default().to_string(), start));
    }
    let ends = starts.iter().skip(1).map(|(_, s)| *s).chain([bytes.len()]);
    let rows: Vec<(String, &[u8])> = starts.iter().zip(ends).map(|((t, s), e)| (t.clone(), &bytes[*s..e])).collect();
    let header = rows.first().ok_or("empty CSV")?.1;
    let pick = |titles: &[&str]| -> Result<Vec<u8>> {
        let mut out = header.to_vec();
        for t in titles {
            let row = rows.iter().find(|(title, _)| title == t).ok_or_else(|| format!("no row {t:?}"))?;
            out.extend_from_slice(row.1);
        }
        Ok(out)
    };
    let top = pick(&["The Shawshank Redemption", "The Godfather", "The Dark Knight"])?;
    fs::write(dir.join("top"), &top)?;
    fs::write(dir.join("missing"), pick(&["Soorarai Pottru", "Ayla: The Daughter of War", "The Message"])?)?;
    fs::write(dir.join("non-ascii"), pick(&["M - Eine Stadt sucht einen Mörder", "Tôkyô monogatari", "8½"])?)?;
    fs::write(dir.join("quotes"), pick(&["Bacheha-Ye aseman", "The Big Lebowski"])?)?;
    fs::write(dir.join("header"), header)?;
    // The file has CRLF line ends; the same rows with LF ends and a BOM.
    let lf = String::from_utf8(top)?.replace("\r\n", "\n");
    fs::write(dir.join("lf-bom"), format!("\u{feff}{lf}"))?;
    Ok(())
}

// --- tsv_line -----------------------------------------------------------------

fn tsv_line() -> Result {
    let dir = corpus("tsv_line")?;
    let tmp = std::env::temp_dir().join(format!("marquee-fuzz-seeds-{}", std::process::id()));
    let options = GenerateOptions { scale: 0.00002, seed: 42, threads: 1, level: 6 };
    let result = (|| -> Result {
        imdb_bulk::generate(&tmp, &options)?;
        for file in BulkFile::ALL {
            let gz = fs::read(tmp.join(file.file_name()))?;
            let mut text = String::new();
            flate2::read::MultiGzDecoder::new(gz.as_slice()).read_to_string(&mut text)?;
            // The header, the first rows, then rows with nulls, escapes, quotes or non-ASCII.
            let mut lines: Vec<&str> = text.lines().take(9).collect();
            let odd = |l: &&str| l.replace("\\N", "").contains('\\') || l.contains('"') || !l.is_ascii();
            lines.extend(text.lines().skip(9).filter(odd).take(8));
            fs::write(dir.join(file.stem()), lines.join("\n") + "\n")?;
            if file == BulkFile::TitleBasics {
                fs::write(dir.join("gz-prefix"), &gz[..gz.len().min(512)])?;
            }
        }
        Ok(())
    })();
    let _ = fs::remove_dir_all(&tmp);
    result?;
    let edge = [
        "\u{feff}tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres\r",
        "tt0000001\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N",
        "tt0000002\tmovie\tTab\\there\\\\ and \\n\t\"Weird Al\" Yankovic\t1\t1799\t2201\t6001\tDrama,,Comédie, ,\\N",
        "tt12345678\tshort\t東京物語\tÅngström\\\t0\t2019 \t-5\t0\tSci-Fi\r",
        "tt00000001\tmovie\tleading zero\tx\t0\t1\t2\t3\tDrama",
        "tt0000003\t10.0\t-1",
        "tt0000004\tnm0000001,nmX, ,\\N\tnm10000000,nm0000002",
        "nm0000001\tFred Astaire\t1899\t1987\tactor,soundtrack\ttt0050419,tt0053137",
        "tt0000005\t1\tnm0000001\tself\t\\N\t[\"Self\"]",
        "tt0000005\t0\t\\N\t\\N\t\\N\t\\N",
        "\\N",
        "\\",
        "",
        "title.basics.tsv.gz",
        "raw/bulk/date=2026-02-01/title.crew-0123abcd.tsv.gz",
    ];
    fs::write(dir.join("edge"), edge.join("\n"))?;
    Ok(())
}

// --- model_load ---------------------------------------------------------------

fn model_load() -> Result {
    let dir = corpus("model_load")?;
    let toy = [
        ("a great and wonderful film", Label::Positive),
        ("great acting, loved it", Label::Positive),
        ("an awful and boring film", Label::Negative),
        ("awful acting, hated it", Label::Negative),
    ];
    // Real reviews, both labels, short ones.
    let mut real: Vec<(String, Label)> = Vec::new();
    let (mut pos, mut neg) = (0, 0);
    for r in sentiment::dataset::imdb_reviews(data("reviews/imdb_reviews_50k.csv.gz"))? {
        let r = r?;
        let n = if r.label == Label::Positive { &mut pos } else { &mut neg };
        if r.text.len() < 600 && *n < 20 {
            *n += 1;
            real.push((r.text, r.label));
        }
        if pos == 20 && neg == 20 {
            break;
        }
    }
    let few = [Label::Positive, Label::Negative].map(|l| real.iter().filter(move |r| r.1 == l).take(10));
    let few: Vec<&(String, Label)> = few.into_iter().flatten().collect();
    let config = |ngram_max: u8, l2_normalize: bool, max_features: usize| TrainConfig {
        features: FeatureConfig { ngram_max, l2_normalize, ..FeatureConfig::default() },
        min_df: 1,
        max_features,
        threads: 1,
        ..TrainConfig::default()
    };
    let models = [
        ("toy", Model::train(toy, &config(3, true, 1_000))?),
        ("real-bigrams", Model::train(&real, &config(2, true, 600))?),
        ("real-unigrams", Model::train(few, &config(1, false, 150))?),
    ];
    for (name, model) in models {
        let bytes = model.to_bytes();
        for flag in [0u8, 1] {
            let mut seed = vec![flag];
            seed.extend_from_slice(&bytes);
            fs::write(dir.join(format!("{name}-{flag}")), seed)?;
        }
    }
    Ok(())
}
