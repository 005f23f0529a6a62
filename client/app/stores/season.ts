import { defineStore } from 'pinia';
import type { CurrentSeason } from '~/lib/api-types';
import { useAccount } from './account';

/** The season being played now, as the leaderboard service announces it. */
export const useSeason = defineStore('season', {
  state: () => ({
    current: null as CurrentSeason | null,
    error: null as string | null,
    loadedAtMs: 0,
  }),

  actions: {
    /** Reads the current season, at most once a minute unless `force`. */
    async load(force = false): Promise<void> {
      if (!force && this.current && Date.now() - this.loadedAtMs < 60_000) return;
      try {
        this.current = await useAccount().send<CurrentSeason>('/leaderboard/seasons/current');
        this.error = null;
        this.loadedAtMs = Date.now();
      } catch (error) {
        this.error = error instanceof Error ? error.message : String(error);
      }
    },
  },
});
