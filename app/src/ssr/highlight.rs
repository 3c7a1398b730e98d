//! Marks the words of a text that match a query, the way the engine matches
//! them: folded (accents, case), stemmed, and the last query word as a prefix.

use catalog::Segment;
use search::analyzer::{fold, ProductAnalyzer};

/// Query terms, ready to compare with words of a text.
pub struct Highlighter {
    analyzer: ProductAnalyzer,
    stems: Vec<String>,
    prefix: Option<String>,
}

impl Highlighter {
    pub fn new(query: &str) -> Self {
        let analyzer = ProductAnalyzer::new();
        let words: Vec<String> =
            fold(query).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect();
        let stems = words.iter().filter(|w| w.chars().count() >= 2).map(|w| analyzer.stem(w).into_owned()).collect();
        let prefix = if query.ends_with(char::is_whitespace) {
            None
        } else {
            words.last().cloned().filter(|w| w.chars().count() >= 2)
        };
        Self { analyzer, stems, prefix }
    }

    fn matches(&self, word: &str) -> bool {
        let folded = fold(word);
        if folded.chars().count() < 2 {
            return false;
        }
        let stem = self.analyzer.stem(&folded);
        self.stems.iter().any(|s| *s == stem) || self.prefix.as_ref().is_some_and(|p| folded.starts_with(p.as_str()))
    }

    /// Splits `text` into marked and unmarked runs.
    pub fn segments(&self, text: &str) -> Vec<Segment> {
        let mut out: Vec<Segment> = Vec::new();
        let mut push = |s: &str, hit: bool| match out.last_mut() {
            Some(last) if last.hit == hit => last.text.push_str(s),
            _ => out.push(Segment { text: s.to_owned(), hit }),
        };
        let mut start = 0;
        let mut in_word = false;
        for (i, c) in text.char_indices() {
            let w = c.is_alphanumeric();
            if w != in_word {
                if i > start {
                    let piece = &text[start..i];
                    push(piece, in_word && self.matches(piece));
                }
                start = i;
                in_word = w;
            }
        }
        if start < text.len() {
            let piece = &text[start..];
            push(piece, in_word && self.matches(piece));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(q: &str, text: &str) -> Vec<String> {
        Highlighter::new(q).segments(text).into_iter().filter(|s| s.hit).map(|s| s.text).collect()
    }

    #[test]
    fn marks_folded_stemmed_and_prefix_matches() {
        assert_eq!(marked("leon", "Léon: The Professional"), vec!["Léon"]);
        assert_eq!(marked("prisons", "Two imprisoned men in a prison"), vec!["prison"]);
        assert_eq!(marked("casab", "Casablanca"), vec!["Casablanca"]);
        assert!(marked("casab ", "Casablanca").is_empty(), "a finished word is not a prefix");
        assert_eq!(marked("<script>", "a <script> tag"), vec!["script"]);
        let all: String = Highlighter::new("x").segments("Mr. Smith — Goes").into_iter().map(|s| s.text).collect();
        assert_eq!(all, "Mr. Smith — Goes", "segments cover the text exactly");
    }
}
