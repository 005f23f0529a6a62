-- Up Migration

-- Accounts, their sessions and the refresh tokens that keep a session alive.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL CHECK (username ~ '^[A-Za-z0-9_]{3,20}$'),
  email text CHECK (char_length(email) <= 254),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Usernames and emails are unique regardless of letter case.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;

-- One row per log in. A session ends at expires_at or when revoked (log out, refresh token
-- reuse); revoked_reason says which.
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'refresh_reuse'))
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- Every refresh token ever issued, by its SHA-256. used_at is set when the token is exchanged;
-- presenting a used token again is reuse and revokes the session.
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz
);

CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

-- Down Migration

DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
