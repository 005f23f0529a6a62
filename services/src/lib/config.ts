import { z } from 'zod';

/**
 * Parses a deployable's configuration from the environment. A missing or invalid value throws
 * at startup with the names of the variables at fault.
 */
export function parseConfig<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid configuration: ${problems.join('; ')}`);
}

/** Defaults that point every service at the services on this machine. */
export const LOCAL_DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/truerun',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
} as const;

/** A TCP port, 0 meaning any free port. */
export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);
