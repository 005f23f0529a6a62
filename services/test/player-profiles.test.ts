import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenSigner } from '../src/auth/tokens.ts';
import { call, freshUsername, startStack } from './gateway-stack.ts';
import type { Stack } from './gateway-stack.ts';

let stack: Stack;

interface Player {
  userId: string;
  username: string;
  token: string;
}

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

async function newPlayer(): Promise<Player> {
  const username = freshUsername();
  const answer = await call(stack.gatewayUrl, 'POST', '/auth/register', {
    body: { username, password: 'correct horse battery' },
  });
  return { userId: answer.body.account.id, username, token: answer.body.accessToken };
}

const as = (player: Player, method: string, path: string, body?: unknown) =>
  call(stack.gatewayUrl, method, path, { token: player.token, body });

describe('profiles and skins', () => {
  it('shows a new player the default name and skin, and renames them', async () => {
    const player = await newPlayer();
    const me = await as(player, 'GET', '/player/me');
    expect(me.status).toBe(200);
    expect(me.body.profile).toEqual({
      userId: player.userId,
      username: player.username,
      displayName: player.username,
      skin: 'runner',
      ownedSkins: ['runner'],
    });

    const renamed = await as(player, 'PATCH', '/player/me', { displayName: '  Dash Kid  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.profile.displayName).toBe('Dash Kid');

    for (const displayName of ['', 'x'.repeat(25), 'bad<tag>', 42, null]) {
      const refused = await as(player, 'PATCH', '/player/me', { displayName });
      expect([refused.status, refused.body.error.code]).toEqual([400, 'player/invalid_body']);
    }
    expect((await as(player, 'GET', '/player/me')).body.profile.displayName).toBe('Dash Kid');
  });

  it('creates the profile the first time a player is seen without registration', async () => {
    const userId = randomUUID();
    const token = await tokenForNewSession(userId);
    const me = await call(stack.gatewayUrl, 'GET', '/player/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.profile).toMatchObject({ userId, displayName: 'late_comer', skin: 'runner' });
  });

  it('refuses to equip a skin the player does not own, and equips it once granted', async () => {
    const player = await newPlayer();
    const skins = await as(player, 'GET', '/player/skins');
    expect(skins.body.skins.map((s: { id: string; owned: boolean }) => [s.id, s.owned])).toEqual([
      ['runner', true],
      ['ember', false],
      ['tide', false],
      ['moss', false],
      ['nightfall', false],
      ['aurora', false],
    ]);

    const refused = await as(player, 'PUT', '/player/me/skin', { skinId: 'aurora' });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'player/skin_not_owned']);
    const unknown = await as(player, 'PUT', '/player/me/skin', { skinId: 'golden-god' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'player/skin_not_found']);
    expect((await as(player, 'GET', '/player/me')).body.profile.skin).toBe('runner');

    const granted = await call(
      stack.playerUrl,
      'POST',
      `/internal/players/${player.userId}/skins`,
      {
        body: { skinId: 'aurora' },
      },
    );
    expect(granted.body.profile.ownedSkins).toEqual(['runner', 'aurora']);

    const equipped = await as(player, 'PUT', '/player/me/skin', { skinId: 'aurora' });
    expect(equipped.status).toBe(200);
    expect(equipped.body.profile.skin).toBe('aurora');
  });

  it('refuses a request that did not come through the gateway', async () => {
    const direct = await call(stack.playerUrl, 'GET', '/player/me');
    expect([direct.status, direct.body.error.code]).toEqual([401, 'auth/identity_missing']);
  });
});

describe('friends', () => {
  it('requests, accepts, lists and removes a friend', async () => {
    const [ana, ben] = [await newPlayer(), await newPlayer()];

    const request = await as(ana, 'POST', '/player/friends/requests', { username: ben.username });
    expect([request.status, request.body]).toEqual([
      201,
      { userId: ben.userId, status: 'pending' },
    ]);
    const again = await as(ana, 'POST', '/player/friends/requests', { userId: ben.userId });
    expect([again.status, again.body.error.code]).toEqual([409, 'player/friend_request_exists']);

    const anaList = await as(ana, 'GET', '/player/friends');
    expect(anaList.body.outgoing.map((f: { userId: string }) => f.userId)).toEqual([ben.userId]);
    const benList = await as(ben, 'GET', '/player/friends');
    expect(benList.body.incoming).toEqual([
      {
        userId: ana.userId,
        displayName: ana.username,
        skin: 'runner',
        since: anaList.body.outgoing[0].since,
      },
    ]);

    // Only the addressee can accept.
    const wrongSide = await as(ana, 'POST', `/player/friends/${ben.userId}/accept`);
    expect([wrongSide.status, wrongSide.body.error.code]).toEqual([
      404,
      'player/friend_request_not_found',
    ]);
    const accepted = await as(ben, 'POST', `/player/friends/${ana.userId}/accept`);
    expect([accepted.status, accepted.body.status]).toEqual([200, 'accepted']);

    const already = await as(ben, 'POST', '/player/friends/requests', { userId: ana.userId });
    expect([already.status, already.body.error.code]).toEqual([409, 'player/already_friends']);

    const friendsOfAna = await call(stack.playerUrl, 'GET', `/internal/friends/${ana.userId}`);
    expect(friendsOfAna.body).toEqual({ userIds: [ben.userId] });
    const lists = await as(ben, 'GET', '/player/friends');
    expect(lists.body.friends.map((f: { userId: string }) => f.userId)).toEqual([ana.userId]);
    expect([lists.body.incoming, lists.body.outgoing]).toEqual([[], []]);

    expect((await as(ana, 'DELETE', `/player/friends/${ben.userId}`)).status).toBe(204);
    const gone = await as(ana, 'DELETE', `/player/friends/${ben.userId}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'player/friend_not_found']);
    expect((await call(stack.playerUrl, 'GET', `/internal/friends/${ben.userId}`)).body).toEqual({
      userIds: [],
    });
  });

  it('accepts at once when both players ask each other', async () => {
    const [cat, dan] = [await newPlayer(), await newPlayer()];
    await as(cat, 'POST', '/player/friends/requests', { userId: dan.userId });
    const meet = await as(dan, 'POST', '/player/friends/requests', { userId: cat.userId });
    expect([meet.status, meet.body.status]).toEqual([200, 'accepted']);
    expect((await call(stack.playerUrl, 'GET', `/internal/friends/${dan.userId}`)).body).toEqual({
      userIds: [cat.userId],
    });
  });

  it('refuses friending yourself, unknown players and malformed ids', async () => {
    const eve = await newPlayer();
    const self = await as(eve, 'POST', '/player/friends/requests', { userId: eve.userId });
    expect([self.status, self.body.error.code]).toEqual([400, 'player/friend_self']);
    const nobody = await as(eve, 'POST', '/player/friends/requests', { userId: randomUUID() });
    expect([nobody.status, nobody.body.error.code]).toEqual([404, 'player/player_not_found']);
    const noName = await as(eve, 'POST', '/player/friends/requests', { username: 'ghost_player' });
    expect([noName.status, noName.body.error.code]).toEqual([404, 'player/player_not_found']);
    for (const body of [{}, { userId: 'not-a-uuid' }, { username: "x' OR 1=1" }, { userId: 7 }]) {
      const bad = await as(eve, 'POST', '/player/friends/requests', body);
      expect([bad.status, bad.body.error.code]).toEqual([400, 'player/invalid_body']);
    }
    const badParam = await as(eve, 'DELETE', '/player/friends/not-a-uuid');
    expect([badParam.status, badParam.body.error.code]).toEqual([400, 'player/invalid_player_id']);
  });
});

describe('internal profile lookups', () => {
  it('answers profiles for known ids and leaves unknown ones out', async () => {
    const [fay, gus] = [await newPlayer(), await newPlayer()];
    const answer = await call(stack.playerUrl, 'POST', '/internal/profiles', {
      body: { userIds: [fay.userId, randomUUID(), gus.userId, fay.userId] },
    });
    expect(answer.status).toBe(200);
    const expected = [fay, gus]
      .map((p) => ({ userId: p.userId, displayName: p.username, skin: 'runner' }))
      .sort((a, b) => a.userId.localeCompare(b.userId));
    expect(answer.body).toEqual({ profiles: expected });

    const bad = await call(stack.playerUrl, 'POST', '/internal/profiles', {
      body: { userIds: ['nope'] },
    });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'player/invalid_body']);
  });
});

/** A session the auth service knows, for a player the player service has never seen. */
async function tokenForNewSession(userId: string): Promise<string> {
  await stack.db.query(
    `INSERT INTO users (id, username, password_hash) VALUES ($1, 'late_comer', 'unused')`,
    [userId],
  );
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO sessions (user_id, expires_at)
     VALUES ($1, now() + interval '1 hour') RETURNING id`,
    [userId],
  );
  return createAccessTokenSigner(stack.signingKey).sign({
    userId,
    username: 'late_comer',
    sessionId: rows[0]!.id,
  }).token;
}
