-- Data collection (issue 4): scraped movie facts, thumbnails, reviews, and
-- the scrape ledger that makes runs resumable. Times are Unix seconds.

ALTER TABLE movies ADD COLUMN imdb_id TEXT;
ALTER TABLE movies ADD COLUMN original_title TEXT;
ALTER TABLE movies ADD COLUMN title_type TEXT;
ALTER TABLE movies ADD COLUMN writers TEXT;            -- JSON array
ALTER TABLE movies ADD COLUMN cast_members TEXT;       -- JSON array, billing order
ALTER TABLE movies ADD COLUMN languages TEXT;          -- JSON array
ALTER TABLE movies ADD COLUMN countries TEXT;          -- JSON array
ALTER TABLE movies ADD COLUMN gross_amount INTEGER;
ALTER TABLE movies ADD COLUMN gross_currency TEXT;
ALTER TABLE movies ADD COLUMN budget_amount INTEGER;
ALTER TABLE movies ADD COLUMN budget_currency TEXT;
ALTER TABLE movies ADD COLUMN thumbnail_key TEXT;
ALTER TABLE movies ADD COLUMN thumbnail_width INTEGER;
ALTER TABLE movies ADD COLUMN thumbnail_height INTEGER;
ALTER TABLE movies ADD COLUMN thumbnail_placeholder TEXT; -- data: URI of a tiny blurred image
ALTER TABLE movies ADD COLUMN scraped_at INTEGER;
CREATE INDEX movies_by_imdb_id ON movies (imdb_id);

-- One row per item a scraping source fetched or tried to (a title page, a
-- poster, a title's reviews of one polarity, a list page).
CREATE TABLE scrape_items (
    asset          TEXT NOT NULL,
    item_key       TEXT NOT NULL,
    status         TEXT NOT NULL,      -- done | failed | partial
    etag           TEXT,
    last_modified  TEXT,
    object_key     TEXT,
    resume_cursor  TEXT,               -- where a paginated item resumes
    pages          INTEGER NOT NULL DEFAULT 0,
    fetched_at     INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    error          TEXT,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (asset, item_key)
);
CREATE INDEX scrape_items_by_status ON scrape_items (asset, status);

-- User reviews. The sentiment columns are filled by the sentiment job.
CREATE TABLE reviews (
    id                   TEXT PRIMARY KEY NOT NULL,
    movie_id             TEXT NOT NULL,
    imdb_id              TEXT NOT NULL,
    polarity             TEXT,              -- positive | negative: which filter found it
    author               TEXT,
    rating               INTEGER,
    summary              TEXT,
    body                 TEXT NOT NULL,
    review_date          TEXT,
    helpful_up           INTEGER,
    helpful_down         INTEGER,
    spoiler              INTEGER NOT NULL DEFAULT 0,
    fetched_at           INTEGER,
    sentiment_label      TEXT,
    sentiment_confidence REAL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX reviews_by_movie ON reviews (movie_id, rating);
