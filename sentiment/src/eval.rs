//! Evaluation: accuracy, per-class precision / recall / F1, confusion matrix.

use std::fmt;

use crate::dataset::{Example, Label};
use crate::model::Model;

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassMetrics {
    /// Of the examples predicted as the class, the share that are.
    pub precision: f64,
    /// Of the examples of the class, the share predicted as it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Examples of the class.
    pub support: u64,
}

/// The quality of a model on labelled examples.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// `confusion[actual][predicted]`, index 0 = positive, 1 = negative.
    pub confusion: [[u64; 2]; 2],
    /// Share of correct predictions.
    pub accuracy: f64,
    /// Metrics of the positive class.
    pub positive: ClassMetrics,
    /// Metrics of the negative class.
    pub negative: ClassMetrics,
    /// Mean negative log-likelihood of the true labels (lower is better
    /// calibrated and more confident where right).
    pub log_loss: f64,
    /// Expected calibration error: predictions binned by confidence (10 bins
    /// over 0.5–1), the support-weighted mean gap between a bin's mean
    /// confidence and its accuracy. 0 is perfectly calibrated.
    pub calibration_error: f64,
}

/// Confidence bins for [`EvalReport::calibration_error`].
const CALIBRATION_BINS: usize = 10;

fn idx(l: Label) -> usize {
    usize::from(!l.is_positive())
}

impl EvalReport {
    /// The report of `(actual, predicted, probability of positive)` triples.
    pub fn from_outcomes(outcomes: impl IntoIterator<Item = (Label, Label, f32)>) -> EvalReport {
        let mut confusion = [[0u64; 2]; 2];
        let mut nll = 0.0f64;
        // Per bin: count, sum of confidences, correct predictions.
        let mut bins = [(0u64, 0.0f64, 0u64); CALIBRATION_BINS];
        for (actual, predicted, p_pos) in outcomes {
            confusion[idx(actual)][idx(predicted)] += 1;
            let p = f64::from(if actual.is_positive() { p_pos } else { 1.0 - p_pos });
            nll -= p.clamp(1e-12, 1.0).ln();
            let p_pred = f64::from(if predicted.is_positive() { p_pos } else { 1.0 - p_pos }).clamp(0.5, 1.0);
            let b = &mut bins[(((p_pred - 0.5) * 2.0 * CALIBRATION_BINS as f64) as usize).min(CALIBRATION_BINS - 1)];
            b.0 += 1;
            b.1 += p_pred;
            b.2 += u64::from(actual == predicted);
        }
        let n: u64 = confusion.iter().flatten().sum();
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let class = |k: usize| {
            let tp = confusion[k][k];
            let predicted = confusion[0][k] + confusion[1][k];
            let support = confusion[k][0] + confusion[k][1];
            let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            ClassMetrics { precision, recall, f1, support }
        };
        EvalReport {
            accuracy: ratio(confusion[0][0] + confusion[1][1], n),
            positive: class(0),
            negative: class(1),
            log_loss: if n == 0 { 0.0 } else { nll / n as f64 },
            calibration_error: bins
                .iter()
                .filter(|b| b.0 > 0)
                .map(|&(_, conf, right)| (conf - right as f64).abs() / n as f64)
                .sum(),
            confusion,
        }
    }

    /// Number of examples evaluated.
    pub fn total(&self) -> u64 {
        self.confusion.iter().flatten().sum()
    }

    /// Unweighted mean of the two classes' F1.
    pub fn macro_f1(&self) -> f64 {
        (self.positive.f1 + self.negative.f1) / 2.0
    }
}

/// Evaluates `model` on labelled examples (anything iterable over
/// [`Example`]s; predicted over the available cores).
pub fn evaluate<I>(model: &Model, examples: I) -> EvalReport
where
    I: IntoIterator,
    I::Item: Example,
{
    let examples: Vec<I::Item> = examples.into_iter().collect();
    let texts: Vec<&str> = examples.iter().map(|e| e.text()).collect();
    let labels: Vec<Label> = examples.iter().map(|e| e.label()).collect();
    let predictions = model.predict_batch(&texts);
    EvalReport::from_outcomes(labels.into_iter().zip(predictions).map(|(a, p)| (a, p.label, p.positive_probability())))
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.confusion;
        writeln!(f, "examples  {}", self.total())?;
        writeln!(
            f,
            "accuracy  {:.2}%   (macro F1 {:.4}, log-loss {:.4}, calibration error {:.2}%)",
            100.0 * self.accuracy,
            self.macro_f1(),
            self.log_loss,
            100.0 * self.calibration_error
        )?;
        writeln!(f)?;
        writeln!(f, "class     precision  recall      F1  support")?;
        for (name, m) in [("positive", &self.positive), ("negative", &self.negative)] {
            writeln!(f, "{name:<8}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}", m.precision, m.recall, m.f1, m.support)?;
        }
        writeln!(f)?;
        writeln!(f, "confusion        predicted pos  predicted neg")?;
        writeln!(f, "actual positive  {:>13}  {:>13}", c[0][0], c[0][1])?;
        write!(f, "actual negative  {:>13}  {:>13}", c[1][0], c[1][1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;

    #[test]
    fn metrics_and_table() {
        // 3 pos (2 right), 2 neg (1 right).
        let r = EvalReport::from_outcomes([
            (Positive, Positive, 0.9),
            (Positive, Positive, 0.8),
            (Positive, Negative, 0.4),
            (Negative, Negative, 0.1),
            (Negative, Positive, 0.7),
        ]);
        assert_eq!(r.confusion, [[2, 1], [1, 1]]);
        assert_eq!(r.total(), 5);
        assert!((r.accuracy - 0.6).abs() < 1e-12);
        assert!((r.positive.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.positive.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.negative.precision - 0.5).abs() < 1e-12);
        assert!((r.negative.recall - 0.5).abs() < 1e-12);
        assert!((r.negative.f1 - 0.5).abs() < 1e-12);
        assert_eq!((r.positive.support, r.negative.support), (3, 2));
        let want = -(0.9f64.ln() + 0.8f64.ln() + 0.4f64.ln() + 0.9f64.ln() + 0.3f64.ln()) / 5.0;
        assert!((r.log_loss - want).abs() < 1e-6);
        // Bins: 0.9 (right), 0.8 (right), 0.6 (wrong, predicted neg at 0.6),
        // 0.9 (right), 0.7 (wrong): |0.9+0.9-2| + |0.8-1| + |0.6-0| + |0.7-0|, over 5.
        assert!((r.calibration_error - (0.2 + 0.2 + 0.6 + 0.7) / 5.0).abs() < 1e-6, "{}", r.calibration_error);
        let table = r.to_string();
        assert!(table.contains("accuracy  60.00%"), "{table}");
        assert!(table.contains("calibration error 34.00%"), "{table}");
        assert!(table.contains("actual positive              2              1"), "{table}");
        assert!(table.contains("negative     0.5000  0.5000  0.5000        2"), "{table}");
    }

    #[test]
    fn empty_report_has_no_nans() {
        let r = EvalReport::from_outcomes(std::iter::empty());
        assert_eq!((r.accuracy, r.positive.f1, r.log_loss, r.calibration_error), (0.0, 0.0, 0.0, 0.0));
    }
}
