import { describe, expect, it } from 'vitest';
import { routeFor } from '../src/gateway/routes.ts';

describe('gateway route table', () => {
  it('opens exactly the credential, refresh, log out and key routes of auth', () => {
    const open = [
      ['POST', '/auth/register'],
      ['POST', '/auth/login'],
      ['POST', '/auth/login/'],
      ['POST', '/auth/refresh'],
      ['POST', '/auth/logout'],
      ['GET', '/auth/.well-known/jwks.json'],
      ['HEAD', '/auth/.well-known/jwks.json'],
      ['GET', '/auth/health'],
    ];
    for (const [method, path] of open) {
      expect([method, path, routeFor(method!, path!)?.access]).toEqual([method, path, 'public']);
    }
    for (const [method, path] of [
      ['GET', '/auth/me'],
      ['GET', '/auth/login'],
      ['POST', '/auth/Login'],
      ['GET', '/auth/anything-new'],
      ['GET', '/auth'],
    ]) {
      expect([method, path, routeFor(method!, path!)?.access]).toEqual([method, path, 'token']);
    }
  });

  it('applies the credentials limit to log in and register only', () => {
    expect(routeFor('POST', '/auth/login')?.credentials).toBe(true);
    expect(routeFor('POST', '/auth/register')?.credentials).toBe(true);
    expect(routeFor('POST', '/auth/refresh')?.credentials).toBe(false);
    expect(routeFor('GET', '/player/me')?.credentials).toBe(false);
  });

  it('protects every player route', () => {
    for (const path of ['/player', '/player/me', '/player/friends', '/player/skins']) {
      expect(routeFor('GET', path)).toEqual({
        upstream: 'player',
        access: 'token',
        credentials: false,
      });
    }
  });

  it('opens leaderboard reads except the ones about the caller', () => {
    expect(routeFor('GET', '/leaderboard/seasons/current')?.access).toBe('public');
    expect(routeFor('GET', '/leaderboard/seasons/s1/top')?.access).toBe('public');
    expect(routeFor('GET', '/leaderboard/seasons/s1/players/u1')?.access).toBe('public');
    expect(routeFor('GET', '/leaderboard/seasons/s1/around-me')?.access).toBe('token');
    expect(routeFor('GET', '/leaderboard/seasons/s1/friends')?.access).toBe('token');
    expect(routeFor('GET', '/leaderboard/seasons/s1/FRIENDS/')?.access).toBe('token');
    expect(routeFor('POST', '/leaderboard/seasons')?.access).toBe('token');
  });

  it('routes nothing outside the three prefixes', () => {
    for (const path of ['/', '/internal/friends/x', '/authx', '/players/me', '/leaderboards']) {
      expect([path, routeFor('GET', path)]).toEqual([path, null]);
    }
  });
});
