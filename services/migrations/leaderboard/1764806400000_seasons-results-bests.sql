-- Up Migration

-- A competitive season: [starts_at, ends_at) in UTC, at millisecond precision, and the course
-- seeds its runs use. Seasons never overlap, so an instant belongs to at most one season, and
-- a season lasts less than 2^33 ms so that rank keys stay exact doubles.
CREATE TABLE leaderboard_seasons (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$' AND id <> 'current'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  starts_at timestamptz NOT NULL CHECK (date_trunc('milliseconds', starts_at) = starts_at),
  ends_at timestamptz NOT NULL CHECK (date_trunc('milliseconds', ends_at) = ends_at),
  seeds bigint[] NOT NULL CHECK (
    cardinality(seeds) BETWEEN 1 AND 64
    AND 0 <= ALL (seeds)
    AND 4294967295 >= ALL (seeds)
  ),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (ends_at - starts_at < interval '8589934.592 seconds'),
  EXCLUDE USING gist (tstzrange(starts_at, ends_at) WITH &&)
);

-- Every verified run, once: the run id is the idempotency key of the whole pipeline.
CREATE TABLE leaderboard_results (
  run_id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  season_id text NOT NULL REFERENCES leaderboard_seasons (id),
  ruleset integer NOT NULL,
  seed bigint NOT NULL,
  score integer NOT NULL CHECK (score >= 0 AND score < 1048576),
  distance double precision NOT NULL,
  kills integer NOT NULL,
  coins integer NOT NULL,
  ticks integer NOT NULL,
  outcome text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  final_hash text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX leaderboard_results_season_user ON leaderboard_results (season_id, user_id);

-- Each player's best run of a season by the tie rule (score DESC, started_at, run_id). Score
-- and tie-break are copied from the same run, which stays in leaderboard_results.
CREATE TABLE leaderboard_bests (
  season_id text NOT NULL REFERENCES leaderboard_seasons (id),
  user_id uuid NOT NULL,
  run_id uuid NOT NULL REFERENCES leaderboard_results (run_id),
  score integer NOT NULL,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (season_id, user_id)
);

CREATE INDEX leaderboard_bests_rank ON leaderboard_bests (season_id, score DESC, started_at, run_id);

-- Down Migration

DROP TABLE leaderboard_bests;
DROP TABLE leaderboard_results;
DROP TABLE leaderboard_seasons;
