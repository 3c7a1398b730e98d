//! Reviews and sentiment as the site shows them: a movie's reviews page by
//! page, each with the reviewer's own rating and the model's label, and a
//! movie's sentiment score.

use serde::{Deserialize, Serialize};

/// Reviews per page on the movie page.
pub const REVIEWS_PER_PAGE: u32 = 10;

/// A movie's sentiment: how many of its labelled reviews the model read as positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentimentScore {
    pub positive: u32,
    pub reviews: u32,
}

impl SentimentScore {
    /// From the two columns; `None` when no review was labelled.
    pub fn from_counts(positive: Option<i64>, reviews: Option<i64>) -> Option<Self> {
        let reviews = u32::try_from(reviews?).ok().filter(|n| *n > 0)?;
        let positive = u32::try_from(positive.unwrap_or(0)).ok()?.min(reviews);
        Some(Self { positive, reviews })
    }

    /// The share of positive reviews, 0–100, rounded.
    pub fn percent(&self) -> u32 {
        if self.reviews == 0 {
            return 0;
        }
        (f64::from(self.positive) * 100.0 / f64::from(self.reviews)).round() as u32
    }

    /// Which `/browse` sentiment filter keeps it.
    pub fn band(&self) -> SentimentFilter {
        let pct = self.percent();
        SentimentFilter::ALL.into_iter().find(|f| pct >= f.bounds().0).unwrap_or(SentimentFilter::Negative)
    }

    /// A word for it, as the cards show it.
    pub fn verdict(&self) -> &'static str {
        match self.percent() {
            80.. => "Loved",
            60..=79 => "Liked",
            40..=59 => "Mixed",
            _ => "Disliked",
        }
    }
}

/// The `/browse` filter on the sentiment score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SentimentFilter {
    /// At least 70% positive.
    Positive,
    /// 40–69% positive.
    Mixed,
    /// Under 40% positive.
    Negative,
}

impl SentimentFilter {
    pub fn from_param(s: Option<&str>) -> Option<Self> {
        let s = s?.trim();
        Self::ALL.into_iter().find(|f| f.as_param() == s)
    }

    pub fn as_param(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Mixed => "mixed",
            Self::Negative => "negative",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Positive => "Mostly positive",
            Self::Mixed => "Mixed",
            Self::Negative => "Mostly negative",
        }
    }

    /// The range of positive percentages it keeps: `[low, high)`. [`Self::ALL`]
    /// lists the filters from the highest range down.
    pub fn bounds(self) -> (u32, u32) {
        match self {
            Self::Positive => (70, 101),
            Self::Mixed => (40, 70),
            Self::Negative => (0, 40),
        }
    }

    pub const ALL: [SentimentFilter; 3] = [Self::Positive, Self::Mixed, Self::Negative];
}

/// Which of a movie's reviews to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReviewFilter {
    #[default]
    All,
    /// Reviews the model labelled positive.
    Positive,
    /// Reviews the model labelled negative.
    Negative,
}

impl ReviewFilter {
    pub fn from_param(s: Option<&str>) -> Self {
        match s.map(str::trim) {
            Some("positive") => Self::Positive,
            Some("negative") => Self::Negative,
            _ => Self::All,
        }
    }

    pub fn as_param(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Positive => "positive",
            Self::Negative => "negative",
        }
    }
}

/// One review on the movie page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovieReview {
    pub id: String,
    pub author: Option<String>,
    /// The reviewer's own rating, 1–10.
    pub rating: Option<i64>,
    pub summary: Option<String>,
    /// Plain text (paragraphs separated by blank lines).
    pub body: String,
    pub date: Option<String>,
    pub helpful_up: Option<i64>,
    pub spoiler: bool,
    /// The model's label (`positive` / `negative`), once labelled.
    pub sentiment: Option<String>,
    /// The model's probability for its label, 0.5–1.
    pub confidence: Option<f64>,
}

/// A page of a movie's reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub reviews: Vec<MovieReview>,
    /// The page served (1-based; past the end is clamped to the last).
    pub page: u32,
    pub total_pages: u32,
    /// Reviews matching the filter.
    pub total: u64,
    pub filter: ReviewFilter,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_and_name_themselves() {
        assert_eq!(SentimentScore::from_counts(Some(3), Some(0)), None);
        assert_eq!(SentimentScore::from_counts(None, None), None);
        let s = SentimentScore::from_counts(Some(2), Some(3)).unwrap();
        assert_eq!((s.percent(), s.verdict()), (67, "Liked"));
        assert_eq!(SentimentScore::from_counts(Some(9), Some(3)).unwrap().positive, 3, "clamped");
        assert_eq!(SentimentScore { positive: 4, reviews: 5 }.verdict(), "Loved");
        assert_eq!(SentimentScore { positive: 0, reviews: 5 }.verdict(), "Disliked");
        let band = |positive| SentimentScore { positive, reviews: 10 }.band();
        assert_eq!(
            (band(10), band(7), band(6), band(4), band(3)),
            (
                SentimentFilter::Positive,
                SentimentFilter::Positive,
                SentimentFilter::Mixed,
                SentimentFilter::Mixed,
                SentimentFilter::Negative
            )
        );
    }

    #[test]
    fn filters_parse_leniently() {
        assert_eq!(SentimentFilter::from_param(Some("mixed")), Some(SentimentFilter::Mixed));
        assert_eq!(SentimentFilter::from_param(Some("'; DROP")), None);
        assert_eq!(ReviewFilter::from_param(Some("negative")), ReviewFilter::Negative);
        assert_eq!(ReviewFilter::from_param(Some("x")), ReviewFilter::All);
        for f in SentimentFilter::ALL {
            assert_eq!(SentimentFilter::from_param(Some(f.as_param())), Some(f));
            let (lo, hi) = f.bounds();
            assert!(lo < hi);
        }
    }
}
