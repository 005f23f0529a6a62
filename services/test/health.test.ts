import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from './gateway-stack.ts';
import type { Stack } from './gateway-stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('health checks', () => {
  it('every service answers GET /health for probes, without a token', async () => {
    for (const base of [stack.gatewayUrl, stack.authUrl, stack.playerUrl]) {
      const response = await fetch(`${base}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('the auth service health is reachable through the gateway too', async () => {
    const response = await fetch(`${stack.gatewayUrl}/auth/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
