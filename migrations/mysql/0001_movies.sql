-- The catalog. Integers are 64-bit, times are Unix seconds.
CREATE TABLE movies (
    id                  VARCHAR(32)  NOT NULL PRIMARY KEY,
    title               VARCHAR(512) NOT NULL,
    year                BIGINT,
    runtime_minutes     BIGINT,
    certificate         VARCHAR(32),
    rating              DOUBLE,
    votes               BIGINT,
    metascore           BIGINT,
    gross_usd           BIGINT,
    language            VARCHAR(64),
    genres              TEXT NOT NULL,
    overview            TEXT,
    director            VARCHAR(512),
    stars               TEXT NOT NULL,
    poster_url          VARCHAR(2048),
    user_review_count   BIGINT,
    critic_review_count BIGINT,
    source              VARCHAR(32)  NOT NULL,
    content_hash        VARCHAR(32)  NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    INDEX movies_by_rating (rating, votes),
    INDEX movies_by_votes (votes),
    INDEX movies_by_year (year),
    INDEX movies_by_title (title(191))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE movie_genres (
    movie_id VARCHAR(32) NOT NULL,
    genre    VARCHAR(64) NOT NULL,
    PRIMARY KEY (movie_id, genre),
    INDEX movie_genres_by_genre (genre, movie_id),
    CONSTRAINT movie_genres_movie FOREIGN KEY (movie_id) REFERENCES movies (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
