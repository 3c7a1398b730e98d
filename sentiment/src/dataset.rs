//! Labelled examples: the IMDb review CSV and star ratings.
//!
//! Training accepts any iterator of `(text, Label)`. Two sources feed it:
//! * the pretrained corpus, [`read_imdb_csv`] (Maas et al. 2011, 25k train + 25k
//!   test reviews, header `split,label,review_id,rating,imdb_id,text`);
//! * scraped reviews, labelled by their star rating with [`label_from_rating`]
//!   (the same rule the IMDb corpus was built with) through [`rated_examples`].

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A review's sentiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// A favourable review.
    Positive,
    /// An unfavourable review.
    Negative,
}

impl Label {
    /// `true` for [`Label::Positive`].
    pub fn is_positive(self) -> bool {
        self == Label::Positive
    }

    /// The label's short name, as in the dataset (`pos` / `neg`).
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Positive => "pos",
            Label::Negative => "neg",
        }
    }
}

impl Label {
    /// The label's full name, as the API and the database spell it.
    pub fn name(self) -> &'static str {
        match self {
            Label::Positive => "positive",
            Label::Negative => "negative",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A labelled text, as training and evaluation take it: `(text, Label)` pairs
/// (`text` any `AsRef<str>`), [`Review`]s, and references to either.
pub trait Example {
    /// The text.
    fn text(&self) -> &str;
    /// Its label.
    fn label(&self) -> Label;
}

impl<S: AsRef<str>> Example for (S, Label) {
    fn text(&self) -> &str {
        self.0.as_ref()
    }
    fn label(&self) -> Label {
        self.1
    }
}

impl<T: Example + ?Sized> Example for &T {
    fn text(&self) -> &str {
        (**self).text()
    }
    fn label(&self) -> Label {
        (**self).label()
    }
}

impl Example for Review {
    fn text(&self) -> &str {
        &self.text
    }
    fn label(&self) -> Label {
        self.label
    }
}

/// The label a star rating (1–10) stands for: 7 and up positive, 4 and below
/// negative, 5 and 6 (and anything outside 1–10) none, so the review is skipped.
///
/// This is how Maas et al. labelled the IMDb corpus: neutral reviews are left out
/// because their label would be a coin toss.
pub fn label_from_rating(rating: u8) -> Option<Label> {
    match rating {
        7..=10 => Some(Label::Positive),
        1..=4 => Some(Label::Negative),
        _ => None,
    }
}

/// Turns `(text, star rating)` pairs (e.g. scraped reviews) into labelled
/// examples, skipping the neutral ones (see [`label_from_rating`]).
pub fn rated_examples<I, S>(reviews: I) -> impl Iterator<Item = (S, Label)>
where
    I: IntoIterator<Item = (S, u8)>,
{
    reviews.into_iter().filter_map(|(text, rating)| label_from_rating(rating).map(|label| (text, label)))
}

/// Which half of the IMDb corpus a review belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// The 25k training reviews.
    Train,
    /// The 25k test reviews (other films than the training ones).
    Test,
}

/// One row of the IMDb review CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Train or test.
    pub split: Split,
    /// The sentiment label.
    pub label: Label,
    /// The review's id within its split and label.
    pub review_id: u32,
    /// The star rating, 1–10.
    pub rating: u8,
    /// The film's IMDb id (`tt…`).
    pub imdb_id: String,
    /// The review text (raw: it may hold `<br />` tags).
    pub text: String,
}

impl Review {
    /// The review as a training example.
    pub fn example(&self) -> (&str, Label) {
        (&self.text, self.label)
    }
}

/// The header the IMDb review CSV must have.
pub const IMDB_HEADER: [&str; 6] = ["split", "label", "review_id", "rating", "imdb_id", "text"];

/// Reads the IMDb review CSV (gzip-compressed when the name ends in `.gz`).
///
/// The header is checked first; a malformed row is an error naming its record.
pub fn read_imdb_csv(path: impl AsRef<Path>) -> Result<Vec<Review>> {
    imdb_reviews(path)?.collect()
}

/// Streams the IMDb review CSV row by row (see [`read_imdb_csv`]).
pub fn imdb_reviews(path: impl AsRef<Path>) -> Result<ImdbReviews> {
    let path = path.as_ref().to_path_buf();
    let file =
        File::open(&path).map_err(|source| Error::Io { context: "opening dataset", path: path.clone(), source })?;
    let input: Box<dyn Read + Send> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file)))
    } else {
        Box::new(file)
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let header = reader.headers().map_err(|source| Error::Csv { path: path.clone(), source })?;
    if header.iter().ne(IMDB_HEADER.iter().copied()) {
        return Err(Error::BadRecord {
            path,
            record: 0,
            message: format!("header is {:?}, expected {}", header.iter().collect::<Vec<_>>(), IMDB_HEADER.join(",")),
        });
    }
    Ok(ImdbReviews { path, reader, record: csv::StringRecord::new(), count: 0 })
}

/// Iterator over the rows of an IMDb review CSV (see [`imdb_reviews`]).
pub struct ImdbReviews {
    path: PathBuf,
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::StringRecord,
    count: u64,
}

impl fmt::Debug for ImdbReviews {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImdbReviews").field("path", &self.path).field("count", &self.count).finish()
    }
}

impl Iterator for ImdbReviews {
    type Item = Result<Review>;

    fn next(&mut self) -> Option<Result<Review>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                self.count += 1;
                Some(parse_record(&self.record).map_err(|message| Error::BadRecord {
                    path: self.path.clone(),
                    record: self.count,
                    message,
                }))
            }
            Err(source) => Some(Err(Error::Csv { path: self.path.clone(), source })),
        }
    }
}

fn parse_record(r: &csv::StringRecord) -> std::result::Result<Review, String> {
    if r.len() != IMDB_HEADER.len() {
        return Err(format!("{} fields, expected {}", r.len(), IMDB_HEADER.len()));
    }
    let split = match &r[0] {
        "train" => Split::Train,
        "test" => Split::Test,
        other => return Err(format!("split {other:?} is neither train nor test")),
    };
    let label = match &r[1] {
        "pos" => Label::Positive,
        "neg" => Label::Negative,
        other => return Err(format!("label {other:?} is neither pos nor neg")),
    };
    let review_id = r[2].parse().map_err(|_| format!("review_id {:?} is not a number", &r[2]))?;
    let rating =
        r[3].parse().ok().filter(|n| (1..=10).contains(n)).ok_or_else(|| format!("rating {:?} is not 1-10", &r[3]))?;
    Ok(Review { split, label, review_id, rating, imdb_id: r[4].to_string(), text: r[5].to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn rating_mapping() {
        for r in 7..=10 {
            assert_eq!(label_from_rating(r), Some(Label::Positive));
        }
        for r in 1..=4 {
            assert_eq!(label_from_rating(r), Some(Label::Negative));
        }
        for r in [0, 5, 6, 11, 255] {
            assert_eq!(label_from_rating(r), None);
        }
        let ex: Vec<_> = rated_examples([("great", 9), ("meh", 5), ("bad", 2), ("ok", 6)]).collect();
        assert_eq!(ex, [("great", Label::Positive), ("bad", Label::Negative)]);
    }

    #[test]
    fn reads_quoted_gzip_csv() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(File::create(&path).unwrap(), flate2::Compression::fast());
        gz.write_all(b"split,label,review_id,rating,imdb_id,text\n").unwrap();
        gz.write_all(b"train,pos,3,9,tt0000001,\"Loved it, \"\"truly\"\".<br /><br />Yes\"\n").unwrap();
        gz.write_all(b"test,neg,4,2,tt0000002,\"multi\nline\"\n").unwrap();
        gz.finish().unwrap();
        let rows = read_imdb_csv(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text, "Loved it, \"truly\".<br /><br />Yes");
        assert_eq!((rows[0].split, rows[0].label, rows[0].rating), (Split::Train, Label::Positive, 9));
        assert_eq!(rows[1].example(), ("multi\nline", Label::Negative));
        assert_eq!(rows[1].imdb_id, "tt0000002");
    }

    #[test]
    fn bad_header_and_rows_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        assert!(matches!(read_imdb_csv(&path), Err(Error::BadRecord { record: 0, .. })));
        std::fs::write(&path, "split,label,review_id,rating,imdb_id,text\ntrain,pos,1,11,tt1,x\n").unwrap();
        let err = read_imdb_csv(&path).unwrap_err();
        assert!(matches!(err, Error::BadRecord { record: 1, .. }), "{err}");
        assert!(err.to_string().contains("rating"), "{err}");
        assert!(matches!(read_imdb_csv(dir.path().join("missing.csv")), Err(Error::Io { .. })));
    }
}
