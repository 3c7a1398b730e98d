//! The bulk file format and pure parsers for its lines.
//!
//! IMDb's files are UTF-8, tab-separated, with a header row and no quoting:
//! a `"` is an ordinary character (titles such as `"Weird Al" Yankovic`
//! exist, which is why CSV readers with quoting on lose rows). `\N` alone is
//! null. Arrays are comma-separated inside one field. A backslash escapes the
//! few characters a field cannot hold: `\t` (tab), `\n` (newline), `\r` and
//! `\\` (a backslash); any other backslash is kept as it is. The generator
//! writes with [`escape`] and the parsers read with [`unescape`], so the two
//! always agree.
//!
//! The parsers never fail: a line with the wrong number of fields or an
//! unusable id is [`Parsed::Malformed`]; a number that is present but not a
//! number becomes `None` and is counted in the row's `bad_fields`.

use std::borrow::Cow;

/// One of the bulk files the catalog uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BulkFile {
    TitleBasics,
    TitleRatings,
    TitlePrincipals,
    NameBasics,
    TitleCrew,
}

impl BulkFile {
    /// Every file, in the order the generator writes them.
    pub const ALL: [BulkFile; 5] = [
        BulkFile::TitleBasics,
        BulkFile::TitleRatings,
        BulkFile::TitlePrincipals,
        BulkFile::NameBasics,
        BulkFile::TitleCrew,
    ];

    /// `title.basics`, as in the file name.
    pub fn stem(self) -> &'static str {
        match self {
            BulkFile::TitleBasics => "title.basics",
            BulkFile::TitleRatings => "title.ratings",
            BulkFile::TitlePrincipals => "title.principals",
            BulkFile::NameBasics => "name.basics",
            BulkFile::TitleCrew => "title.crew",
        }
    }

    /// `title.basics.tsv.gz`, the name IMDb publishes it under.
    pub fn file_name(self) -> String {
        format!("{}.tsv.gz", self.stem())
    }

    /// `title_basics`: a name usable as a table or key component.
    pub fn table_name(self) -> &'static str {
        match self {
            BulkFile::TitleBasics => "title_basics",
            BulkFile::TitleRatings => "title_ratings",
            BulkFile::TitlePrincipals => "title_principals",
            BulkFile::NameBasics => "name_basics",
            BulkFile::TitleCrew => "title_crew",
        }
    }

    /// The header row's columns.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            BulkFile::TitleBasics => &[
                "tconst",
                "titleType",
                "primaryTitle",
                "originalTitle",
                "isAdult",
                "startYear",
                "endYear",
                "runtimeMinutes",
                "genres",
            ],
            BulkFile::TitleRatings => &["tconst", "averageRating", "numVotes"],
            BulkFile::TitlePrincipals => &["tconst", "ordering", "nconst", "category", "job", "characters"],
            BulkFile::NameBasics => {
                &["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"]
            }
            BulkFile::TitleCrew => &["tconst", "directors", "writers"],
        }
    }

    /// The header line without its newline.
    pub fn header(self) -> String {
        self.columns().join("\t")
    }

    /// The file whose name (`title.basics.tsv.gz`, `title.basics.tsv`, or a
    /// stored `title.basics-<digest>.tsv.gz`) starts with its stem.
    pub fn from_file_name(name: &str) -> Option<BulkFile> {
        let base = name.rsplit('/').next().unwrap_or(name);
        Self::ALL
            .into_iter()
            .find(|f| base.strip_prefix(f.stem()).is_some_and(|rest| rest.starts_with(".tsv") || rest.starts_with('-')))
    }
}

impl std::fmt::Display for BulkFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.stem())
    }
}

/// The null marker.
pub const NULL: &str = "\\N";

/// Appends `value` to `out` with tabs, newlines and backslashes escaped.
pub fn escape(value: &str, out: &mut String) {
    if !value.contains(['\t', '\n', '\r', '\\']) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
}

/// A field's value: `None` for `\N`, else the text with escapes decoded.
pub fn unescape(raw: &str) -> Option<Cow<'_, str>> {
    if raw == NULL {
        return None;
    }
    if !raw.contains('\\') {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Some(Cow::Owned(out))
}

/// Splits `line` (without its newline; a trailing `\r` is ignored) into
/// exactly `N` tab-separated fields, or `None` when it has another count.
pub fn split_fields<const N: usize>(line: &str) -> Option<[&str; N]> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut out = [""; N];
    let mut parts = line.split('\t');
    for slot in out.iter_mut() {
        *slot = parts.next()?;
    }
    parts.next().is_none().then_some(out)
}

/// `tt0111161` → 111161 for `prefix` `tt`. Only the canonical spelling is
/// accepted (at least 7 digits, no extra leading zero), so that
/// [`format_id`] gives back the same text.
pub fn parse_id(raw: &str, prefix: &str) -> Option<i64> {
    let digits = raw.strip_prefix(prefix)?;
    if digits.len() < 7 || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 7 && digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

/// 111161 → `tt0111161` (at least 7 digits, as IMDb writes them).
pub fn format_id(prefix: &str, id: i64) -> String {
    format!("{prefix}{id:07}")
}

/// Appends the id's text to `out` (the allocation-free form of [`format_id`]).
pub fn push_id(out: &mut String, prefix: &str, id: u64) {
    out.push_str(prefix);
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = id;
    while n > 0 || buf.len() - i < 7 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// A numeric field: `Ok(None)` for `\N`, `Err(())` for text that is not a number.
fn int_field(raw: &str) -> Result<Option<i64>, ()> {
    if raw == NULL {
        return Ok(None);
    }
    raw.trim().parse::<i64>().map(Some).map_err(|_| ())
}

fn float_field(raw: &str) -> Result<Option<f64>, ()> {
    if raw == NULL {
        return Ok(None);
    }
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(()),
    }
}

/// Counts unusable numbers while a row is parsed.
#[derive(Default)]
struct Bad(u32);

impl Bad {
    fn int(&mut self, raw: &str, ok: impl Fn(i64) -> bool) -> Option<i64> {
        match int_field(raw) {
            Ok(Some(v)) if ok(v) => Some(v),
            Ok(None) => None,
            _ => {
                self.0 += 1;
                None
            }
        }
    }

    fn year(&mut self, raw: &str) -> Option<i32> {
        self.int(raw, |y| (1800..=2200).contains(&y)).map(|y| y as i32)
    }
}

/// A line parsed into a row, or refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed<T> {
    Row(T),
    Malformed,
}

impl<T> Parsed<T> {
    pub fn row(self) -> Option<T> {
        match self {
            Parsed::Row(r) => Some(r),
            Parsed::Malformed => None,
        }
    }
}

/// The columns of a `title.basics` line the catalog reads.
#[derive(Debug, Clone, PartialEq)]
pub struct BasicsRow<'a> {
    pub tconst: i64,
    pub title_type: Option<Cow<'a, str>>,
    pub primary_title: Option<Cow<'a, str>>,
    pub original_title: Option<Cow<'a, str>>,
    pub is_adult: Option<bool>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub runtime_minutes: Option<i32>,
    pub genres: Vec<Cow<'a, str>>,
    /// Numbers present but unusable (made null).
    pub bad_fields: u32,
}

/// Parses a `title.basics` line.
pub fn parse_basics(line: &str) -> Parsed<BasicsRow<'_>> {
    let Some([tconst, ty, primary, original, adult, start, end, runtime, genres]) = split_fields::<9>(line) else {
        return Parsed::Malformed;
    };
    let Some(tconst) = parse_id(tconst, "tt") else { return Parsed::Malformed };
    let mut bad = Bad::default();
    let is_adult = match adult {
        "0" => Some(false),
        "1" => Some(true),
        NULL => None,
        _ => {
            bad.0 += 1;
            None
        }
    };
    let start_year = bad.year(start);
    let end_year = bad.year(end);
    // A runtime beyond 100 hours is a data error, as in the cleaning rules.
    let runtime_minutes = bad.int(runtime, |m| (1..=6000).contains(&m)).map(|m| m as i32);
    Parsed::Row(BasicsRow {
        tconst,
        title_type: unescape(ty),
        primary_title: unescape(primary),
        original_title: unescape(original),
        is_adult,
        start_year,
        end_year,
        runtime_minutes,
        genres: list(genres),
        bad_fields: bad.0,
    })
}

/// The non-empty items of a comma-separated array field (`\N` → none).
pub fn list(raw: &str) -> Vec<Cow<'_, str>> {
    match unescape(raw) {
        None => Vec::new(),
        Some(Cow::Borrowed(s)) => s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Cow::Borrowed).collect(),
        Some(Cow::Owned(s)) => {
            s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Cow::Owned(s.to_owned())).collect()
        }
    }
}

/// A `title.ratings` line.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingsRow {
    pub tconst: i64,
    pub average_rating: Option<f64>,
    pub num_votes: Option<i64>,
    pub bad_fields: u32,
}

/// Parses a `title.ratings` line.
pub fn parse_ratings(line: &str) -> Parsed<RatingsRow> {
    let Some([tconst, rating, votes]) = split_fields::<3>(line) else { return Parsed::Malformed };
    let Some(tconst) = parse_id(tconst, "tt") else { return Parsed::Malformed };
    let mut bad = Bad::default();
    let average_rating = match float_field(rating) {
        Ok(Some(v)) if (0.0..=10.0).contains(&v) => Some(v),
        Ok(None) => None,
        _ => {
            bad.0 += 1;
            None
        }
    };
    let num_votes = bad.int(votes, |v| v >= 0);
    Parsed::Row(RatingsRow { tconst, average_rating, num_votes, bad_fields: bad.0 })
}

/// The columns of a `title.principals` line the catalog reads (not `job`
/// nor `characters`).
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalsRow<'a> {
    pub tconst: i64,
    pub ordering: Option<i32>,
    pub nconst: Option<i64>,
    pub category: Option<Cow<'a, str>>,
    pub bad_fields: u32,
}

/// Parses a `title.principals` line. A bad `nconst` is a bad field (the row
/// still says who is credited where), a bad `tconst` makes it malformed.
pub fn parse_principals(line: &str) -> Parsed<PrincipalsRow<'_>> {
    let Some([tconst, ordering, nconst, category, _job, _characters]) = split_fields::<6>(line) else {
        return Parsed::Malformed;
    };
    let Some(tconst) = parse_id(tconst, "tt") else { return Parsed::Malformed };
    let mut bad = Bad::default();
    let ordering = bad.int(ordering, |o| (1..=i64::from(i32::MAX)).contains(&o)).map(|o| o as i32);
    let nconst = match nconst {
        NULL => None,
        raw => {
            let id = parse_id(raw, "nm");
            if id.is_none() {
                bad.0 += 1;
            }
            id
        }
    };
    Parsed::Row(PrincipalsRow { tconst, ordering, nconst, category: unescape(category), bad_fields: bad.0 })
}

/// The columns of a `name.basics` line the catalog reads.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRow<'a> {
    pub nconst: i64,
    pub primary_name: Option<Cow<'a, str>>,
    pub birth_year: Option<i32>,
    pub death_year: Option<i32>,
    pub bad_fields: u32,
}

/// Parses a `name.basics` line.
pub fn parse_name(line: &str) -> Parsed<NameRow<'_>> {
    let Some([nconst, name, birth, death, _professions, _known_for]) = split_fields::<6>(line) else {
        return Parsed::Malformed;
    };
    let Some(nconst) = parse_id(nconst, "nm") else { return Parsed::Malformed };
    let mut bad = Bad::default();
    let birth_year = bad.year(birth);
    let death_year = bad.year(death);
    Parsed::Row(NameRow { nconst, primary_name: unescape(name), birth_year, death_year, bad_fields: bad.0 })
}

/// A `title.crew` line.
#[derive(Debug, Clone, PartialEq)]
pub struct CrewRow {
    pub tconst: i64,
    pub directors: Vec<i64>,
    pub writers: Vec<i64>,
    /// Ids in the lists that are not `nm` ids.
    pub bad_fields: u32,
}

/// Parses a `title.crew` line.
pub fn parse_crew(line: &str) -> Parsed<CrewRow> {
    let Some([tconst, directors, writers]) = split_fields::<3>(line) else { return Parsed::Malformed };
    let Some(tconst) = parse_id(tconst, "tt") else { return Parsed::Malformed };
    let mut bad = 0;
    let mut ids = |raw: &str| -> Vec<i64> {
        list(raw)
            .iter()
            .filter_map(|s| {
                let id = parse_id(s, "nm");
                bad += u32::from(id.is_none());
                id
            })
            .collect()
    };
    let directors = ids(directors);
    let writers = ids(writers);
    Parsed::Row(CrewRow { tconst, directors, writers, bad_fields: bad })
}

/// Checks the first line of a (decompressed) file against `file`'s header.
pub fn check_header(file: BulkFile, first_line: &str) -> Result<(), String> {
    let got = first_line.trim_start_matches('\u{feff}').trim_end_matches(['\r', '\n']);
    let want = file.header();
    if got == want {
        Ok(())
    } else {
        let shown: String = got.chars().take(200).collect();
        Err(format!("{file}: expected the header `{}`, found `{shown}`", want.replace('\t', "\\t")))
    }
}

/// The first line of gzip-compressed `bytes` (a prefix of the file is enough).
pub fn first_line_gz(bytes: &[u8]) -> Result<String, String> {
    use std::io::Read;
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
    let mut buf = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < buf.len() {
        match decoder.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                if buf[..filled].contains(&b'\n') {
                    break;
                }
            }
            // A prefix of a gzip stream ends early: what was decoded is enough.
            Err(_) if filled > 0 => break,
            Err(e) => return Err(format!("not a gzip file: {e}")),
        }
    }
    let line = buf[..filled].split(|b| *b == b'\n').next().unwrap_or_default();
    String::from_utf8(line.to_vec()).map_err(|_| "the first line is not UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        for s in ["plain", "tab\there", "a\\b", "new\nline", "\\N", "ünïcødé \"quoted\"", "end\\"] {
            let mut e = String::new();
            escape(s, &mut e);
            assert!(!e.contains(['\t', '\n']), "{e:?}");
            assert_eq!(unescape(&e).as_deref(), Some(s), "{e:?}");
        }
        assert_eq!(unescape("\\N"), None);
        assert_eq!(unescape("C:\\x").as_deref(), Some("C:\\x"));
    }

    #[test]
    fn ids_are_canonical() {
        assert_eq!(parse_id("tt0111161", "tt"), Some(111161));
        assert_eq!(parse_id("tt10872600", "tt"), Some(10872600));
        assert_eq!(parse_id("tt00111161", "tt"), None);
        assert_eq!(parse_id("tt111161", "tt"), None);
        assert_eq!(parse_id("nm0000001", "tt"), None);
        assert_eq!(parse_id("tt12345x7", "tt"), None);
        assert_eq!(format_id("tt", 111161), "tt0111161");
        assert_eq!(format_id("nm", 10872600), "nm10872600");
        let mut s = String::new();
        push_id(&mut s, "tt", 111161);
        push_id(&mut s, "nm", 12345678);
        assert_eq!(s, "tt0111161nm12345678");
    }

    #[test]
    fn basics_lines() {
        let row = parse_basics("tt0111161\tmovie\tThe \"Shawshank\"\\tRedemption\t\\N\t0\t1994\t\\N\t142\tDrama,Crime")
            .row()
            .unwrap();
        assert_eq!(row.tconst, 111161);
        assert_eq!(row.primary_title.as_deref(), Some("The \"Shawshank\"\tRedemption"));
        assert_eq!(row.original_title, None);
        assert_eq!((row.start_year, row.end_year, row.runtime_minutes), (Some(1994), None, Some(142)));
        assert_eq!(row.genres, vec!["Drama", "Crime"]);
        assert_eq!(row.bad_fields, 0);
        let bad = parse_basics("tt0000002\tshort\tX\tX\tyes\t19x4\t\\N\tlong\t\\N").row().unwrap();
        assert_eq!((bad.is_adult, bad.start_year, bad.runtime_minutes, bad.bad_fields), (None, None, None, 3));
        assert!(bad.genres.is_empty());
        assert_eq!(parse_basics("tt0000003\tmovie\tshort line"), Parsed::Malformed);
        assert_eq!(parse_basics("xx\tmovie\ta\tb\t0\t1\t2\t3\tDrama"), Parsed::Malformed);
        assert_eq!(parse_basics("tt0000004\tmovie\ta\tb\t0\t1\t2\t3\tDrama\textra"), Parsed::Malformed);
    }

    #[test]
    fn other_lines() {
        assert_eq!(
            parse_ratings("tt0000001\t5.7\t2100\r").row(),
            Some(RatingsRow { tconst: 1, average_rating: Some(5.7), num_votes: Some(2100), bad_fields: 0 })
        );
        assert_eq!(parse_ratings("tt0000001\tNaN\t-3").row().unwrap().bad_fields, 2);
        let p = parse_principals("tt0000001\t1\tnm0000001\tactor\t\\N\t[\"Self\"]").row().unwrap();
        assert_eq!((p.ordering, p.nconst, p.category.as_deref()), (Some(1), Some(1), Some("actor")));
        let p = parse_principals("tt0000001\tfirst\tnmX\tactor\t\\N\t\\N").row().unwrap();
        assert_eq!((p.ordering, p.nconst, p.bad_fields), (None, None, 2));
        let c = parse_crew("tt0000001\tnm0000001,nm0000002\t\\N").row().unwrap();
        assert_eq!((c.directors, c.writers), (vec![1, 2], vec![]));
        let n = parse_name("nm0000001\tFred Astaire\t1899\t1987\tactor\ttt0050419").row().unwrap();
        assert_eq!(
            (n.primary_name.as_deref(), n.birth_year, n.death_year),
            (Some("Fred Astaire"), Some(1899), Some(1987))
        );
    }

    #[test]
    fn file_names() {
        assert_eq!(BulkFile::from_file_name("title.basics.tsv.gz"), Some(BulkFile::TitleBasics));
        assert_eq!(BulkFile::from_file_name("raw/x/title.crew-0123abcd.tsv.gz"), Some(BulkFile::TitleCrew));
        assert_eq!(BulkFile::from_file_name("title.basics.old"), None);
        assert!(check_header(BulkFile::TitleRatings, "tconst\taverageRating\tnumVotes\n").is_ok());
        assert!(check_header(BulkFile::TitleRatings, "tconst,averageRating").is_err());
    }
}
