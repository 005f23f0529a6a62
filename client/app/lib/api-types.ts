/** Shapes of the gateway's JSON answers that the client reads. */

export interface Account {
  id: string;
  username: string;
  email?: string | null;
}

/** What register, log in and refresh answer with. */
export interface TokenPair {
  account: Account;
  sessionId: string;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

export interface Season {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  seeds: number[];
}

export interface CurrentSeason {
  season: Season;
  seed: number;
  nextResetAt: string;
}

export interface Profile {
  userId: string;
  username: string;
  displayName: string;
  skin: string;
  ownedSkins: string[];
}

export interface Skin {
  id: string;
  name: string;
  rarity: string;
  owned: boolean;
}

export interface FriendEntry {
  userId: string;
  displayName: string;
  skin: string;
  since: string;
}

export interface FriendList {
  friends: FriendEntry[];
  incoming: FriendEntry[];
  outgoing: FriendEntry[];
}

/** One row of a leaderboard. */
export interface BoardEntry {
  rank: number;
  userId: string;
  displayName: string;
  skin?: string;
  score: number;
  runId?: string;
  distance?: number;
}

/** A page of a leaderboard. */
export interface BoardPage {
  entries: BoardEntry[];
  /** Cursor of the next page, or null at the end. */
  nextCursor: string | null;
}
