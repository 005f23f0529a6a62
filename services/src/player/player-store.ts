import type pg from 'pg';

/** What other players see of a player. */
export interface PublicProfile {
  userId: string;
  displayName: string;
  skin: string;
}

/** A player's own profile, with the cosmetics they own. */
export interface Profile extends PublicProfile {
  username: string;
  ownedSkins: string[];
}

export interface Skin {
  id: string;
  name: string;
  rarity: string;
  owned: boolean;
}

/** A friend or a pending request, with when it began. */
export interface FriendEntry extends PublicProfile {
  since: string;
}

export interface FriendList {
  friends: FriendEntry[];
  incoming: FriendEntry[];
  outgoing: FriendEntry[];
}

/** Why equipping a skin was refused, or `equipped`. */
export type EquipOutcome = 'equipped' | 'unknown_skin' | 'not_owned';

/** What a friend request became. */
export type FriendRequestOutcome =
  'pending' | 'accepted' | 'already_friends' | 'already_requested' | 'no_player';

const PUBLIC_COLUMNS = 'p.user_id, p.display_name, p.skin_id';

/** The friendship row of players $1 and $2, whichever of them asked. */
const PAIR =
  '((requester_id = $1 AND addressee_id = $2) OR (requester_id = $2 AND addressee_id = $1))';

interface PublicRow {
  user_id: string;
  display_name: string;
  skin_id: string;
}

const toPublic = (row: PublicRow): PublicProfile => ({
  userId: row.user_id,
  displayName: row.display_name,
  skin: row.skin_id,
});

/** The player service's tables: profiles, skins, owned skins and friendships. */
export function createPlayerStore(db: pg.Pool) {
  const inTransaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  };

  return {
    /** Creates the profile if it does not exist; the display name starts as the username. */
    async ensureProfile(userId: string, username: string): Promise<void> {
      await db.query(
        `INSERT INTO profiles (user_id, username, display_name) VALUES ($1, $2, $2)
         ON CONFLICT DO NOTHING`,
        [userId, username],
      );
    },

    async profile(userId: string): Promise<Profile | null> {
      const { rows } = await db.query<PublicRow & { username: string; owned: string[] }>(
        `SELECT ${PUBLIC_COLUMNS}, p.username,
           ARRAY(SELECT s.id FROM skins s
                 WHERE s.rarity = 'default' OR EXISTS (
                   SELECT 1 FROM owned_skins o WHERE o.user_id = p.user_id AND o.skin_id = s.id)
                 ORDER BY s.sort_order) AS owned
         FROM profiles p WHERE p.user_id = $1`,
        [userId],
      );
      const row = rows[0];
      return row ? { ...toPublic(row), username: row.username, ownedSkins: row.owned } : null;
    },

    async setDisplayName(userId: string, displayName: string): Promise<void> {
      await db.query(
        'UPDATE profiles SET display_name = $2, updated_at = now() WHERE user_id = $1',
        [userId, displayName],
      );
    },

    async skins(userId: string): Promise<Skin[]> {
      const { rows } = await db.query<Skin>(
        `SELECT s.id, s.name, s.rarity,
           (s.rarity = 'default' OR o.user_id IS NOT NULL) AS owned
         FROM skins s LEFT JOIN owned_skins o ON o.skin_id = s.id AND o.user_id = $1
         ORDER BY s.sort_order`,
        [userId],
      );
      return rows;
    },

    async equipSkin(userId: string, skinId: string): Promise<EquipOutcome> {
      const { rows } = await db.query<{ owned: boolean }>(
        `SELECT (s.rarity = 'default' OR EXISTS (
           SELECT 1 FROM owned_skins o WHERE o.user_id = $1 AND o.skin_id = s.id)) AS owned
         FROM skins s WHERE s.id = $2`,
        [userId, skinId],
      );
      const skin = rows[0];
      if (!skin) return 'unknown_skin';
      if (!skin.owned) return 'not_owned';
      await db.query('UPDATE profiles SET skin_id = $2, updated_at = now() WHERE user_id = $1', [
        userId,
        skinId,
      ]);
      return 'equipped';
    },

    /** Gives a player a skin; false if the skin does not exist. Granting twice is harmless. */
    async grantSkin(userId: string, skinId: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `INSERT INTO owned_skins (user_id, skin_id)
         SELECT $1, s.id FROM skins s WHERE s.id = $2
         ON CONFLICT DO NOTHING`,
        [userId, skinId],
      );
      if (rowCount === 1) return true;
      const { rows } = await db.query('SELECT 1 FROM skins WHERE id = $1', [skinId]);
      return rows.length === 1;
    },

    async userIdByUsername(username: string): Promise<string | null> {
      const { rows } = await db.query<{ user_id: string }>(
        'SELECT user_id FROM profiles WHERE lower(username) = lower($1)',
        [username],
      );
      return rows[0]?.user_id ?? null;
    },

    async publicProfiles(userIds: readonly string[]): Promise<PublicProfile[]> {
      const { rows } = await db.query<PublicRow>(
        `SELECT ${PUBLIC_COLUMNS} FROM profiles p WHERE p.user_id = ANY($1::uuid[])
         ORDER BY p.user_id`,
        [userIds],
      );
      return rows.map(toPublic);
    },

    /**
     * Asks `to` to be friends with `from`. When `to` has already asked `from`, the two requests
     * meet and the friendship is accepted at once.
     */
    requestFriend(from: string, to: string): Promise<FriendRequestOutcome> {
      return inTransaction(async (client) => {
        const target = await client.query('SELECT 1 FROM profiles WHERE user_id = $1', [to]);
        if (target.rows.length === 0) return 'no_player';

        const { rows } = await client.query<{ requester_id: string; status: string }>(
          `SELECT requester_id, status FROM friendships
           WHERE ${PAIR} FOR UPDATE`,
          [from, to],
        );
        const existing = rows[0];
        if (existing?.status === 'accepted') return 'already_friends';
        if (existing?.requester_id === from) return 'already_requested';
        if (existing) {
          await client.query(
            `UPDATE friendships SET status = 'accepted', accepted_at = now()
             WHERE requester_id = $1 AND addressee_id = $2`,
            [to, from],
          );
          return 'accepted';
        }

        // Two players asking each other at the same moment: the second insert finds the pair
        // taken and is answered as already requested.
        const inserted = await client.query(
          `INSERT INTO friendships (requester_id, addressee_id, status) VALUES ($1, $2, 'pending')
           ON CONFLICT DO NOTHING`,
          [from, to],
        );
        return inserted.rowCount === 1 ? 'pending' : 'already_requested';
      });
    },

    /** Accepts the pending request `requester` sent to `addressee`; false if there is none. */
    async acceptFriend(addressee: string, requester: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE friendships SET status = 'accepted', accepted_at = now()
         WHERE requester_id = $1 AND addressee_id = $2 AND status = 'pending'`,
        [requester, addressee],
      );
      return rowCount === 1;
    },

    /** Ends a friendship, or declines or withdraws a request; false if the pair has none. */
    async removeFriend(userId: string, other: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `DELETE FROM friendships
         WHERE ${PAIR}`,
        [userId, other],
      );
      return rowCount === 1;
    },

    async friendList(userId: string): Promise<FriendList> {
      const { rows } = await db.query<PublicRow & { kind: keyof FriendList; since: Date }>(
        `SELECT ${PUBLIC_COLUMNS},
           CASE WHEN f.status = 'accepted' THEN 'friends'
                WHEN f.requester_id = $1 THEN 'outgoing' ELSE 'incoming' END AS kind,
           coalesce(f.accepted_at, f.created_at) AS since
         FROM friendships f
         JOIN profiles p ON p.user_id =
           CASE WHEN f.requester_id = $1 THEN f.addressee_id ELSE f.requester_id END
         WHERE f.requester_id = $1 OR f.addressee_id = $1
         ORDER BY p.display_name, p.user_id`,
        [userId],
      );
      const list: FriendList = { friends: [], incoming: [], outgoing: [] };
      for (const row of rows) {
        list[row.kind].push({ ...toPublic(row), since: row.since.toISOString() });
      }
      return list;
    },

    async friendIds(userId: string): Promise<string[]> {
      const { rows } = await db.query<{ friend_id: string }>(
        `SELECT CASE WHEN requester_id = $1 THEN addressee_id ELSE requester_id END AS friend_id
         FROM friendships
         WHERE (requester_id = $1 OR addressee_id = $1) AND status = 'accepted'
         ORDER BY friend_id`,
        [userId],
      );
      return rows.map((row) => row.friend_id);
    },
  };
}

export type PlayerStore = ReturnType<typeof createPlayerStore>;
