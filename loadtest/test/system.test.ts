import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts, startSystem } from '../../scripts/system.ts';

describe('the system launcher', () => {
  it('refuses to start when a port is taken, naming the port and the deployable', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as AddressInfo).port;
    try {
      const lines: string[] = [];
      await expect(
        startSystem({
          ports: { ...(await freePorts()), player: held },
          withoutClient: true,
          log: (line) => lines.push(line),
        }),
      ).rejects.toThrow(`port ${held} (player) is already in use`);
      // Nothing was started.
      expect(lines).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
