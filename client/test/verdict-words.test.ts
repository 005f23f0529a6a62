import { describe, expect, it } from 'vitest';
import { VerdictReason } from '@truerun/shared-sim/protocol';
import { explain, REASON_WORDS } from '../app/lib/verdict-words.ts';

describe('verdict words', () => {
  it('has words for every reason the server can give', () => {
    for (const code of Object.values(VerdictReason)) {
      expect(REASON_WORDS[code], code).toMatch(/\.$/);
    }
  });

  it('explains join failures and shows unknown codes as they are', () => {
    expect(explain('join/stale_ruleset')).toBe(
      'The game rules were updated. Reload the page to get them.',
    );
    expect(explain('run/something_new')).toBe('The server said: run/something_new.');
    expect(explain(null)).toBe('');
  });
});
