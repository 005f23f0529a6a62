/** A refused or failed request, with the gateway's stable error code. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
}

/** Code of a request that never got an answer. */
export const NETWORK_FAILURE = 'client/network';

/** Options of one request. */
export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Bearer token to send. */
  token?: string | null;
  signal?: AbortSignal;
}

/**
 * Sends one JSON request to the gateway and returns the parsed answer (undefined for 204).
 * Error answers become an `ApiFailure` carrying the gateway's `{error: {code, message}}`.
 */
export async function requestJson<T>(
  baseUrl: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  let response: Response;
  try {
    response = await fetch(baseUrl + path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiFailure(0, NETWORK_FAILURE, `the server could not be reached (${message})`);
  }

  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body = text ? safeJson(text) : undefined;
  if (response.ok) return body as T;

  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  throw new ApiFailure(
    response.status,
    typeof error?.code === 'string' ? error.code : `http/${response.status}`,
    typeof error?.message === 'string' ? error.message : response.statusText,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
