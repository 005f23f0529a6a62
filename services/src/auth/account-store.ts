import type pg from 'pg';

/** An account as the API shows it; never includes the password hash. */
export interface Account {
  id: string;
  username: string;
  email: string | null;
  createdAt: string;
}

export interface Credentials {
  account: Account;
  passwordHash: string;
}

/** Why a session is not usable, or `active`. */
export type SessionStatus = 'active' | 'revoked' | 'expired' | 'unknown';

export interface SessionRecord {
  sessionId: string;
  expiresAt: Date;
}

/** The outcome of presenting a refresh token. */
export type RefreshOutcome =
  | { kind: 'rotated'; account: Account; session: SessionRecord }
  | { kind: 'reused'; sessionId: string }
  | { kind: 'unknown' | 'revoked' | 'expired' };

/** Which unique field a new account collided with. */
export class DuplicateAccountError extends Error {
  readonly field: 'username' | 'email';

  constructor(field: 'username' | 'email') {
    super(`an account with this ${field} exists`);
    this.name = 'DuplicateAccountError';
    this.field = field;
  }
}

const UNIQUE_VIOLATION = '23505';

interface AccountRow {
  id: string;
  username: string;
  email: string | null;
  created_at: Date;
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    createdAt: row.created_at.toISOString(),
  };
}

/** The auth service's tables: users, sessions and refresh tokens. */
export function createAccountStore(db: pg.Pool) {
  return {
    async createAccount(username: string, email: string | null, passwordHash: string) {
      try {
        const { rows } = await db.query<AccountRow>(
          `INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3)
           RETURNING id, username, email, created_at`,
          [username, email, passwordHash],
        );
        return toAccount(rows[0]!);
      } catch (err) {
        const e = err as { code?: string; constraint?: string };
        if (e.code !== UNIQUE_VIOLATION) throw err;
        throw new DuplicateAccountError(e.constraint === 'users_email_key' ? 'email' : 'username');
      }
    },

    async findCredentials(username: string): Promise<Credentials | null> {
      const { rows } = await db.query<AccountRow & { password_hash: string }>(
        `SELECT id, username, email, created_at, password_hash FROM users
         WHERE lower(username) = lower($1)`,
        [username],
      );
      const row = rows[0];
      return row ? { account: toAccount(row), passwordHash: row.password_hash } : null;
    },

    async findAccount(userId: string): Promise<Account | null> {
      const { rows } = await db.query<AccountRow>(
        'SELECT id, username, email, created_at FROM users WHERE id = $1',
        [userId],
      );
      return rows[0] ? toAccount(rows[0]) : null;
    },

    /** Opens a session with its first refresh token. */
    async openSession(userId: string, ttlSec: number, refreshHash: Buffer): Promise<SessionRecord> {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string; expires_at: Date }>(
          `INSERT INTO sessions (user_id, expires_at)
           VALUES ($1, now() + make_interval(secs => $2)) RETURNING id, expires_at`,
          [userId, ttlSec],
        );
        const session = rows[0]!;
        await client.query('INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)', [
          refreshHash,
          session.id,
        ]);
        await client.query('COMMIT');
        return { sessionId: session.id, expiresAt: session.expires_at };
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },

    /**
     * Exchanges a refresh token for a new one in one transaction. The presented token's row is
     * locked, so of two concurrent exchanges of one token the second sees it used: that is
     * reuse, and the whole session is revoked.
     */
    async rotateRefreshToken(presented: Buffer, next: Buffer): Promise<RefreshOutcome> {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        const outcome = await rotateIn(client, presented, next);
        await client.query('COMMIT');
        return outcome;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },

    /** The session a refresh token belongs to, used or not. */
    async sessionOfRefreshToken(tokenHash: Buffer): Promise<string | null> {
      const { rows } = await db.query<{ session_id: string }>(
        'SELECT session_id FROM refresh_tokens WHERE token_hash = $1',
        [tokenHash],
      );
      return rows[0]?.session_id ?? null;
    },

    /** Revokes a session; true if it was active until now. */
    async revokeSession(sessionId: string, reason: 'logout' | 'refresh_reuse'): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE sessions SET revoked_at = now(), revoked_reason = $2
         WHERE id = $1 AND revoked_at IS NULL`,
        [sessionId, reason],
      );
      return rowCount === 1;
    },

    async sessionStatus(sessionId: string): Promise<{ status: SessionStatus; expiresAt?: Date }> {
      const { rows } = await db.query<{ revoked_at: Date | null; expires_at: Date }>(
        'SELECT revoked_at, expires_at FROM sessions WHERE id = $1',
        [sessionId],
      );
      const row = rows[0];
      if (!row) return { status: 'unknown' };
      if (row.revoked_at) return { status: 'revoked' };
      if (row.expires_at.getTime() <= Date.now()) return { status: 'expired' };
      return { status: 'active', expiresAt: row.expires_at };
    },
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;

async function rotateIn(
  client: pg.PoolClient,
  presented: Buffer,
  next: Buffer,
): Promise<RefreshOutcome> {
  const { rows } = await client.query<
    AccountRow & {
      session_id: string;
      used_at: Date | null;
      revoked_at: Date | null;
      expires_at: Date;
    }
  >(
    `SELECT rt.session_id, rt.used_at, s.revoked_at, s.expires_at,
            u.id, u.username, u.email, u.created_at
     FROM refresh_tokens rt
     JOIN sessions s ON s.id = rt.session_id
     JOIN users u ON u.id = s.user_id
     WHERE rt.token_hash = $1
     FOR UPDATE OF rt, s`,
    [presented],
  );
  const row = rows[0];
  if (!row) return { kind: 'unknown' };
  if (row.revoked_at) return { kind: 'revoked' };

  if (row.used_at) {
    await client.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = 'refresh_reuse' WHERE id = $1`,
      [row.session_id],
    );
    return { kind: 'reused', sessionId: row.session_id };
  }
  if (row.expires_at.getTime() <= Date.now()) return { kind: 'expired' };

  await client.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [
    presented,
  ]);
  await client.query('INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)', [
    next,
    row.session_id,
  ]);
  return {
    kind: 'rotated',
    account: toAccount(row),
    session: { sessionId: row.session_id, expiresAt: row.expires_at },
  };
}
