// The HTTP client behind `http.request`: requests over the SDK's guarded dispatcher (connectors/sdk/guard.ts: every
// connection, on every redirect hop, checked against the address actually connected to), plus a bounded body reader.
import type { Dispatcher } from 'undici';
import { guardRefusal } from '../sdk/guard.js';
import { ConnectorError, errorFromHttpStatus } from '../sdk/index.js';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Largest response body read, in bytes. */
  maxBodyBytes: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request. Non-2xx answers are returned, not thrown (the caller decides); network failures, timeouts and
 * guard refusals become ConnectorErrors.
 */
export async function sendRequest(
  dispatcher: Dispatcher,
  req: HttpRequest,
  signal: AbortSignal,
): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  const target = `${req.method} ${req.url.origin}${req.url.pathname}`;
  try {
    const res = await dispatcher.request({
      origin: req.url.origin,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
      signal: both,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const body = await readBody(res.body, req.maxBodyBytes, target);
    return { status: res.statusCode, headers, body };
  } catch (err) {
    const guard = guardRefusal(err);
    if (guard) throw guard;
    if (timeout.aborted)
      throw new ConnectorError('upstream', `${target} timed out after ${req.timeoutMs} ms`, {
        code: 'TIMEOUT',
        cause: err,
      });
    if (signal.aborted)
      throw new ConnectorError('upstream', `${target} was cancelled`, { code: 'ABORTED', cause: err });
    const e = err as NodeJS.ErrnoException;
    throw new ConnectorError('upstream', `${target} failed: ${e.message}`, {
      code: e.code ?? 'NETWORK_ERROR',
      cause: err,
    });
  }
}

async function readBody(body: Dispatcher.ResponseData['body'], max: number, target: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      body.destroy();
      throw new ConnectorError('upstream', `${target}: response body exceeds ${max} bytes`, {
        code: 'RESPONSE_TOO_LARGE',
        retryable: false,
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The error for a non-2xx response, with a body excerpt. */
export function responseError(req: Pick<HttpRequest, 'method' | 'url'>, res: HttpResponse): ConnectorError {
  return errorFromHttpStatus(res.status, {
    retryAfter: res.headers['retry-after'] ?? null,
    message: `${req.method} ${req.url.origin}${req.url.pathname} answered HTTP ${res.status}`,
    body: res.body,
  });
}
