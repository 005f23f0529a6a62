-- Up Migration

-- Every judged run, whatever its verdict. All result columns are the server's own numbers.
CREATE TABLE runs (
  run_id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  username text NOT NULL,
  season_id text NOT NULL,
  room_id text NOT NULL,
  seed bigint NOT NULL,
  ruleset integer NOT NULL,
  course_length integer NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  verdict text NOT NULL,
  reason text NOT NULL,
  ticks integer NOT NULL,
  score integer NOT NULL,
  distance integer NOT NULL,
  kills integer NOT NULL,
  coins integer NOT NULL,
  outcome text NOT NULL,
  final_hash text NOT NULL,
  -- The client's claim, when one came: { finalTick, score, hash }.
  claim jsonb,
  -- First checkpoint tick at which the client's hash differed from the server's.
  diverged_tick integer,
  -- The processed inputs, encoded with encodeInputStream.
  inputs bytea NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX runs_user_started ON runs (user_id, started_at DESC);

-- Verified results waiting to be published, written in the same transaction as the run.
CREATE TABLE result_outbox (
  id bigserial PRIMARY KEY,
  run_id uuid NOT NULL UNIQUE REFERENCES runs (run_id),
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  sent_at timestamptz
);

CREATE INDEX result_outbox_unsent ON result_outbox (id) WHERE sent_at IS NULL;

-- Down Migration
DROP TABLE result_outbox;
DROP TABLE runs;
