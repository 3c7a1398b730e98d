-- Reviews and sentiment (issue 6): which model labelled a review, and each
-- movie's score (positive reviews of the labelled ones) for cards and /browse.

ALTER TABLE reviews ADD COLUMN sentiment_model VARCHAR(64);
ALTER TABLE movies
    ADD COLUMN sentiment_positive BIGINT,
    ADD COLUMN sentiment_reviews BIGINT;
CREATE INDEX reviews_by_movie_date ON reviews (movie_id, review_date);
