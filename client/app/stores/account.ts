import { defineStore } from 'pinia';
import { ApiFailure, requestJson } from '~/lib/api';
import type { RequestOptions } from '~/lib/api';
import type { Account, TokenPair } from '~/lib/api-types';
import { loadEndpoints } from '~/lib/endpoints';
import type { Endpoints } from '~/lib/endpoints';

/**
 * Where the refresh token is kept between visits.
 * Limitation: localStorage is readable by any script on the page, so a script injected into
 * the client could take the session; the access token itself stays in memory only.
 */
const REFRESH_KEY = 'truerun.refresh';
/** An access token this close to expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 30_000;

/** The signed-in player and their tokens, and every request made on their behalf. */
export const useAccount = defineStore('account', {
  state: () => ({
    endpoints: null as Endpoints | null,
    account: null as Account | null,
    accessToken: null as string | null,
    accessExpiresAtMs: 0,
    ready: false,
  }),

  getters: {
    signedIn: (state) => state.account !== null,
  },

  actions: {
    /** Loads the endpoints and restores the previous session if its refresh token still works. */
    async init(): Promise<void> {
      if (this.ready) return;
      const config = useRuntimeConfig().public;
      this.endpoints = await loadEndpoints({
        gatewayUrl: String(config.gatewayUrl),
        gameServerUrl: String(config.gameServerUrl),
      });
      if (localStorage.getItem(REFRESH_KEY)) await this.refresh().catch(() => this.forget());
      this.ready = true;
    },

    async register(username: string, password: string, email?: string): Promise<void> {
      const body = email ? { username, password, email } : { username, password };
      this.adopt(await this.send<TokenPair>('/auth/register', { method: 'POST', body }));
    },

    async login(username: string, password: string): Promise<void> {
      const body = { username, password };
      this.adopt(await this.send<TokenPair>('/auth/login', { method: 'POST', body }));
    },

    /** Ends the session on the server and forgets it here, even if the server is unreachable. */
    async logout(): Promise<void> {
      const refreshToken = localStorage.getItem(REFRESH_KEY);
      this.forget();
      if (!refreshToken) return;
      await this.send('/auth/logout', { method: 'POST', body: { refreshToken } }).catch(() => {});
    },

    /** Swaps the stored refresh token for a new pair. */
    async refresh(): Promise<void> {
      const refreshToken = localStorage.getItem(REFRESH_KEY);
      if (!refreshToken) throw new ApiFailure(401, 'auth/refresh_invalid', 'not signed in');
      const pair = await this.send<TokenPair>('/auth/refresh', {
        method: 'POST',
        body: { refreshToken },
      });
      this.adopt(pair);
    },

    /** An access token valid for at least the next half minute. */
    async freshToken(): Promise<string> {
      if (!this.accessToken || Date.now() > this.accessExpiresAtMs - EXPIRY_MARGIN_MS) {
        await this.refresh();
      }
      return this.accessToken!;
    },

    /** A request as the signed-in player; an expired token is refreshed and the request retried. */
    async authed<T>(path: string, options: RequestOptions = {}): Promise<T> {
      const token = await this.freshToken();
      try {
        return await this.send<T>(path, { ...options, token });
      } catch (error) {
        if (!(error instanceof ApiFailure) || error.status !== 401) throw error;
        await this.refresh();
        return this.send<T>(path, { ...options, token: this.accessToken });
      }
    },

    /** A request that needs no player. */
    async send<T>(path: string, options: RequestOptions = {}): Promise<T> {
      if (!this.endpoints) await this.init();
      return requestJson<T>(this.endpoints!.gatewayUrl, path, options);
    },

    adopt(pair: TokenPair): void {
      this.account = pair.account;
      this.accessToken = pair.accessToken;
      this.accessExpiresAtMs = Date.now() + pair.expiresIn * 1000;
      localStorage.setItem(REFRESH_KEY, pair.refreshToken);
    },

    forget(): void {
      this.account = null;
      this.accessToken = null;
      this.accessExpiresAtMs = 0;
      localStorage.removeItem(REFRESH_KEY);
    },
  },
});
