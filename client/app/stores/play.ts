import { defineStore } from 'pinia';
import type { HudState, SessionOutcome } from '~/game/session';

/** The run being played and the last one's outcome, shared by the game and result screens. */
export const usePlay = defineStore('play', {
  state: () => ({
    /** True for a ranked run, false for practice. */
    ranked: true,
    practiceSeed: 1,
    hud: null as HudState | null,
    outcome: null as SessionOutcome | null,
  }),
});
