-- Data collection (issue 4): scraped movie facts, thumbnails, reviews, and
-- the scrape ledger that makes runs resumable. Times are Unix seconds.

ALTER TABLE movies
    ADD COLUMN imdb_id VARCHAR(16),
    ADD COLUMN original_title VARCHAR(512),
    ADD COLUMN title_type VARCHAR(32),
    ADD COLUMN writers TEXT,
    ADD COLUMN cast_members TEXT,
    ADD COLUMN languages TEXT,
    ADD COLUMN countries TEXT,
    ADD COLUMN gross_amount BIGINT,
    ADD COLUMN gross_currency VARCHAR(8),
    ADD COLUMN budget_amount BIGINT,
    ADD COLUMN budget_currency VARCHAR(8),
    ADD COLUMN thumbnail_key VARCHAR(128),
    ADD COLUMN thumbnail_width BIGINT,
    ADD COLUMN thumbnail_height BIGINT,
    ADD COLUMN thumbnail_placeholder TEXT,
    ADD COLUMN scraped_at BIGINT,
    ADD INDEX movies_by_imdb_id (imdb_id);

CREATE TABLE scrape_items (
    asset          VARCHAR(32)  NOT NULL,
    item_key       VARCHAR(191) NOT NULL,
    status         VARCHAR(16)  NOT NULL,
    etag           VARCHAR(512),
    last_modified  VARCHAR(64),
    object_key     VARCHAR(512),
    resume_cursor  VARCHAR(1024),
    pages          BIGINT NOT NULL DEFAULT 0,
    fetched_at     BIGINT,
    attempts       BIGINT NOT NULL DEFAULT 0,
    error          TEXT,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (asset, item_key),
    INDEX scrape_items_by_status (asset, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE reviews (
    id                   VARCHAR(32)  NOT NULL PRIMARY KEY,
    movie_id             VARCHAR(32)  NOT NULL,
    imdb_id              VARCHAR(16)  NOT NULL,
    polarity             VARCHAR(16),
    author               VARCHAR(255),
    rating               BIGINT,
    summary              TEXT,
    body                 MEDIUMTEXT NOT NULL,
    review_date          VARCHAR(32),
    helpful_up           BIGINT,
    helpful_down         BIGINT,
    spoiler              BIGINT NOT NULL DEFAULT 0,
    fetched_at           BIGINT,
    sentiment_label      VARCHAR(16),
    sentiment_confidence DOUBLE,
    updated_at           BIGINT NOT NULL,
    INDEX reviews_by_movie (movie_id, rating)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
