import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // @colyseus/testing calls process.send through a bundled metrics library; forks die on it.
    pool: 'threads',
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
