import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../src/lib/db.ts';
import { createTestDatabase } from '../src/test-support/databases.ts';
import type { TestDatabase } from '../src/test-support/databases.ts';

let db: TestDatabase;
let pool: pg.Pool;
let admin: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('db_pool');
  pool = createPool(db.url);
  admin = createPool(db.url, undefined, 1);
});

afterAll(async () => {
  await pool?.end();
  await admin?.end();
  await db?.drop();
});

describe('the database pool', () => {
  it('survives a connection killed while a client is out, then serves queries', async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await client.query('BEGIN');
    // The server ends the connection while the client sits outside the pool, as a restart or
    // an operator would. Without a listener on the client, this error would end the process.
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await new Promise((resolve) => setTimeout(resolve, 200));

    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    const after = await pool.query<{ ok: number }>('SELECT 1 AS ok');
    expect(after.rows).toEqual([{ ok: 1 }]);
  });
});
