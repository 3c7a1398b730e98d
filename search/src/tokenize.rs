//! The scikit-learn compatible tokenizer (exact mode).
//!
//! `TfidfVectorizer()` lower-cases with Python's `str.lower` and then extracts
//! tokens with `(?u)\b\w\w+\b`: maximal runs of Python word characters that are at
//! least two code points long. Python's `\w` is `ch.isalnum() or ch == "_"` (letters,
//! numbers, underscore — but **not** combining marks), so `"İstanbul".lower()`
//! (`i` + U+0307 + `stanbul`) yields only `stanbul`, and a decomposed `é` splits a word.

use crate::word_table::WORD_RANGES;

/// Whether Python's `re` matches `c` with `\w` (Unicode 14 tables, see `tools/`).
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    let cp = c as u32;
    let i = WORD_RANGES.partition_point(|&(_, hi)| hi < cp);
    WORD_RANGES.get(i).is_some_and(|&(lo, _)| lo <= cp)
}

/// Lower-cases `text` like Python's `str.lower` into `out` (cleared first).
///
/// ASCII text takes a fast path; anything else goes through [`str::to_lowercase`],
/// which applies the same full Unicode mappings (including final sigma).
pub fn lowercase_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.reserve(text.len());
        out.extend(text.bytes().map(|b| b.to_ascii_lowercase() as char));
    } else {
        out.push_str(&text.to_lowercase());
    }
}

/// Calls `f` with every token of already lower-cased `text`, in order:
/// maximal runs of word characters of at least two code points.
pub fn for_each_token_lowered<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    let mut start: Option<usize> = None;
    let mut count = 0usize;
    for (i, c) in text.char_indices() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
                count = 0;
            }
            count += 1;
        } else if let Some(s) = start.take() {
            if count >= 2 {
                f(&text[s..i]);
            }
        }
    }
    if let Some(s) = start {
        if count >= 2 {
            f(&text[s..]);
        }
    }
}

/// The lower-cased word tokens of `text`, exactly as scikit-learn's default
/// `TfidfVectorizer` / `CountVectorizer` analyzer produces them.
///
/// This is the public tokenizer other crates (e.g. a sentiment model) reuse.
pub fn word_tokens(text: &str) -> Vec<String> {
    let mut lowered = String::new();
    lowercase_into(text, &mut lowered);
    let mut out = Vec::new();
    for_each_token_lowered(&lowered, |t| out.push(t.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_single_characters_and_keeps_digits() {
        assert_eq!(word_tokens("a I x 42 7 b2"), ["42", "b2"]);
    }

    #[test]
    fn underscore_is_a_word_character() {
        assert_eq!(word_tokens("snake_case _x __ _"), ["snake_case", "_x", "__"]);
    }

    #[test]
    fn apostrophes_and_hyphens_split() {
        assert_eq!(word_tokens("Don't Spider-Man O'Brien's"), ["don", "spider", "man", "brien"]);
    }

    #[test]
    fn lowercases_before_tokenizing() {
        assert_eq!(word_tokens("CASABLANCA Léon"), ["casablanca", "léon"]);
        // Python: "ΟΔΟΣ".lower() == "οδος" (final sigma).
        assert_eq!(word_tokens("ΟΔΟΣ"), ["οδος"]);
    }

    #[test]
    fn unicode_letters_numbers_but_not_marks() {
        // Combining acute (U+0301) is not \w in Python: the word splits.
        assert_eq!(word_tokens("cafe\u{301}s"), ["cafe"]);
        // "İ".lower() is "i" + U+0307, which is not a word character.
        assert_eq!(word_tokens("İstanbul"), ["stanbul"]);
        assert_eq!(word_tokens("東京 ½x Ⓐbc"), ["東京", "½x", "bc"]);
    }

    #[test]
    fn punctuation_and_emoji_separate_tokens() {
        assert_eq!(word_tokens("hello,world!!🎬ok--go"), ["hello", "world", "ok", "go"]);
        assert!(word_tokens("").is_empty());
        assert!(word_tokens("!!! 🎬 . ,").is_empty());
    }
}
