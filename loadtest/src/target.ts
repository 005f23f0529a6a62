import { isIP } from 'node:net';
import { UsageError } from './args.ts';

/** True for `localhost`, any 127.0.0.0/8 address and `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Checks one target URL of a running system: the scheme must be one of `schemes`, and the
 * host a loopback address unless remote targets were explicitly allowed.
 */
export function checkTarget(
  flag: string,
  raw: string,
  schemes: readonly string[],
  allowRemote: boolean,
): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag} ${raw} is not a URL`);
  }
  if (!schemes.includes(url.protocol.replace(/:$/, ''))) {
    throw new UsageError(`${flag} must use ${schemes.join(' or ')}, not ${url.protocol}`);
  }
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `${flag} ${url.host} is not a loopback address; the load test only loads this machine ` +
        'unless --allow-remote is given',
    );
  }
  return url.toString().replace(/\/+$/, '');
}
