/**
 * Truerun's game rules as a deterministic fixed-step simulation, shared by the browser, the
 * game server and the bots.
 */
export * from './rules.ts';
export * from './input.ts';
export * from './input-stream.ts';
export * from './events.ts';
export * from './course.ts';
export * from './prng.ts';
export * from './hash.ts';
export * from './enemies.ts';
export * from './run.ts';
export * from './replay.ts';
export * from './bot.ts';
