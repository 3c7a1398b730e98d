-- Reviews and sentiment (issue 6): which model labelled a review, and each
-- movie's score (positive reviews of the labelled ones) for cards and /browse.

ALTER TABLE reviews ADD COLUMN sentiment_model TEXT;
ALTER TABLE movies ADD COLUMN sentiment_positive INTEGER;
ALTER TABLE movies ADD COLUMN sentiment_reviews INTEGER;
CREATE INDEX reviews_by_movie_date ON reviews (movie_id, review_date);
