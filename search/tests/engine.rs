//! Behaviour of the public API on small hand-made corpora: idf maths, folding,
//! prefixes, typos, filters, prior, more-like-this, and hostile input.

use search::typo::edit_distance;
use search::{validate_query, BuildOptions, Document, Filter, Index, Mode};

fn doc(id: &str, title: &str, body: &str) -> Document {
    Document { id: id.into(), title: title.into(), body: body.into(), ..Default::default() }
}

fn ids(hits: &[search::Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

fn product(index: &Index, q: &str) -> Vec<String> {
    index.search(q, Mode::Product, &Filter::default(), 10).into_iter().map(|h| h.id).collect()
}

fn films() -> Index {
    Index::build([
        doc("casablanca", "Casablanca", "A cynical expatriate cafe owner struggles in Morocco during the war."),
        doc("leon", "Léon: The Professional", "A hitman takes in a girl after her family is murdered."),
        doc("spiderman", "Spider-Man", "A student bitten by a spider gains powers and fights crime in New York."),
        doc("smith", "Mr. Smith Goes to Washington", "A naive man is appointed to the Senate."),
        doc("godfather", "The Godfather", "The aging patriarch of a crime dynasty hands his empire to his son."),
        doc("lotr", "The Lord of the Rings: The Return of the King", "Men fight the armies of Sauron."),
        doc("terminator", "The Terminator", "A cyborg assassin is sent back in time."),
        doc("alien", "Alien", "The crew of a spaceship meets a deadly creature."),
        doc("hook", "Hook", "A lawyer returns to Neverland."),
        doc("heat", "Heat", "A group of professional bank robbers plans a last job."),
        doc("crime", "Crime Story", "A heat wave in the city and the police."),
    ])
}

#[test]
fn idf_and_scores_match_hand_computed_values() {
    // N = 3; df(the) = df(cat) = 2, df(dog) = df(bird) = 1.
    let index = Index::build([doc("0", "", "the cat"), doc("1", "", "the dog"), doc("2", "", "cat cat bird")]);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    assert!(close(index.exact_idf("the").unwrap(), (4.0f64 / 3.0).ln() + 1.0));
    assert!(close(index.exact_idf("dog").unwrap(), 2f64.ln() + 1.0));
    assert!(close(index.exact_idf("the").unwrap(), 1.287_682_07));
    assert!(close(index.exact_idf("bird").unwrap(), 1.693_147_18));
    assert_eq!(index.exact_idf("a"), None);
    let scores = |q: &str| -> Vec<(u32, f32)> {
        index.search(q, Mode::Exact, &Filter::default(), 10).iter().map(|h| (h.doc, h.score)).collect()
    };
    // Values from scikit-learn's TfidfVectorizer + linear_kernel on the same corpus.
    let expect = |q: &str, want: &[(u32, f32)]| {
        let got = scores(q);
        assert_eq!(got.len(), want.len(), "{q}: {got:?}");
        for ((gd, gs), (wd, ws)) in got.iter().zip(want) {
            assert_eq!(gd, wd, "{q}: {got:?}");
            assert!((gs - ws).abs() < 1e-6, "{q}: {gs} vs {ws}");
        }
    };
    expect("cat", &[(2, 0.835_591_54), (0, std::f32::consts::FRAC_1_SQRT_2)]);
    expect("cat bird", &[(2, 0.943_086), (0, 0.428_046_04)]);
    expect("The THE dog!", &[(1, 0.943_086), (0, 0.590_852_45)]);
    expect("unknown words only", &[]);
}

#[test]
fn folding_accents_and_compounds() {
    let index = films();
    assert_eq!(product(&index, "leon")[0], "leon");
    assert_eq!(product(&index, "LÉON")[0], "leon");
    assert_eq!(product(&index, "spider man")[0], "spiderman");
    assert_eq!(product(&index, "spiderman")[0], "spiderman");
    assert_eq!(product(&index, "Spider-Man")[0], "spiderman");
    assert_eq!(product(&index, "mr smith")[0], "smith");
    assert_eq!(product(&index, "mr. smith")[0], "smith");
    // Exact mode is sklearn's: no folding, so "leon" does not find "Léon".
    assert!(index.search("leon", Mode::Exact, &Filter::default(), 10).is_empty());
    assert!(index.search("spiderman", Mode::Exact, &Filter::default(), 10).is_empty());
}

#[test]
fn stemming_finds_word_forms() {
    let index = films();
    assert_eq!(product(&index, "lord of the ring")[0], "lotr");
    assert_eq!(product(&index, "spaceships")[0], "alien");
    assert_eq!(product(&index, "robber")[0], "heat");
}

#[test]
fn title_boost_ranks_title_matches_first() {
    let index = films();
    // "heat" is the title of one film and a body word of another.
    assert_eq!(product(&index, "heat")[..2], ["heat", "crime"]);
    assert_eq!(product(&index, "crime")[0], "crime");
}

#[test]
fn prefix_of_the_last_word() {
    let index = films();
    assert_eq!(product(&index, "casab")[0], "casablanca");
    assert_eq!(ids(&index.suggest("casab", 5)), ["casablanca"]);
    assert_eq!(ids(&index.suggest("the godf", 5))[0], "godfather");
    // A finished word (trailing space) is not a prefix.
    assert!(index.suggest("casab ", 5).is_empty());
    // Only the last word is a prefix.
    assert!(product(&index, "casab morocco").iter().all(|id| id == "casablanca"));
    assert!(!product(&index, "casab morocco").is_empty(), "morocco still matches");
    assert!(index.search("casab morocco", Mode::Product, &Filter::default(), 10).len() == 1);
    assert!(product(&index, "morocco casab") == ["casablanca"]);
    // One letter is not expanded.
    assert!(index.suggest("c", 5).is_empty());
}

#[test]
fn prefix_expansion_is_capped() {
    let docs = (0..60).map(|i| doc(&i.to_string(), &format!("pre{}", word(i)), "filler"));
    let index = Index::build(docs);
    let hits = index.suggest("pre", 100);
    assert!(!hits.is_empty());
    assert!(hits.len() <= search::query::PREFIX_EXPANSIONS, "{} hits", hits.len());
}

/// A letters-only word for `i` (digits would be split off from the prefix).
fn word(i: usize) -> String {
    let letters = b"bcdfghjklmnpqrstvwxz";
    format!("{}{}", letters[i % 20] as char, letters[(i / 20) % 20] as char)
}

#[test]
fn typo_thresholds_follow_the_5_and_9_letter_rule() {
    let index = films();
    let hit = |q: &str, id: &str| product(&index, q).first().map(String::as_str) == Some(id);
    // 4 letters: no typo allowed.
    assert_eq!(edit_distance("hock", "hook"), 1);
    assert!(!hit("hock", "hook"));
    // 5 letters: one typo (a transposition counts one).
    assert_eq!(edit_distance("alein", "alien"), 1);
    assert!(hit("alein", "alien"));
    assert_eq!(edit_distance("axxen", "alien"), 2);
    assert!(!hit("axxen", "alien"));
    // 8 letters: still one.
    assert_eq!(edit_distance("godfater", "godfather"), 1);
    assert!(hit("godfater", "godfather"));
    assert_eq!(edit_distance("termnatr", "terminator"), 2);
    assert!(!hit("termnatr", "terminator"));
    // 9 letters: two.
    assert_eq!(edit_distance("termnatro", "terminator"), 2);
    assert!(hit("termnatro", "terminator"));
    // Exact mode has no typo tolerance.
    assert!(index.search("godfater", Mode::Exact, &Filter::default(), 10).is_empty());
}

#[test]
fn typos_only_for_missing_or_rare_words_and_score_lower() {
    let mut docs: Vec<Document> = (0..5).map(|i| doc(&format!("m{i}"), &format!("Matrix {i}"), "simulation")).collect();
    docs.push(doc("x", "Matrex", "a rare misspelling"));
    let index = Index::build(docs);
    // "matrix" is common: no typo expansion, the "matrex" film is not found.
    assert!(!product(&index, "matrix").contains(&"x".to_string()));
    // "matrex" is rare: exact match first, corrections after it, scoring lower.
    let hits = index.search("matrex", Mode::Product, &Filter::default(), 10);
    assert_eq!(hits[0].id, "x");
    assert_eq!(hits.len(), 6);
    assert!(hits[1].score < hits[0].score);
}

fn catalog() -> Vec<Document> {
    (0..50)
        .map(|i| Document {
            id: format!("d{i}"),
            title: format!("Film {i}"),
            // Doc 37 is the weakest match for "film": long body.
            body: if i == 37 { "film ".to_string() + &"padding words here ".repeat(20) } else { "a film".into() },
            votes: 100,
            year: if i == 20 { None } else { Some(1950 + i) },
            rating: if i == 21 { None } else { Some(5.0 + (i % 10) as f32 / 2.0) },
            genres: if i == 37 { vec!["Horror".into(), "Drama".into()] } else { vec!["Drama".into()] },
        })
        .collect()
}

#[test]
fn filters_apply_inside_the_engine() {
    let index = Index::build(catalog());
    for mode in [Mode::Exact, Mode::Product] {
        let f = |filter: Filter| index.search("film", mode, &filter, 10);
        let horror = f(Filter { genre: Some("horror".into()), ..Default::default() });
        assert_eq!(ids(&horror), ["d37"], "the weakest match survives a genre filter ({mode:?})");
        assert!(f(Filter { genre: Some("Western".into()), ..Default::default() }).is_empty());
        assert_eq!(f(Filter { genre: Some(" DRAMA ".into()), ..Default::default() }).len(), 10);
        let years = f(Filter { year_from: Some(1985), year_to: Some(1988), ..Default::default() });
        let mut got = ids(&years);
        got.sort_unstable();
        assert_eq!(got, ["d35", "d36", "d37", "d38"]);
        let all_years = f(Filter { year_from: Some(0), ..Default::default() });
        assert!(all_years.iter().all(|h| h.id != "d20"), "no year never matches a year filter");
        let rated = index.search("film", mode, &Filter { min_rating: Some(9.5), ..Default::default() }, 100);
        // Ratings 9.5 are i % 10 == 9, except none are missing there.
        assert_eq!(rated.len(), 5);
        assert!(f(Filter { min_rating: Some(f32::NAN), ..Default::default() }).is_empty());
        let none = f(Filter { year_from: Some(2000), year_to: Some(1990), ..Default::default() });
        assert!(none.is_empty());
    }
}

#[test]
fn popularity_prior_breaks_ties_in_product_mode_only() {
    let mut a = doc("few", "Twin", "same words");
    a.votes = 10;
    let mut b = doc("many", "Twin", "same words");
    b.votes = 1_000_000;
    let index = Index::build([a, b]);
    assert_eq!(product(&index, "twin"), ["many", "few"]);
    let exact = index.search("twin", Mode::Exact, &Filter::default(), 10);
    assert_eq!(ids(&exact), ["few", "many"], "exact ties keep doc order");
    assert_eq!(exact[0].score, exact[1].score);
}

#[test]
fn more_like_this_excludes_itself_and_repeats() {
    let mut docs = vec![
        doc("a", "Space Pirates", "pirates sail through space in a starship"),
        doc("b", "Space Pirates", "pirates sail through space in a starship"),
        doc("c", "Star Sailors", "sailors of a starship in space"),
        doc("d", "Kitchen", "a cooking show about bread"),
        doc("e", "Starship Pirates", "starship pirates in space"),
        doc("f", "Starship Pirates", "starship pirates in space again"),
    ];
    docs[1].year = None;
    let index = Index::build(docs);
    let similar = index.more_like_this(0, 10);
    let got = ids(&similar);
    assert!(!got.contains(&"a"), "never itself: {got:?}");
    assert!(!got.contains(&"b"), "same title and year is the same film: {got:?}");
    assert_eq!(got.iter().filter(|id| **id == "e" || **id == "f").count(), 1, "one copy of a repeated film");
    assert!(!got.contains(&"d"), "nothing in common: {got:?}");
    assert_eq!(got[0], "e");
    assert!(similar.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(index.more_like_this(99, 10).is_empty());
    assert!(index.more_like_this(0, 0).is_empty());
    // Exact-only index: cosine of the exact vectors, same exclusions.
    let exact_only = Index::build_with(
        [doc("x", "Rain", "rain falls"), doc("y", "Rain Man", "rain man"), doc("z", "Sun", "sun")],
        BuildOptions { exact: true, product: false },
    );
    assert_eq!(ids(&exact_only.more_like_this(0, 5)), ["y"]);
    // Documents without ids are not all "the same document".
    let anonymous = Index::build([doc("", "Rain", "rain falls"), doc("", "Rain Man", "rain man")]);
    assert_eq!(anonymous.more_like_this(0, 5).len(), 1);
}

/// `more_like_this` scores are the exact cosines of the documents' tf-idf vectors
/// (here the exact structure alone, so they can be computed independently).
#[test]
fn more_like_this_scores_are_exact_cosines() {
    let mut seed = 11u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let docs: Vec<Document> = (0..2000)
        .map(|i| {
            let n = 2 + rnd() % 10;
            let body: Vec<String> = (0..n).map(|_| format!("w{}", (rnd() % 30) * (rnd() % 30) / 30)).collect();
            doc(&format!("id{i}"), &format!("t{i}"), &body.join(" "))
        })
        .collect();
    let tokens: Vec<Vec<String>> =
        docs.iter().map(|d| search::word_tokens(&format!("{} {}", d.title, d.body))).collect();
    let n = docs.len() as f64;
    let mut df = std::collections::HashMap::<&str, f64>::new();
    for t in &tokens {
        let mut seen: Vec<&str> = t.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            *df.entry(w).or_default() += 1.0;
        }
    }
    let vectors: Vec<std::collections::HashMap<&str, f64>> = tokens
        .iter()
        .map(|t| {
            let mut v = std::collections::HashMap::new();
            for w in t {
                *v.entry(w.as_str()).or_insert(0.0) += ((1.0 + n) / (1.0 + df[w.as_str()])).ln() + 1.0;
            }
            let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
            v.values_mut().for_each(|x| *x /= norm);
            v
        })
        .collect();
    let index = Index::build_with(docs, BuildOptions { exact: true, product: false });
    for d in [0usize, 17, 500, 1999] {
        let mut want: Vec<f64> = (0..vectors.len())
            .filter(|&o| o != d)
            .map(|o| vectors[d].iter().map(|(t, w)| w * vectors[o].get(t).copied().unwrap_or(0.0)).sum::<f64>())
            .filter(|&s| s > 0.0)
            .collect();
        want.sort_by(|a, b| b.total_cmp(a));
        let got = index.more_like_this(d as u32, 10);
        assert_eq!(got.len(), want.len().min(10), "doc {d}");
        for (h, w) in got.iter().zip(&want) {
            assert!((f64::from(h.score) - w).abs() < 1e-5, "doc {d}: {} vs {w}", h.score);
            let truth: f64 =
                vectors[d].iter().map(|(t, x)| x * vectors[h.doc as usize].get(t).copied().unwrap_or(0.0)).sum();
            assert!((f64::from(h.score) - truth).abs() < 1e-5, "doc {d}: hit {} scores its cosine", h.doc);
        }
    }
}

#[test]
fn doc_of_finds_documents_by_id() {
    let index = films();
    for d in 0..index.len() as u32 {
        assert_eq!(index.doc_of(index.doc_id(d)), Some(d));
    }
    assert_eq!(index.doc_of("nope"), None);
    assert_eq!(index.doc_of(""), None);
    assert_eq!(index.doc_of("casablancaa"), None);
    let dup = Index::build([doc("x", "A", ""), doc("y", "B", ""), doc("x", "C", ""), doc("", "D", "")]);
    assert_eq!(dup.doc_of("x"), Some(0), "the lowest doc number among equal ids");
    assert_eq!(dup.doc_of("y"), Some(1));
    assert_eq!(dup.doc_of(""), Some(3));
    let mut bytes = Vec::new();
    dup.write_to(&mut bytes).expect("write");
    let back = Index::read_from(&bytes).expect("read");
    assert_eq!(back.doc_of("x"), Some(0));
    assert_eq!(Index::build(Vec::new()).doc_of("x"), None);
}

#[test]
fn unbuilt_mode_falls_back_and_empty_index_is_safe() {
    let only_exact = Index::build_with([doc("x", "Casablanca", "")], BuildOptions { exact: true, product: false });
    assert_eq!(ids(&only_exact.search("casablanca", Mode::Product, &Filter::default(), 5)), ["x"]);
    let empty = Index::build(Vec::new());
    assert!(empty.is_empty());
    assert!(empty.search("anything", Mode::Exact, &Filter::default(), 5).is_empty());
    assert!(empty.suggest("any", 5).is_empty());
    assert!(empty.more_like_this(0, 5).is_empty());
    assert_eq!(empty.doc_id(0), "");
}

#[test]
fn limits_are_respected() {
    let index = Index::build(catalog());
    for mode in [Mode::Exact, Mode::Product] {
        assert!(index.search("film", mode, &Filter::default(), 0).is_empty());
        assert_eq!(index.search("film", mode, &Filter::default(), 3).len(), 3);
        assert_eq!(index.search("film", mode, &Filter::default(), usize::MAX).len(), 50);
    }
    assert_eq!(index.doc_id(3), "d3");
    assert_eq!(index.len(), 50);
}

#[test]
fn hostile_queries_never_panic() {
    let index = films();
    let long_a = "a".repeat(10_000);
    let long_words = "godfathre ".repeat(2_000);
    let marks = format!("e{}", "\u{301}".repeat(5_000));
    let long_typo = "x".repeat(40);
    let queries = [
        "",
        " ",
        "🎬🍿🎥",
        "'; DROP TABLE movies; --",
        "<script>alert('x')</script>",
        "\u{0}\u{1}\u{7}\u{1b}[31m\t\r\n",
        "\u{202e}evil\u{202c}",
        "\u{feff}casablanca",
        "---...'''",
        "a-b-c-d-e-f-g-h-i-j-k",
        long_a.as_str(),
        long_words.as_str(),
        marks.as_str(),
        long_typo.as_str(),
        "ǅungla İstanbul ﬁlm ΟΔΟΣ",
    ];
    for q in queries {
        for mode in [Mode::Exact, Mode::Product] {
            let hits = index.search(q, mode, &Filter::default(), 10);
            assert!(hits.iter().all(|h| h.score.is_finite()), "{q:?}");
        }
        let _ = index.suggest(q, 10);
        let _ = validate_query(q);
    }
    assert!(validate_query(&long_a).is_err());
    assert!(validate_query("🎬").is_ok());
}

/// Brute-force exact scores, computed independently with f64, against the
/// pruned engine on a corpus with long posting lists (many blocks) and many ties.
#[test]
fn pruned_top_k_equals_brute_force() {
    let vocab: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    let mut seed = 7u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let docs: Vec<Document> = (0..10_000)
        .map(|i| {
            let n = 1 + rnd() % 12;
            // Skewed: low word numbers are frequent.
            let body: Vec<&str> = (0..n).map(|_| vocab[((rnd() % 40) * (rnd() % 40) / 40) as usize].as_str()).collect();
            doc(&i.to_string(), "", &body.join(" "))
        })
        .collect();
    let tokens: Vec<Vec<String>> =
        docs.iter().map(|d| search::word_tokens(&format!("{} {}", d.title, d.body))).collect();
    let n = docs.len() as f64;
    let df = |t: &str| tokens.iter().filter(|d| d.iter().any(|x| x == t)).count() as f64;
    let idf: std::collections::HashMap<&str, f64> =
        vocab.iter().filter(|t| df(t) > 0.0).map(|t| (t.as_str(), ((1.0 + n) / (1.0 + df(t))).ln() + 1.0)).collect();
    let vector = |toks: &[String]| -> std::collections::HashMap<String, f64> {
        let mut v = std::collections::HashMap::new();
        // Terms outside the vocabulary are ignored, as sklearn's transform does.
        for t in toks.iter().filter(|t| idf.contains_key(t.as_str())) {
            *v.entry(t.clone()).or_insert(0.0) += idf[t.as_str()];
        }
        let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
        v.values_mut().for_each(|x| *x /= norm);
        v
    };
    let doc_vecs: Vec<_> = tokens.iter().map(|t| vector(t)).collect();
    let index = Index::build(docs);
    for q in 0..150 {
        let words: Vec<String> = (0..1 + q % 4).map(|_| vocab[(rnd() % 40) as usize].clone()).collect();
        let qv = vector(&words);
        let mut want: Vec<(usize, f64)> = doc_vecs
            .iter()
            .enumerate()
            .map(|(d, v)| (d, qv.iter().map(|(t, w)| w * v.get(t).copied().unwrap_or(0.0)).sum::<f64>()))
            .filter(|&(_, s)| s > 0.0)
            .collect();
        want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for k in [1usize, 10, 100] {
            let got = index.search(&words.join(" "), Mode::Exact, &Filter::default(), k);
            assert_eq!(got.len(), want.len().min(k));
            for (i, h) in got.iter().enumerate() {
                assert!((f64::from(h.score) - want[i].1).abs() < 1e-5, "query {words:?} k {k} rank {i}");
                let truth =
                    doc_vecs[h.doc as usize].iter().map(|(t, v)| v * qv.get(t).copied().unwrap_or(0.0)).sum::<f64>();
                assert!((f64::from(h.score) - truth).abs() < 1e-5, "score of doc {} is its true score", h.doc);
            }
        }
    }
}
