import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ClientMessage, ProtocolErrorCode, ServerMessage } from '@truerun/shared-sim/protocol';
import type { ProtocolError } from '@truerun/shared-sim/protocol';
import { TEST_SEED, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';
import { joinRun } from './support/run-client.ts';

describe('a room whose course resets', () => {
  let harness: Harness;
  const resetAt = new Date(Date.now() + 2_000);

  beforeAll(async () => {
    harness = await startHarness({
      seasons: { current: async () => ({ seasonId: 's1', seed: TEST_SEED, nextResetAt: resetAt }) },
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  test('starts no run for a seat that is ready only after the reset', async () => {
    const room = await joinRun(harness.url, { token: harness.token().token });
    const received: string[] = [];
    const error = new Promise<ProtocolError>((resolve) => {
      room.onMessage(ServerMessage.START, () => received.push(ServerMessage.START));
      room.onMessage(ServerMessage.ERROR, (message: ProtocolError) => resolve(message));
    });
    await new Promise((resolve) => setTimeout(resolve, resetAt.getTime() - Date.now() + 200));

    room.send(ClientMessage.READY);
    expect((await error).code).toBe(ProtocolErrorCode.COURSE_EXPIRED);
    expect(received).toEqual([]);
    await room.leave();
  });
});
