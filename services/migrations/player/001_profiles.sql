-- Up Migration

-- Player profiles, the cosmetics catalogue, what each player owns, and friendships.

CREATE TABLE skins (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,32}$'),
  name text NOT NULL,
  rarity text NOT NULL CHECK (rarity IN ('default', 'common', 'rare', 'epic')),
  sort_order integer NOT NULL
);

INSERT INTO skins (id, name, rarity, sort_order) VALUES
  ('runner', 'Runner', 'default', 0),
  ('ember', 'Ember', 'common', 1),
  ('tide', 'Tide', 'common', 2),
  ('moss', 'Moss', 'common', 3),
  ('nightfall', 'Nightfall', 'rare', 4),
  ('aurora', 'Aurora', 'epic', 5);

-- username is the account name at the time the profile was created, kept so friends can be
-- found by name; display_name is what boards and rooms show.
CREATE TABLE profiles (
  user_id uuid PRIMARY KEY,
  username text NOT NULL,
  display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 24),
  skin_id text NOT NULL DEFAULT 'runner' REFERENCES skins (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX profiles_username_key ON profiles (lower(username));

CREATE TABLE owned_skins (
  user_id uuid NOT NULL REFERENCES profiles (user_id) ON DELETE CASCADE,
  skin_id text NOT NULL REFERENCES skins (id),
  acquired_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, skin_id)
);

-- One row per pair of players, whoever asked first. A request is pending until the addressee
-- accepts; removing a friend or declining deletes the row.
CREATE TABLE friendships (
  requester_id uuid NOT NULL REFERENCES profiles (user_id) ON DELETE CASCADE,
  addressee_id uuid NOT NULL REFERENCES profiles (user_id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('pending', 'accepted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  accepted_at timestamptz,
  PRIMARY KEY (requester_id, addressee_id),
  CHECK (requester_id <> addressee_id)
);

CREATE UNIQUE INDEX friendships_pair_key
  ON friendships (least(requester_id, addressee_id), greatest(requester_id, addressee_id));
CREATE INDEX friendships_addressee_idx ON friendships (addressee_id);

-- Down Migration

DROP TABLE friendships;
DROP TABLE owned_skins;
DROP TABLE profiles;
DROP TABLE skins;
