import { describe, expect, test } from 'vitest';
import { UsageError, parseCli } from '../src/args.ts';
import { checkTarget, isLoopbackHost } from '../src/target.ts';

describe('the command line', () => {
  test('reads the documented example', () => {
    const options = parseCli(['--bots', '200', '--cheaters', '0.1', '--duration', '60']);
    expect(options).toMatchObject({
      smoke: false,
      bots: 200,
      cheaters: 0.1,
      badNetwork: 0.2,
      durationSec: 60,
      rampUpSec: 15,
      playSec: 20,
      gatewayUrl: null,
      gameServerUrl: null,
      allowRemote: false,
      pids: [],
    });
  });

  test('plays whole courses with --play full and names server pids', () => {
    const options = parseCli(['--play', 'full', '--pid', 'game-server=41', '--pid', 'auth=7']);
    expect(options.playSec).toBeNull();
    expect(options.pids).toEqual([
      { name: 'game-server', pid: 41 },
      { name: 'auth', pid: 7 },
    ]);
  });

  test.each([
    [['--bots', '0'], '--bots must be a whole number from 1 to 2000'],
    [['--bots', '2001'], '--bots must be a whole number from 1 to 2000'],
    [['--bots', '1.5'], '--bots must be a whole number from 1 to 2000'],
    [['--cheaters', '1.2'], '--cheaters must be a number from 0 to 1'],
    [['--cheaters', ''], '--cheaters must be a number from 0 to 1'],
    [['--duration', '3601'], '--duration must be a whole number from 1 to 3600'],
    [['--pid', 'gs:12'], '--pid gs:12: expected NAME=PID, e.g. game-server=1234'],
    [['--gateway', 'http://127.0.0.1:8080'], '--gateway and --game-server go together'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });

  test('refuses unknown flags', () => {
    expect(() => parseCli(['--bot', '3'])).toThrow(UsageError);
  });
});

describe('the target check', () => {
  test.each(['localhost', '127.0.0.1', '127.8.9.10', '[::1]', '::1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  test.each(['10.0.0.1', '192.168.1.2', 'example.com', 'localhost.example.com', '128.0.0.1'])(
    '%s is not loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  test('passes a loopback target through without a trailing slash', () => {
    expect(checkTarget('--gateway', 'http://127.0.0.1:8080/', ['http'], false)).toBe(
      'http://127.0.0.1:8080',
    );
  });

  test('refuses a remote target unless remote targets are allowed', () => {
    expect(() => checkTarget('--gateway', 'http://10.1.2.3:8080', ['http'], false)).toThrow(
      '--gateway 10.1.2.3:8080 is not a loopback address; the load test only loads this ' +
        'machine unless --allow-remote is given',
    );
    expect(checkTarget('--gateway', 'http://10.1.2.3:8080', ['http'], true)).toBe(
      'http://10.1.2.3:8080',
    );
  });

  test('refuses the wrong scheme and things that are not URLs', () => {
    expect(() =>
      checkTarget('--game-server', 'http://127.0.0.1:2567', ['ws', 'wss'], false),
    ).toThrow('--game-server must use ws or wss, not http:');
    expect(() => checkTarget('--gateway', 'not a url', ['http'], false)).toThrow(
      '--gateway not a url is not a URL',
    );
  });
});
