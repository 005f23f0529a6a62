import express from 'express';
import type { Request } from 'express';
import { z } from 'zod';
import { forwardedIdentity, parseInput, requestLogging } from '../gateway/contract.ts';
import type { ForwardedIdentity } from '../gateway/contract.ts';
import { ApiError, errorHandler, notFound } from '../lib/http-errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { PlayerStore } from './player-store.ts';

/** Stable error codes of the player service, besides the shared `request/*` ones. */
export const PlayerErrorCode = {
  INVALID_BODY: 'player/invalid_body',
  INVALID_PLAYER_ID: 'player/invalid_player_id',
  PLAYER_NOT_FOUND: 'player/player_not_found',
  SKIN_NOT_FOUND: 'player/skin_not_found',
  SKIN_NOT_OWNED: 'player/skin_not_owned',
  FRIEND_SELF: 'player/friend_self',
  ALREADY_FRIENDS: 'player/already_friends',
  FRIEND_REQUEST_EXISTS: 'player/friend_request_exists',
  FRIEND_REQUEST_NOT_FOUND: 'player/friend_request_not_found',
  FRIEND_NOT_FOUND: 'player/friend_not_found',
} as const;

export interface PlayerAppDeps {
  log: Logger;
  players: PlayerStore;
}

/** How many players one process remembers as having a profile. */
const MAX_ENSURED_REMEMBERED = 100_000;

/** Most ids one profiles lookup may ask for (one leaderboard page and then some). */
export const MAX_PROFILE_LOOKUP = 500;

const userId = z.uuid();
const username = z.string().regex(/^[A-Za-z0-9_]{3,20}$/, 'a username');
const skinId = z.string().regex(/^[a-z0-9-]{1,32}$/, 'a skin id');
const displayName = z
  .string()
  .trim()
  .min(1)
  .max(24)
  .regex(/^[\p{L}\p{N}_.\- ]+$/u, 'letters, digits, spaces and _ . -');

const ProfilePatch = z.strictObject({ displayName });
const EquipBody = z.strictObject({ skinId });
const FriendRequestBody = z.union([z.strictObject({ userId }), z.strictObject({ username })]);
const PlayerParams = z.object({ userId });
const ProfilesBody = z.strictObject({ userIds: z.array(userId).max(MAX_PROFILE_LOOKUP) });
const NewPlayerBody = z.strictObject({
  userId,
  username,
});
const GrantBody = z.strictObject({ skinId });

/**
 * The player service: the caller's profile, skins and friends under `/player` (behind the
 * gateway, which forwards who is asking), and internal routes under `/internal` for other
 * services: friend ids and profiles for the leaderboard, profile creation for the auth
 * service, and skin grants.
 */
export function createPlayerApp(deps: PlayerAppDeps): express.Express {
  const { log, players } = deps;
  const app = express();
  // Paths match exactly as the gateway matched them: no second spelling of a route.
  app.set('case sensitive routing', true);
  app.disable('x-powered-by');
  // Liveness for probes, answered before logging so probes do not flood the log.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(requestLogging(log));
  app.use(express.json({ limit: '16kb' }));

  // Every public route acts for the forwarded player, whose profile exists from here on. Players
  // already ensured by this process skip the insert; the set is bounded by clearing it.
  const ensured = new Set<string>();
  const caller = async (req: Request): Promise<ForwardedIdentity> => {
    const identity = forwardedIdentity(req.headers);
    if (ensured.has(identity.userId)) return identity;
    await players.ensureProfile(identity.userId, identity.username);
    if (ensured.size >= MAX_ENSURED_REMEMBERED) ensured.clear();
    ensured.add(identity.userId);
    return identity;
  };

  const otherPlayer = (req: Request, self: ForwardedIdentity): string => {
    const params = parseInput(PlayerParams, req.params, PlayerErrorCode.INVALID_PLAYER_ID);
    if (params.userId === self.userId) {
      throw new ApiError(400, PlayerErrorCode.FRIEND_SELF, 'that is you');
    }
    return params.userId;
  };

  const ownProfile = async (id: string) => {
    const profile = await players.profile(id);
    if (!profile) throw new ApiError(404, PlayerErrorCode.PLAYER_NOT_FOUND, 'no such player');
    return profile;
  };

  app.get('/player/me', async (req, res) => {
    const me = await caller(req);
    res.json({ profile: await ownProfile(me.userId) });
  });

  app.patch('/player/me', async (req, res) => {
    const me = await caller(req);
    const patch = parseInput(ProfilePatch, req.body, PlayerErrorCode.INVALID_BODY);
    await players.setDisplayName(me.userId, patch.displayName);
    res.json({ profile: await ownProfile(me.userId) });
  });

  app.get('/player/skins', async (req, res) => {
    const me = await caller(req);
    res.json({ skins: await players.skins(me.userId) });
  });

  app.put('/player/me/skin', async (req, res) => {
    const me = await caller(req);
    const body = parseInput(EquipBody, req.body, PlayerErrorCode.INVALID_BODY);
    const outcome = await players.equipSkin(me.userId, body.skinId);
    if (outcome === 'unknown_skin') {
      throw new ApiError(404, PlayerErrorCode.SKIN_NOT_FOUND, 'no such skin');
    }
    if (outcome === 'not_owned') {
      throw new ApiError(403, PlayerErrorCode.SKIN_NOT_OWNED, 'you do not own this skin');
    }
    res.json({ profile: await ownProfile(me.userId) });
  });

  app.get('/player/friends', async (req, res) => {
    const me = await caller(req);
    res.json(await players.friendList(me.userId));
  });

  app.post('/player/friends/requests', async (req, res) => {
    const me = await caller(req);
    const body = parseInput(FriendRequestBody, req.body, PlayerErrorCode.INVALID_BODY);
    const target = 'userId' in body ? body.userId : await players.userIdByUsername(body.username);
    if (!target) throw new ApiError(404, PlayerErrorCode.PLAYER_NOT_FOUND, 'no such player');
    if (target === me.userId) throw new ApiError(400, PlayerErrorCode.FRIEND_SELF, 'that is you');

    const outcome = await players.requestFriend(me.userId, target);
    switch (outcome) {
      case 'no_player':
        throw new ApiError(404, PlayerErrorCode.PLAYER_NOT_FOUND, 'no such player');
      case 'already_friends':
        throw new ApiError(409, PlayerErrorCode.ALREADY_FRIENDS, 'you are already friends');
      case 'already_requested':
        throw new ApiError(409, PlayerErrorCode.FRIEND_REQUEST_EXISTS, 'request already sent');
      case 'pending':
        res.status(201).json({ userId: target, status: 'pending' });
        return;
      case 'accepted':
        res.status(200).json({ userId: target, status: 'accepted' });
        return;
    }
  });

  app.post('/player/friends/:userId/accept', async (req, res) => {
    const me = await caller(req);
    const requester = otherPlayer(req, me);
    if (!(await players.acceptFriend(me.userId, requester))) {
      throw new ApiError(404, PlayerErrorCode.FRIEND_REQUEST_NOT_FOUND, 'no request from them');
    }
    res.json({ userId: requester, status: 'accepted' });
  });

  app.delete('/player/friends/:userId', async (req, res) => {
    const me = await caller(req);
    const other = otherPlayer(req, me);
    if (!(await players.removeFriend(me.userId, other))) {
      throw new ApiError(404, PlayerErrorCode.FRIEND_NOT_FOUND, 'no friendship or request');
    }
    res.status(204).end();
  });

  app.get('/internal/friends/:userId', async (req, res) => {
    const params = parseInput(PlayerParams, req.params, PlayerErrorCode.INVALID_PLAYER_ID);
    res.json({ userIds: await players.friendIds(params.userId) });
  });

  app.post('/internal/profiles', async (req, res) => {
    const body = parseInput(ProfilesBody, req.body, PlayerErrorCode.INVALID_BODY);
    res.json({ profiles: await players.publicProfiles([...new Set(body.userIds)]) });
  });

  app.post('/internal/players', async (req, res) => {
    const body = parseInput(NewPlayerBody, req.body, PlayerErrorCode.INVALID_BODY);
    await players.ensureProfile(body.userId, body.username);
    res.status(201).json({ profile: await ownProfile(body.userId) });
  });

  app.post('/internal/players/:userId/skins', async (req, res) => {
    const params = parseInput(PlayerParams, req.params, PlayerErrorCode.INVALID_PLAYER_ID);
    const body = parseInput(GrantBody, req.body, PlayerErrorCode.INVALID_BODY);
    await ownProfile(params.userId);
    if (!(await players.grantSkin(params.userId, body.skinId))) {
      throw new ApiError(404, PlayerErrorCode.SKIN_NOT_FOUND, 'no such skin');
    }
    res.json({ profile: await ownProfile(params.userId) });
  });

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
