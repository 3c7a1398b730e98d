//! The product analyzer: accent and punctuation folding, compound splitting and
//! joining, and Snowball English stemming.
//!
//! Pipeline for a text:
//! 1. **Fold** ([`fold_into`]): Unicode NFKD, combining marks removed, lower-cased,
//!    and a few letters that do not decompose mapped by hand (`ß`→`ss`, `æ`→`ae`,
//!    `œ`→`oe`, `ø`→`o`, `ł`→`l`, `đ`→`d`, `þ`→`th`, `ı`→`i`). So `Léon` → `leon`.
//! 2. **Split** ([`for_each_word`]): words are maximal runs of alphanumeric
//!    characters. A *compound* is a chain of such runs joined by a single connector
//!    (`-`, `.`, `'`, `’`, `‐`, `‑`, `_`, `·`, `‧`) with no space around it, such as `Spider-Man`,
//!    `U.S.A.` or `O'Brien`: each part is emitted *and* the parts joined without the
//!    connectors (`spider`, `man`, `spiderman`). So `spider man` and `spiderman` both
//!    find `Spider-Man`, and `mr smith` finds `Mr. Smith`.
//! 3. Single letters are dropped (`a`, the `s` of `'s`); single digits are kept.
//! 4. **Stem** ([`ProductAnalyzer::stem`]): Snowball English (Porter 2).

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Characters that join the parts of a compound word when they stand between two
/// alphanumeric characters.
#[inline]
fn is_connector(c: char) -> bool {
    matches!(c, '-' | '.' | '\'' | '\u{2019}' | '\u{2010}' | '\u{2011}' | '_' | '\u{b7}' | '\u{2027}')
}

/// Letters that NFKD does not decompose into a base letter plus marks.
fn special_fold(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' => "d",
        'þ' | 'Þ' => "th",
        'ð' | 'Ð' => "d",
        'ı' => "i",
        _ => return None,
    })
}

/// Folds `text` into `out` (cleared first): NFKD, combining marks stripped,
/// lower-cased, special letters mapped (see the module docs).
pub fn fold_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(s) = special_fold(c) {
            out.push_str(s);
        } else {
            decompose_compatible(c, |d| {
                if !is_combining_mark(d) {
                    if let Some(s) = special_fold(d) {
                        out.push_str(s);
                    } else {
                        out.extend(d.to_lowercase());
                    }
                }
            });
        }
    }
}

/// Folds `text` into a new string (see [`fold_into`]).
pub fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text, &mut out);
    out
}

/// One word produced by [`for_each_word`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    /// The (folded, unstemmed) word.
    pub text: &'a str,
    /// The word ends where the text ends (the user may still be typing it).
    pub at_end: bool,
    /// The word is the joined form of a compound (`spiderman` from `spider-man`).
    pub joined: bool,
}

/// Whether a word part is worth indexing: two or more characters, or one digit.
#[inline]
fn keep_part(part: &str) -> bool {
    let mut chars = part.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_numeric(),
        (Some(_), Some(_)) => true,
        _ => false,
    }
}

/// Calls `f` with each word of already folded `text` (see the module docs):
/// compound parts, then the joined compound.
pub fn for_each_word(text: &str, joined: &mut String, mut f: impl FnMut(Word<'_>)) {
    let bytes_len = text.len();
    let mut iter = text.char_indices().peekable();
    // Current compound: number of parts and whether `joined` holds them.
    let mut parts = 0usize;
    joined.clear();
    let mut run_start: Option<usize> = None;
    let flush_compound = |parts: &mut usize, joined: &mut String, end: usize, f: &mut dyn FnMut(Word<'_>)| {
        if *parts >= 2 {
            f(Word { text: joined, at_end: end == bytes_len, joined: true });
        }
        *parts = 0;
        joined.clear();
    };
    while let Some((i, c)) = iter.next() {
        if c.is_alphanumeric() {
            if run_start.is_none() {
                run_start = Some(i);
            }
            continue;
        }
        // `c` ends a run (or is more punctuation).
        if let Some(s) = run_start.take() {
            let part = &text[s..i];
            if keep_part(part) {
                f(Word { text: part, at_end: false, joined: false });
            }
            joined.push_str(part);
            parts += 1;
            let next_is_alnum = iter.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
            if is_connector(c) && next_is_alnum {
                continue; // the compound goes on
            }
            flush_compound(&mut parts, joined, i, &mut f);
        } else {
            flush_compound(&mut parts, joined, i, &mut f);
        }
    }
    if let Some(s) = run_start {
        let part = &text[s..];
        if keep_part(part) {
            f(Word { text: part, at_end: true, joined: false });
        }
        joined.push_str(part);
        parts += 1;
    }
    flush_compound(&mut parts, joined, bytes_len, &mut f);
}

/// The product analyzer: folding, compounds and Snowball English stemming.
///
/// Cheap to create; reuse one for many texts.
pub struct ProductAnalyzer {
    stemmer: Stemmer,
}

impl std::fmt::Debug for ProductAnalyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProductAnalyzer(english)")
    }
}

impl Default for ProductAnalyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl ProductAnalyzer {
    /// A new analyzer with the Snowball English stemmer.
    pub fn new() -> Self {
        Self { stemmer: Stemmer::create(Algorithm::English) }
    }

    /// The Snowball English stem of a folded word.
    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        self.stemmer.stem(word)
    }

    /// The stemmed index terms of `text`, in order (compound parts, then the joined
    /// form).
    pub fn analyze(&self, text: &str) -> Vec<String> {
        let folded = fold(text);
        let mut joined = String::new();
        let mut out = Vec::new();
        for_each_word(&folded, &mut joined, |w| out.push(self.stem(w.text).into_owned()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let folded = fold(text);
        let mut joined = String::new();
        let mut out = Vec::new();
        for_each_word(&folded, &mut joined, |w| out.push(w.text.to_string()));
        out
    }

    #[test]
    fn folds_accents_and_special_letters() {
        assert_eq!(fold("Léon"), "leon");
        assert_eq!(fold("Amélie Poulain"), "amelie poulain");
        assert_eq!(fold("Straße Ærø Łódź"), "strasse aero lodz");
        assert_eq!(fold("ﬁlm ①"), "film 1");
    }

    #[test]
    fn compounds_are_split_and_joined() {
        assert_eq!(words("Spider-Man"), ["spider", "man", "spiderman"]);
        assert_eq!(words("Mr. Smith Goes"), ["mr", "smith", "goes"]);
        assert_eq!(words("U.S.A. today"), ["usa", "today"]);
        assert_eq!(words("O'Brien's"), ["brien", "obriens"]);
        assert_eq!(words("x - y"), Vec::<String>::new());
        assert_eq!(words("1990–1995 top-10"), ["1990", "1995", "top", "10", "top10"]);
        assert_eq!(words("WALL·E"), ["wall", "walle"]);
    }

    #[test]
    fn marks_the_last_word() {
        let folded = fold("spider-ma");
        let mut joined = String::new();
        let mut got = Vec::new();
        for_each_word(&folded, &mut joined, |w| got.push((w.text.to_string(), w.at_end, w.joined)));
        assert_eq!(got, [("spider".into(), false, false), ("ma".into(), true, false), ("spiderma".into(), true, true)]);
        let folded = fold("casab ");
        let mut got = Vec::new();
        for_each_word(&folded, &mut joined, |w| got.push(w.at_end));
        assert_eq!(got, [false]);
    }

    #[test]
    fn stems_english() {
        let a = ProductAnalyzer::new();
        assert_eq!(a.analyze("Running Ponies"), ["run", "poni"]);
        assert_eq!(a.analyze("The Lord of the Rings"), ["the", "lord", "of", "the", "ring"]);
        assert_eq!(a.analyze("Schindler's List"), ["schindler", "schindler", "list"]);
    }
}
