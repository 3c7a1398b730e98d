//! The product analyzer (folding, compounds, stemming) on any text: never
//! panics; words are non-empty and alphanumeric, one stemmed term per word.
#![no_main]

use libfuzzer_sys::fuzz_target;
use search::analyzer::{fold, for_each_word, ProductAnalyzer};

fuzz_target!(|text: &str| {
    let folded = fold(text);
    let mut joined = String::new();
    let mut words = 0usize;
    for_each_word(&folded, &mut joined, |w| {
        assert!(!w.text.is_empty(), "empty word in {folded:?}");
        assert!(w.text.chars().all(char::is_alphanumeric), "word {:?} is not alphanumeric", w.text);
        words += 1;
    });
    let terms = ProductAnalyzer::new().analyze(text);
    assert_eq!(terms.len(), words, "one term per word");
});
