//! The scikit-learn tokenizer on any text: never panics; every token is at least
//! two word characters, lower-cased, and appears in the lower-cased text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use search::tokenize::{is_word_char, lowercase_into, word_tokens};

fuzz_target!(|text: &str| {
    let tokens = word_tokens(text);
    let mut lowered = String::new();
    lowercase_into(text, &mut lowered);
    let mut rest = lowered.as_str();
    for t in &tokens {
        assert!(t.chars().count() >= 2, "token {t:?} shorter than two characters");
        assert!(t.chars().all(is_word_char), "token {t:?} holds a non-word character");
        // Tokens come in order, each a piece of the lower-cased text.
        let at = rest.find(t.as_str()).unwrap_or_else(|| panic!("token {t:?} not in {lowered:?}"));
        rest = &rest[at + t.len()..];
    }
});
