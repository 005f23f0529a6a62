import { ForwardedHeader } from '../gateway/contract.ts';
import type { AccountListener } from './auth-app.ts';

/** Tells the player service of each new account over its internal route. */
export function createPlayerNotifier(playerUrl: string, timeoutMs = 2_000): AccountListener {
  const url = new URL('/internal/players', playerUrl).toString();
  return {
    async accountCreated(account, requestId) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ForwardedHeader.REQUEST_ID]: requestId },
        body: JSON.stringify({ userId: account.id, username: account.username }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`player service answered ${response.status}`);
    },
  };
}
