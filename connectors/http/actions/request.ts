// `http.request`: call any HTTP API. Sends the step's idempotency key so providers that dedupe see retries as one.
import { ConnectorError, Type, defineAction, type JsonValue, type Static } from '../../sdk/index.js';
import { responseError, sendRequest, type HttpRequest } from '../client.js';
import type { Dispatcher } from 'undici';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export const requestInputSchema = Type.Object(
  {
    method: Type.Optional(Type.Enum(METHODS, { type: 'string', default: 'GET', title: 'Method' })),
    url: Type.String({ format: 'uri', title: 'URL' }),
    headers: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: 'object',
        additionalProperties: { type: 'string' },
        title: 'Headers',
      }),
    ),
    query: Type.Optional(
      Type.Unsafe<Record<string, string | number | boolean>>({
        type: 'object',
        additionalProperties: { type: ['string', 'number', 'boolean'] },
        title: 'Query parameters',
      }),
    ),
    body: Type.Optional(
      Type.Unsafe<JsonValue>({
        title: 'Body',
        description:
          'Objects and arrays are sent as JSON (as a form with content-type application/x-www-form-urlencoded); strings as-is.',
      }),
    ),
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 300_000, default: 30_000, title: 'Timeout (ms)' })),
  },
  { additionalProperties: false },
);

export const requestOutputSchema = Type.Object({
  status: Type.Integer(),
  headers: Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' } }),
  body: Type.Unsafe<JsonValue>({ description: 'Parsed JSON when the response is JSON, else text.' }),
});

export type HttpRequestInput = Static<typeof requestInputSchema>;
export type HttpRequestOutput = Static<typeof requestOutputSchema>;

const invalid = (field: string, message: string) =>
  new ConnectorError('validation', `${field}: ${message}`, { code: 'INPUT_INVALID', details: { field } });

/** Turns the action input into a request (defaults applied, query merged, body encoded). */
export function buildRequest(input: HttpRequestInput, idempotencyKey: string): HttpRequest {
  const method = (input.method ?? 'GET').toUpperCase();
  if (!(METHODS as readonly string[]).includes(method)) throw invalid('method', `must be one of ${METHODS.join(', ')}`);
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw invalid('url', `is not a valid URL: ${JSON.stringify(input.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url', 'must be http or https');
  for (const [k, v] of Object.entries(input.query ?? {})) url.searchParams.append(k, String(v));

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = String(v);
  headers['idempotency-key'] ??= idempotencyKey;

  let body: string | undefined;
  if (input.body !== undefined && input.body !== null) {
    if (method === 'GET' || method === 'HEAD') throw invalid('body', `is not allowed with ${method}`);
    if (typeof input.body === 'string') {
      body = input.body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (
      /^application\/x-www-form-urlencoded\b/i.test(headers['content-type'] ?? '') &&
      typeof input.body === 'object' &&
      !Array.isArray(input.body)
    ) {
      // The user asked for a form: encode the object's fields (nested values as JSON text).
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(input.body)) form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      body = form.toString();
    } else {
      body = JSON.stringify(input.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  const timeoutMs = input.timeout ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 300_000)
    throw invalid('timeout', 'must be 1..300000 ms');
  return { method, url, headers, timeoutMs, maxBodyBytes: MAX_RESPONSE_BYTES, ...(body !== undefined && { body }) };
}

const isJson = (contentType: string | undefined) =>
  !!contentType && /^application\/(.+\+)?json\b/i.test(contentType.trim());

export function requestAction(dispatcher: () => Dispatcher) {
  return defineAction({
    id: 'request',
    name: 'HTTP request',
    description: 'Sends an HTTP request and returns the status, headers and body. Non-2xx answers fail the step.',
    input: requestInputSchema,
    output: requestOutputSchema,
    async run(ctx, input) {
      const req = buildRequest(input, ctx.idempotencyKey);
      const res = await sendRequest(dispatcher(), req, ctx.signal);
      if (res.status < 200 || res.status > 299) throw responseError(req, res);
      let body: JsonValue = res.body;
      if (isJson(res.headers['content-type']) && res.body.trim() !== '') {
        try {
          body = JSON.parse(res.body) as JsonValue;
        } catch {
          ctx.logger.warn(
            { url: req.url.origin + req.url.pathname },
            'response says JSON but does not parse; returning text',
          );
        }
      }
      return { status: res.status, headers: res.headers, body };
    },
  });
}
