// The Graph API client base the WhatsApp, Messenger and Instagram connectors share: one API version, the account's
// base URL (settings.apiBaseUrl, for tests and proxies), Bearer auth, JSON in and out, Graph errors mapped once.
import type { JsonObject } from '../flow/types.js';
import { ConnectorError, defineProvider } from '../sdk/index.js';
import { graphError } from './graph-errors.js';

export const GRAPH_VERSION = 'v23.0';
export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';

/** Meta's Graph API (graph.instagram.com for Instagram User tokens); another host only if the operator allows it. */
export const graphApi = defineProvider({
  name: 'Meta Graph API',
  hosts: ['graph.facebook.com', 'graph.instagram.com'],
  defaultBaseUrl: DEFAULT_GRAPH_BASE_URL,
});
/** Per request, on top of the step's own signal: a hung connection must not hold a step until its timeout. */
export const GRAPH_TIMEOUT_MS = 30_000;

export interface GraphPostRequest {
  /** `https://graph.facebook.com`, or a proxy/fake base (a path prefix is kept). */
  baseUrl: string;
  /** Path segments after the version, each encoded here, e.g. `['106540352242922', 'messages']`. */
  path: string[];
  token: string;
  body: JsonObject;
  signal: AbortSignal;
}

/** `<base>/v23.0/<segments>`. */
export function graphUrl(baseUrl: string, path: string[]): string {
  return `${baseUrl.replace(/\/+$/, '')}/${GRAPH_VERSION}/${path.map(encodeURIComponent).join('/')}`;
}

/**
 * POSTs JSON to the Graph API and returns the parsed answer. Non-2xx answers throw the mapped ConnectorError; a
 * network failure is a retryable upstream error; a 2xx that is not JSON fails without retry (the call may have
 * taken effect, and a second one could send the message twice).
 */
export async function graphPost(req: GraphPostRequest): Promise<unknown> {
  const url = graphUrl(graphApi.baseUrl(req.baseUrl), req.path);
  const target = `POST ${url}`;
  const { status, text, retryAfter } = await graphApi.call({
    label: target,
    url,
    init: {
      method: 'POST',
      headers: { authorization: `Bearer ${req.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(req.body),
    },
    signal: req.signal,
    timeoutMs: GRAPH_TIMEOUT_MS,
  });
  if (status < 200 || status > 299) throw graphError(status, text, retryAfter, target);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConnectorError('upstream', `${target} answered HTTP ${status} with a body that is not JSON`, {
      code: 'BAD_RESPONSE',
      retryable: false,
      details: { status },
    });
  }
}
