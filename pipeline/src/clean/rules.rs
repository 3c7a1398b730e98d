//! The cleaning rules: pure functions from the raw strings sources give us to
//! typed values. `None` means "unknown", never "zero". Each is tested below
//! with the odd inputs met in real files.

/// Trims and collapses inner whitespace; empty → `None`.
pub fn text(raw: Option<&str>) -> Option<String> {
    let s = raw?.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// Runtime in minutes: "142 min", "142", "2h 22m", "2h", "45m", "PT2H22M".
pub fn runtime_minutes(raw: Option<&str>) -> Option<i32> {
    let s = raw?.trim().to_ascii_lowercase();
    if s.is_empty() {
        return None;
    }
    let s = s.strip_prefix("pt").unwrap_or(&s);
    let minutes = if let Some(n) = s.strip_suffix("min").or_else(|| s.strip_suffix("mins")) {
        n.trim().replace(',', "").parse::<i64>().ok()?
    } else if s.chars().all(|c| c.is_ascii_digit()) {
        s.parse::<i64>().ok()?
    } else {
        // "2h 22m" / "2h22m" / "45m"
        let mut total = 0i64;
        let mut num = String::new();
        let mut any = false;
        for c in s.chars() {
            match c {
                '0'..='9' => num.push(c),
                // Checked: a huge number is not a runtime, and must not wrap into one.
                'h' => {
                    total = total.checked_add(num.parse::<i64>().ok()?.checked_mul(60)?)?;
                    num.clear();
                    any = true;
                }
                'm' => {
                    total = total.checked_add(num.parse::<i64>().ok()?)?;
                    num.clear();
                    any = true;
                }
                ' ' => {}
                _ => return None,
            }
        }
        if !any || !num.is_empty() {
            return None;
        }
        total
    };
    // Longer than 100 hours is a data error, not a film.
    (1..=6000).contains(&minutes).then_some(minutes as i32)
}

/// A count: "2,343,110", "2343110", "2.9M", "12K", "1.2B".
pub fn count(raw: Option<&str>) -> Option<i64> {
    let s = raw?.trim().replace([',', '_', ' '], "");
    if s.is_empty() {
        return None;
    }
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1_000f64),
        'm' | 'M' => (&s[..s.len() - 1], 1_000_000f64),
        'b' | 'B' => (&s[..s.len() - 1], 1_000_000_000f64),
        _ => (s.as_str(), 1f64),
    };
    if mult == 1.0 {
        return num.parse::<i64>().ok().filter(|n| *n >= 0);
    }
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * mult).round() as i64)
}

/// Money in whole US dollars: "28,341,469", "$1,234", "1234". Amounts with
/// another currency are refused here (the scraper keeps the currency).
pub fn money_usd(raw: Option<&str>) -> Option<i64> {
    let s = raw?.trim();
    let s = s.strip_prefix("US$").or_else(|| s.strip_prefix('$')).unwrap_or(s);
    let s = s.strip_suffix("USD").unwrap_or(s).trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return None;
    }
    s.replace(',', "").parse::<i64>().ok()
}

/// A release year: "1994" → 1994; "PG", "", "19xx", 3000 → `None`.
pub fn year(raw: Option<&str>) -> Option<i32> {
    let s = raw?.trim();
    let s = s.trim_start_matches('(').trim_end_matches(')');
    if s.len() != 4 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok().filter(|y| (1870..=2100).contains(y))
}

/// A rating out of ten: "9.3" → 9.3; outside 0..=10 → `None`.
pub fn rating(raw: Option<&str>) -> Option<f64> {
    let v: f64 = raw?.trim().parse().ok()?;
    (v.is_finite() && (0.0..=10.0).contains(&v)).then_some((v * 10.0).round() / 10.0)
}

/// A Metascore out of 100: "80" or "80.0" → 80.
pub fn metascore(raw: Option<&str>) -> Option<i32> {
    let v: f64 = raw?.trim().parse().ok()?;
    (v.is_finite() && (0.0..=100.0).contains(&v)).then(|| v.round() as i32)
}

/// Genres: "Crime, Drama" → ["Crime", "Drama"], trimmed, de-duplicated, in order.
pub fn genres(raw: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in raw.unwrap_or_default().split([',', '|']) {
        if let Some(g) = text(Some(g)) {
            if !out.iter().any(|x| x.eq_ignore_ascii_case(&g)) {
                out.push(g);
            }
        }
    }
    out
}

/// People in billing order, blanks dropped, duplicates removed.
pub fn names<'a>(raw: impl IntoIterator<Item = Option<&'a str>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in raw {
        if let Some(n) = text(n) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// An IMDb title id (`tt` + 7 or more digits) found anywhere in `raw`.
pub fn imdb_id(raw: Option<&str>) -> Option<String> {
    let s = raw?;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i + 2 < bytes.len() {
        if &bytes[i..i + 2] == b"tt" && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let digits = bytes[i + 2..].iter().take_while(|b| b.is_ascii_digit()).count();
            let end = i + 2 + digits;
            let bounded = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
            if (7..=10).contains(&digits) && bounded {
                return Some(s[i..end].to_owned());
            }
        }
        i += 1;
    }
    None
}

/// A stable movie id: the IMDb id when known, else `mq` + 14 hex digits of a
/// hash of the normalised title and year (so "The Matrix" 1999 has the same
/// id in every run and on every machine, and two films with one title but
/// different years do not collide).
pub fn movie_id(imdb: Option<&str>, title: Option<&str>, year: Option<i32>) -> Option<String> {
    if let Some(id) = imdb_id(imdb) {
        return Some(id);
    }
    let title = text(title)?.to_lowercase();
    let key = format!("{title}\u{1f}{}", year.map(|y| y.to_string()).unwrap_or_default());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Some(format!("mq{:014x}", h >> 8))
}

/// Kaggle's poster links are 67-pixel thumbnails (`…._V1_UX67_CR0,0,67,98_AL_.jpg`);
/// dropping the resize suffix asks the image host for the full poster.
pub fn poster_url(raw: Option<&str>) -> Option<String> {
    let s = text(raw)?;
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return None;
    }
    match (s.find("._V1_"), s.rfind('.')) {
        (Some(v1), Some(ext)) if ext > v1 => Some(format!("{}._V1_{}", &s[..v1], &s[ext..])),
        _ => Some(s),
    }
}

/// Runtime in minutes from seconds (IMDb's `runtime.seconds`), rounded.
pub fn runtime_from_seconds(seconds: Option<i64>) -> Option<i32> {
    let m = seconds?.checked_add(30)? / 60;
    (1..=6000).contains(&m).then_some(m as i32)
}

/// An ISO 4217 currency code: three ASCII letters, upper-cased; `$` is USD.
pub fn currency(raw: Option<&str>) -> Option<String> {
    let s = raw?.trim();
    if s == "$" || s.eq_ignore_ascii_case("US$") {
        return Some("USD".into());
    }
    (s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic())).then(|| s.to_ascii_uppercase())
}

/// An amount of money with its currency: "$1,234,567", "US$ 5", "€1.234" is
/// refused (ambiguous separators), "GBP 1,234", "1,234 EUR", "£500", "€1,000".
pub fn money(raw: Option<&str>) -> Option<(i64, String)> {
    let s = raw?.trim();
    let symbols = [("US$", "USD"), ("$", "USD"), ("£", "GBP"), ("€", "EUR"), ("¥", "JPY"), ("₹", "INR")];
    let (rest, cur) = if let Some((sym, code)) = symbols.iter().find(|(sym, _)| s.starts_with(sym)) {
        (s[sym.len()..].trim(), code.to_string())
    } else if let Some((a, b)) = s.split_once(' ') {
        match (currency(Some(a)), currency(Some(b))) {
            (Some(c), _) => (b.trim(), c),
            (None, Some(c)) => (a.trim(), c),
            _ => return None,
        }
    } else {
        return None;
    };
    if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return None;
    }
    let amount = rest.replace(',', "").parse::<i64>().ok()?;
    Some((amount, cur))
}

/// The amount in US dollars when the currency is USD (no exchange rates are
/// guessed: other currencies keep their amount and code, and USD is `None`).
pub fn usd(amount: Option<i64>, currency: Option<&str>) -> Option<i64> {
    let a = amount.filter(|a| *a >= 0)?;
    (currency?.trim().eq_ignore_ascii_case("USD")).then_some(a)
}

/// The key a scraped row and a Kaggle row of the same film share: the title
/// lower-cased with only letters and digits kept (`&` read as "and"), and the
/// year. "Léon: The Professional" (1994) → `léontheprofessional|1994`.
pub fn title_key(title: Option<&str>, year: Option<i32>) -> Option<String> {
    let t: String =
        title?.replace('&', " and ").chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    if t.is_empty() {
        return None;
    }
    Some(format!("{t}|{}", year.map(|y| y.to_string()).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime() {
        assert_eq!(runtime_minutes(Some("142 min")), Some(142));
        assert_eq!(runtime_minutes(Some(" 45 min ")), Some(45));
        assert_eq!(runtime_minutes(Some("142")), Some(142));
        assert_eq!(runtime_minutes(Some("2h 22m")), Some(142));
        assert_eq!(runtime_minutes(Some("2h")), Some(120));
        assert_eq!(runtime_minutes(Some("PT2H22M")), Some(142));
        assert_eq!(runtime_minutes(Some("0 min")), None);
        assert_eq!(runtime_minutes(Some("min")), None);
        assert_eq!(runtime_minutes(Some("long")), None);
        assert_eq!(runtime_minutes(Some("")), None);
        assert_eq!(runtime_minutes(None), None);
        // Overflowed (caught with the kaggle_csv fuzz target): a panic with overflow
        // checks, and in release 4611686018427387906 h wrapped to 120 minutes.
        assert_eq!(runtime_minutes(Some("4611686018427387906h")), None);
        assert_eq!(runtime_minutes(Some("9223372036854775807m 1m")), None);
    }

    #[test]
    fn counts() {
        assert_eq!(count(Some("2,343,110")), Some(2_343_110));
        assert_eq!(count(Some("65341")), Some(65_341));
        assert_eq!(count(Some("2.9M")), Some(2_900_000));
        assert_eq!(count(Some("12K")), Some(12_000));
        assert_eq!(count(Some("-5")), None);
        assert_eq!(count(Some("n/a")), None);
        assert_eq!(count(Some("")), None);
    }

    #[test]
    fn money() {
        assert_eq!(money_usd(Some("28,341,469")), Some(28_341_469));
        // Beyond 32 bits: Avengers: Endgame.
        assert_eq!(money_usd(Some("858,373,000")), Some(858_373_000));
        assert_eq!(money_usd(Some("2,799,439,100")), Some(2_799_439_100));
        assert_eq!(money_usd(Some("$1,234")), Some(1_234));
        assert_eq!(money_usd(Some("€1,234")), None);
        assert_eq!(money_usd(Some("")), None);
        assert_eq!(money_usd(None), None);
    }

    #[test]
    fn years() {
        assert_eq!(year(Some("1994")), Some(1994));
        assert_eq!(year(Some(" 2019 ")), Some(2019));
        assert_eq!(year(Some("PG")), None);
        assert_eq!(year(Some("19xx")), None);
        assert_eq!(year(Some("3000")), None);
        assert_eq!(year(Some("")), None);
    }

    #[test]
    fn ratings_and_scores() {
        assert_eq!(rating(Some("9.3")), Some(9.3));
        assert_eq!(rating(Some("11")), None);
        assert_eq!(rating(Some("NaN")), None);
        assert_eq!(rating(Some("")), None);
        assert_eq!(metascore(Some("80")), Some(80));
        assert_eq!(metascore(Some("80.0")), Some(80));
        assert_eq!(metascore(Some("")), None);
        assert_eq!(metascore(Some("101")), None);
    }

    #[test]
    fn genre_lists() {
        assert_eq!(genres(Some("Crime, Drama")), vec!["Crime", "Drama"]);
        assert_eq!(genres(Some("Drama")), vec!["Drama"]);
        assert_eq!(genres(Some(" Drama ,drama, ,Sci-Fi")), vec!["Drama", "Sci-Fi"]);
        assert!(genres(Some("")).is_empty());
        assert!(genres(None).is_empty());
    }

    #[test]
    fn people() {
        assert_eq!(
            names([Some("Tim Robbins"), Some(" Morgan  Freeman"), None, Some(""), Some("Tim Robbins")]),
            vec!["Tim Robbins", "Morgan Freeman"]
        );
    }

    #[test]
    fn ids() {
        assert_eq!(imdb_id(Some("https://www.imdb.com/title/tt0111161/")), Some("tt0111161".into()));
        assert_eq!(imdb_id(Some("tt12345678")), Some("tt12345678".into()));
        assert_eq!(imdb_id(Some("https://m.media-amazon.com/images/M/MV5BMDFk@._V1_.jpg")), None);
        assert_eq!(imdb_id(Some("button123456789")), None);
        let a = movie_id(None, Some("Drishyam"), Some(2013)).unwrap();
        let b = movie_id(None, Some("Drishyam"), Some(2015)).unwrap();
        assert_ne!(a, b, "same title, different years must not collide");
        assert_eq!(a, movie_id(None, Some(" drishyam "), Some(2013)).unwrap(), "stable under case and spaces");
        assert_eq!(a.len(), 16);
        assert!(a.starts_with("mq"));
        assert_eq!(movie_id(Some("tt0111161"), Some("x"), None).as_deref(), Some("tt0111161"));
        assert_eq!(movie_id(None, Some("  "), Some(2000)), None);
    }

    #[test]
    fn posters() {
        let raw = "https://m.media-amazon.com/images/M/MV5BMDFkYTc0MGEtZmNhMC00ZDIzLWFmNTEtODM1ZmRlYWMwMWFmXkEyXkFqcGdeQXVyMTMxODk2OTU@._V1_UX67_CR0,0,67,98_AL_.jpg";
        assert_eq!(
            poster_url(Some(raw)).unwrap(),
            "https://m.media-amazon.com/images/M/MV5BMDFkYTc0MGEtZmNhMC00ZDIzLWFmNTEtODM1ZmRlYWMwMWFmXkEyXkFqcGdeQXVyMTMxODk2OTU@._V1_.jpg"
        );
        assert_eq!(poster_url(Some("javascript:alert(1)")), None);
        assert_eq!(poster_url(Some("")), None);
    }

    #[test]
    fn scraped_runtimes_and_money() {
        assert_eq!(runtime_from_seconds(Some(8520)), Some(142));
        assert_eq!(runtime_from_seconds(Some(8545)), Some(142));
        assert_eq!(runtime_from_seconds(Some(0)), None);
        assert_eq!(runtime_from_seconds(None), None);
        assert_eq!(runtime_from_seconds(Some(i64::MAX)), None, "no overflow");
        assert_eq!(super::money(Some("$1,234,567")), Some((1_234_567, "USD".into())));
        assert_eq!(super::money(Some("$2,799,439,100")), Some((2_799_439_100, "USD".into())), "64-bit");
        assert_eq!(super::money(Some("GBP 1,234")), Some((1_234, "GBP".into())));
        assert_eq!(super::money(Some("1,234 EUR")), Some((1_234, "EUR".into())));
        assert_eq!(super::money(Some("€1,000")), Some((1_000, "EUR".into())));
        assert_eq!(super::money(Some("1,234")), None, "no currency");
        assert_eq!(super::money(Some("$ abc")), None);
        assert_eq!(currency(Some("usd")), Some("USD".into()));
        assert_eq!(currency(Some("dollars")), None);
        assert_eq!(usd(Some(5), Some("USD")), Some(5));
        assert_eq!(usd(Some(5), Some("GBP")), None);
        assert_eq!(usd(Some(-5), Some("USD")), None);
        assert_eq!(count(Some("1.2B")), Some(1_200_000_000));
    }

    #[test]
    fn title_keys_match_across_sources() {
        let k = title_key(Some("Léon: The Professional"), Some(1994)).unwrap();
        assert_eq!(k, "léontheprofessional|1994");
        assert_eq!(title_key(Some("LÉON - the professional"), Some(1994)).unwrap(), k);
        assert_ne!(title_key(Some("Léon: The Professional"), Some(1995)).unwrap(), k);
        assert_eq!(title_key(Some("Fast & Furious"), None).unwrap(), "fastandfurious|");
        assert_eq!(title_key(Some(" ?! "), Some(2000)), None);
    }

    #[test]
    fn text_collapses_whitespace() {
        assert_eq!(text(Some("  a \n b  ")), Some("a b".into()));
        assert_eq!(text(Some("   ")), None);
    }
}
