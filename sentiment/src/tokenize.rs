//! The review tokenizer.
//!
//! Why not `search::tokenize::word_tokens`: the search tokenizer reproduces
//! scikit-learn's `(?u)\b\w\w+\b`, which drops one-letter words and punctuation and
//! splits contractions (`don't` → `don`). For sentiment those are signal: `!`,
//! `?`, `i`, `didn't`, `isn't` carry polarity, and the n-grams around them more so
//! (`10 / 10`, `not a`). Its tables are also pinned to scikit-learn parity, while
//! the sentiment tokenizer is pinned to a saved model ([`TOKENIZER_VERSION`] is
//! written into every model file), so the two evolve separately. See the crate
//! README for the measured difference.
//!
//! The rules, in order:
//! 1. **Normalise** ([`normalize_into`]): HTML tags (`<br />`, `<i>`, `</p>`, …)
//!    become a space; `’` and `‘` become `'`; everything is lower-cased (full
//!    Unicode mapping per character, ASCII fast path; Greek final `ς` folds into
//!    `σ`).
//! 2. **Split** ([`for_each_token_normalized`]): a token is a maximal run of
//!    alphanumeric characters, which may hold single apostrophes between
//!    alphanumerics (`don't`, `o'brien`); every other character that is not
//!    white space is a token of its own (`!`, `?`, `.`, `,`, `/`, `(`, `:`, `"`,
//!    emoji…), so `10/10`, `!!!`, `:)` and `...` become n-grams; white space
//!    separates tokens.

/// The version of the rules above. Changing any rule changes the features a model
/// was trained on, so it must bump this number (models record it and are refused
/// by a build with another version).
pub const TOKENIZER_VERSION: u32 = 1;

/// The longest HTML tag (in bytes, brackets included) that is removed; a longer
/// `<…>` span is ordinary text (it is more likely a sentence with `<` in it).
const MAX_TAG_LEN: usize = 64;

/// Normalises `text` into `out` (cleared first): tags to spaces, curly apostrophes
/// to `'`, lower case.
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if b == b'<' {
                if let Some(len) = tag_len(&bytes[i..]) {
                    out.push(' ');
                    i += len;
                    continue;
                }
            }
            out.push(b.to_ascii_lowercase() as char);
            i += 1;
            continue;
        }
        // Non-ASCII: decode one char (`i` is always on a char boundary here).
        let c = text[i..].chars().next().unwrap_or(' ');
        match c {
            '\u{2019}' | '\u{2018}' => out.push('\''),
            // Final sigma folds into sigma: lower-casing char by char cannot see
            // word ends, and both spellings then meet.
            'Σ' | 'ς' => out.push('σ'),
            _ => out.extend(c.to_lowercase()),
        }
        i += c.len_utf8();
    }
}

/// The length of the HTML tag at the start of `s` (`<`, an optional `/`, an ASCII
/// letter, then anything but `<` or `>` up to the closing `>`), if there is one.
fn tag_len(s: &[u8]) -> Option<usize> {
    let mut j = 1;
    if s.get(j) == Some(&b'/') {
        j += 1;
    }
    if !s.get(j)?.is_ascii_alphabetic() {
        return None;
    }
    let end = s.len().min(MAX_TAG_LEN);
    while j < end {
        match s[j] {
            b'>' => return Some(j + 1),
            b'<' => return None,
            _ => j += 1,
        }
    }
    None
}

/// Calls `f` with each token of already normalised `text`, in order (see the
/// module docs).
pub fn for_each_token_normalized<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if c == '\'' && start.is_some() && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric()) {
            continue; // an apostrophe inside a word: don't, o'brien
        }
        if let Some(s) = start.take() {
            f(&text[s..i]);
        }
        if !c.is_whitespace() {
            f(&text[i..i + c.len_utf8()]);
        }
    }
    if let Some(s) = start {
        f(&text[s..]);
    }
}

/// The tokens of `text` (normalised, then split), as owned strings.
///
/// Convenient for tests and tools; the model's hot path uses
/// [`normalize_into`] and [`for_each_token_normalized`] with reused buffers.
pub fn tokens(text: &str) -> Vec<String> {
    let mut buf = String::new();
    normalize_into(text, &mut buf);
    let mut out = Vec::new();
    for_each_token_normalized(&buf, |t| out.push(t.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_breaks_become_separators() {
        assert_eq!(tokens("Great film.<br /><br />Loved it"), ["great", "film", ".", "loved", "it"]);
        assert_eq!(tokens("end<br/>start<BR>x</i>y"), ["end", "start", "x", "y"]);
        // Not tags: `<` is an ordinary punctuation token.
        assert_eq!(tokens("a < b and 3<4 <3"), ["a", "<", "b", "and", "3", "<", "4", "<", "3"]);
        assert_eq!(tokens("<unterminated tag"), ["<", "unterminated", "tag"]);
    }

    #[test]
    fn contractions_single_letters_and_marks() {
        assert_eq!(tokens("I DIDN'T like it!!"), ["i", "didn't", "like", "it", "!", "!"]);
        assert_eq!(tokens("Isn\u{2019}t it? O'Brien's"), ["isn't", "it", "?", "o'brien's"]);
        assert_eq!(tokens("'quoted' words' end"), ["'", "quoted", "'", "words", "'", "end"]);
        assert_eq!(tokens("10/10, a must-see :)"), ["10", "/", "10", ",", "a", "must", "-", "see", ":", ")"]);
    }

    #[test]
    fn unicode_lower_cases() {
        assert_eq!(tokens("AMÉLIE Ünïcode ΟΔΟΣ"), ["amélie", "ünïcode", "οδοσ"]);
        assert_eq!(tokens("οδος"), tokens("ΟΔΟΣ"));
        assert!(tokens("").is_empty());
        assert_eq!(tokens(" .,\t🎬\n"), [".", ",", "🎬"]);
        assert!(tokens(" \t\r\n ").is_empty());
    }
}
