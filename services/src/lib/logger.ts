import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * The structured logger every service uses: a constant message plus fields. Authorization
 * headers, cookies, passwords and tokens are redacted wherever they appear in a logged object.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.refreshToken',
        '*.accessToken',
        'password',
        'refreshToken',
        'accessToken',
      ],
      censor: '[redacted]',
    },
  });
}
