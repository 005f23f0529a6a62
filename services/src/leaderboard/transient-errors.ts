const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '40001', // serialization failure
  '40P01', // deadlock detected
  '53300', // too many connections
  '57P01', // admin shutdown
  '57P03', // cannot connect now
]);

/**
 * Whether an error comes from the infrastructure (a server down, a deadlock) rather than from
 * the message. Such errors are retried with backoff and never count against a message.
 */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && (TRANSIENT_CODES.has(e.code) || e.code.startsWith('08'))) {
    return true;
  }
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'IndexNotReadyError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection is closed|Connection terminated|timeout exceeded when trying to connect/.test(
    message,
  );
}
