/** Wire contracts shared by the game server, the services, the client and the bots. */
export * from './results.ts';
export * from './room.ts';
