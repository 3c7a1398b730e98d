//! The trained model and prediction.

use std::cell::RefCell;

use crate::dataset::{Example, Label};
use crate::error::Result;
use crate::features::{distinct_keys, FeatureConfig, KeyTable, Scratch};
use crate::train::{self, TrainConfig, TrainStats};

/// A prediction: the label and the model's probability for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// The more probable label.
    pub label: Label,
    /// The probability of `label` (0.5–1): the logistic output of the score.
    pub confidence: f32,
}

impl Prediction {
    /// The probability that the text is positive.
    pub fn positive_probability(&self) -> f32 {
        match self.label {
            Label::Positive => self.confidence,
            Label::Negative => 1.0 - self.confidence,
        }
    }
}

/// One feature's parameters in the lookup table.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct FeatureParams {
    /// The feature's value when present, before normalisation (`r_j · idf_j`).
    pub scale: f32,
    /// Its weight.
    pub weight: f32,
}

/// A trained sentiment model: NB-scaled n-gram features and a logistic
/// regression over them.
///
/// Predicting is read-only (`&self`) and thread-safe; share one model behind an
/// `Arc`.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) config: FeatureConfig,
    pub(crate) bias: f32,
    pub(crate) table: KeyTable<FeatureParams>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Model {
    /// Trains a model on labelled examples: anything iterable over
    /// [`Example`]s, e.g. `&[Review]`, `&Vec<(String, Label)>`, an iterator of
    /// `(&str, Label)`, or [`rated_examples`](crate::dataset::rated_examples) of
    /// scraped reviews.
    ///
    /// Errors if the configuration is invalid or only one label occurs.
    pub fn train<I>(examples: I, config: &TrainConfig) -> Result<Model>
    where
        I: IntoIterator,
        I::Item: Example,
    {
        Ok(Self::train_with_stats(examples, config)?.0)
    }

    /// [`Model::train`], also returning what training measured.
    pub fn train_with_stats<I>(examples: I, config: &TrainConfig) -> Result<(Model, TrainStats)>
    where
        I: IntoIterator,
        I::Item: Example,
    {
        let t = train::train(examples, config)?;
        Ok((Model::from_parts(config.features, t.keys, t.scale, t.weight, t.bias), t.stats))
    }

    /// Assembles a model from its arrays (keys ascending, distinct, non-zero;
    /// the caller has checked that).
    pub(crate) fn from_parts(
        config: FeatureConfig,
        keys: Vec<u64>,
        scale: Vec<f32>,
        weight: Vec<f32>,
        bias: f32,
    ) -> Model {
        let table = KeyTable::from_pairs(
            keys.iter()
                .zip(scale.iter().zip(&weight))
                .map(|(&k, (&scale, &weight))| (k, FeatureParams { scale, weight })),
        );
        Model { config, bias, table }
    }

    /// Every feature as `(key, scale, weight)`, in ascending key order (the file
    /// order).
    pub(crate) fn features(&self) -> Vec<(u64, FeatureParams)> {
        let mut v: Vec<(u64, FeatureParams)> = self.table.iter().collect();
        v.sort_unstable_by_key(|&(k, _)| k);
        v
    }

    /// The feature settings the model was trained with.
    pub fn feature_config(&self) -> FeatureConfig {
        self.config
    }

    /// Number of features (n-grams) the model knows.
    pub fn feature_count(&self) -> usize {
        self.table.len()
    }

    /// The raw score (log-odds of positive) of `text`, using `scratch` for buffers.
    pub fn score_with(&self, text: &str, scratch: &mut Scratch) -> f32 {
        distinct_keys(text, self.config.ngram_max, scratch);
        let (mut dot, mut ss) = (0.0f32, 0.0f32);
        for &k in &scratch.keys {
            if let Some(f) = self.table.get(k) {
                dot += f.scale * f.weight;
                ss += f.scale * f.scale;
            }
        }
        if self.config.l2_normalize && ss > 0.0 {
            dot /= ss.sqrt();
        }
        dot + self.bias
    }

    /// The raw score (log-odds of positive) of `text`.
    pub fn score(&self, text: &str) -> f32 {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => self.score_with(text, &mut s),
            // Re-entered from inside a scoring call on this thread: fresh buffers.
            Err(_) => self.score_with(text, &mut Scratch::default()),
        })
    }

    /// Predicts the label of `text` with its probability. Allocation-free after
    /// the first call on a thread (buffers are per thread and reused).
    pub fn predict(&self, text: &str) -> Prediction {
        prediction(self.score(text))
    }

    /// [`Model::predict`] with caller-owned buffers.
    pub fn predict_with(&self, text: &str, scratch: &mut Scratch) -> Prediction {
        prediction(self.score_with(text, scratch))
    }

    /// Predicts every text, in order, splitting large batches over the available
    /// cores.
    pub fn predict_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Prediction> {
        // Below this many texts per thread, a thread costs more than it saves.
        const MIN_PER_THREAD: usize = 256;
        let threads =
            std::thread::available_parallelism().map_or(1, |n| n.get()).min(texts.len() / MIN_PER_THREAD).max(1);
        if threads == 1 {
            return texts.iter().map(|t| self.predict(t.as_ref())).collect();
        }
        let mut out = vec![Prediction { label: Label::Positive, confidence: 0.5 }; texts.len()];
        let chunk = texts.len().div_ceil(threads).max(1);
        std::thread::scope(|sc| {
            for (texts, out) in texts.chunks(chunk).zip(out.chunks_mut(chunk)) {
                sc.spawn(move || {
                    let mut scratch = Scratch::default();
                    for (t, o) in texts.iter().zip(out) {
                        *o = self.predict_with(t.as_ref(), &mut scratch);
                    }
                });
            }
        });
        out
    }
}

/// The label and probability of a log-odds score.
fn prediction(score: f32) -> Prediction {
    let p = 1.0 / (1.0 + (-score).exp());
    if score >= 0.0 {
        Prediction { label: Label::Positive, confidence: p }
    } else {
        Prediction { label: Label::Negative, confidence: 1.0 - p }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Vec<(&'static str, Label)> {
        use Label::*;
        vec![
            ("a wonderful, moving film", Positive),
            ("wonderful acting and a great story", Positive),
            ("great fun, loved it!", Positive),
            ("loved the music, wonderful", Positive),
            ("an awful, boring film", Negative),
            ("boring story and awful acting", Negative),
            ("terrible, hated it", Negative),
            ("hated the music, boring and terrible", Negative),
        ]
    }

    #[test]
    fn learns_a_separable_set_perfectly() {
        let data = tiny();
        let config = TrainConfig { min_df: 1, threads: 2, ..TrainConfig::default() };
        let (model, stats) = Model::train_with_stats(data.iter().copied(), &config).unwrap();
        assert_eq!(stats.examples, 8);
        assert_eq!(stats.positive, 4);
        for (text, label) in &data {
            let p = model.predict(text);
            assert_eq!(p.label, *label, "{text}");
            assert!(p.confidence > 0.5 && p.confidence <= 1.0);
        }
        assert_eq!(model.predict("wonderful").label, Label::Positive);
        assert_eq!(model.predict("so boring").label, Label::Negative);
        // Batch equals one by one.
        let texts: Vec<&str> = data.iter().map(|d| d.0).collect();
        let batch = model.predict_batch(&texts);
        let single: Vec<Prediction> = texts.iter().map(|t| model.predict(t)).collect();
        assert_eq!(batch, single);
        // Unknown text: only the bias speaks, close to a coin toss.
        let p = model.predict("zzz qqq");
        assert!(p.confidence < 0.6, "{p:?}");
    }

    #[test]
    fn trains_on_any_kind_of_example() {
        use crate::dataset::{Review, Split};
        let owned: Vec<(String, Label)> = tiny().into_iter().map(|(t, l)| (t.to_string(), l)).collect();
        let reviews: Vec<Review> = tiny()
            .into_iter()
            .enumerate()
            .map(|(i, (t, l))| Review {
                split: Split::Train,
                label: l,
                review_id: i as u32,
                rating: if l.is_positive() { 9 } else { 2 },
                imdb_id: format!("tt{i}"),
                text: t.to_string(),
            })
            .collect();
        let config = TrainConfig { min_df: 1, ..TrainConfig::default() };
        let a = Model::train(&owned, &config).unwrap();
        let b = Model::train(&reviews, &config).unwrap();
        let c = Model::train(reviews.iter().map(Review::example), &config).unwrap();
        let d = Model::train(owned, &config).unwrap();
        for m in [&b, &c, &d] {
            assert_eq!(m.features(), a.features());
        }
        assert_eq!(crate::evaluate(&a, &reviews).accuracy, 1.0);
    }

    #[test]
    fn training_needs_both_labels_and_a_valid_config() {
        let only_pos = [("good", Label::Positive), ("great", Label::Positive)];
        assert!(matches!(
            Model::train(only_pos, &TrainConfig::default()),
            Err(crate::Error::OneClass { positive: 2, negative: 0 })
        ));
        let bad = TrainConfig { c: -1.0, ..TrainConfig::default() };
        assert!(matches!(Model::train(tiny(), &bad), Err(crate::Error::Config(_))));
    }

    #[test]
    fn prediction_probabilities() {
        let p = prediction(0.0);
        assert_eq!((p.label, p.confidence), (Label::Positive, 0.5));
        let p = prediction(-2.0);
        assert_eq!(p.label, Label::Negative);
        assert!((p.confidence - 0.880_797).abs() < 1e-5);
        assert!((p.positive_probability() - 0.119_203).abs() < 1e-5);
    }
}
