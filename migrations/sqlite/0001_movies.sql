-- The catalog. Integers are 64-bit, times are Unix seconds.
CREATE TABLE movies (
    id                  TEXT PRIMARY KEY NOT NULL,
    title               TEXT NOT NULL,
    year                INTEGER,
    runtime_minutes     INTEGER,
    certificate         TEXT,
    rating              REAL,
    votes               INTEGER,
    metascore           INTEGER,
    gross_usd           INTEGER,
    language            TEXT,
    genres              TEXT NOT NULL DEFAULT '[]',   -- JSON array, for display
    overview            TEXT,
    director            TEXT,
    stars               TEXT NOT NULL DEFAULT '[]',   -- JSON array, billing order
    poster_url          TEXT,
    user_review_count   INTEGER,
    critic_review_count INTEGER,
    source              TEXT NOT NULL,
    content_hash        TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX movies_by_rating ON movies (rating DESC, votes DESC);
CREATE INDEX movies_by_votes ON movies (votes DESC);
CREATE INDEX movies_by_year ON movies (year DESC);
CREATE INDEX movies_by_title ON movies (title);

-- One row per (movie, genre): genre rows and filters use the index.
CREATE TABLE movie_genres (
    movie_id TEXT NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    genre    TEXT NOT NULL,
    PRIMARY KEY (movie_id, genre)
);
CREATE INDEX movie_genres_by_genre ON movie_genres (genre, movie_id);
