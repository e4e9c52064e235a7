// `http.poll`: the generic HTTP poll (README.md "Poll triggers"). GETs a URL on the flow's interval over the same
// guarded dispatcher as `http.request` (SSRF guard on every hop, a timeout, a bounded body), reads the array at
// `itemsPath` and each item's dedupe key at `key`. The platform skips keys it has seen, so the feed may be the whole
// list every time; the cursor only keeps the ETag, so an unchanged feed costs a 304.
import {
  ConnectorError,
  Type,
  definePollTrigger,
  valueAtPath,
  type JsonValue,
  type PollItem,
} from '../../sdk/index.js';
import { responseError, sendRequest } from '../client.js';
import type { Dispatcher } from 'undici';

/** Largest feed read, in bytes (as `http.request`'s body limit). */
export const POLL_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
/** Items a feed may list; more is a config error (the key and page the feed instead). */
export const POLL_MAX_LISTED = 10_000;

const PATH = '^\\$?[^\\s]*$';

export const httpPollInput = Type.Object(
  {
    url: Type.String({ format: 'uri', title: 'URL', description: 'GET on every poll; the answer must be JSON.' }),
    headers: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: 'object',
        additionalProperties: { type: 'string' },
        title: 'Headers',
        description: 'E.g. an Authorization header.',
      }),
    ),
    itemsPath: Type.Optional(
      Type.String({
        pattern: PATH,
        default: '',
        title: 'Items path',
        description:
          'Dotted path to the array of items in the answer, e.g. data.items; empty: the answer is the array.',
      }),
    ),
    key: Type.Optional(
      Type.String({
        minLength: 1,
        pattern: PATH,
        default: 'id',
        title: 'Dedupe key',
        description: "Dotted path to each item's unique id (default id); an item whose key was seen starts no run.",
      }),
    ),
    newestFirst: Type.Optional(
      Type.Boolean({
        default: true,
        title: 'Newest first',
        description: 'The feed lists the newest item first (most do): runs start oldest first either way.',
      }),
    ),
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000, default: 30_000, title: 'Timeout (ms)' })),
  },
  { additionalProperties: false },
);

const invalid = (message: string, code: string) => new ConnectorError('config', message, { code, retryable: false });

const isJson = (contentType: string | undefined) =>
  !!contentType && /^application\/(.+\+)?json\b/i.test(contentType.trim());

export function pollTrigger(dispatcher: () => Dispatcher) {
  return definePollTrigger({
    id: 'poll',
    name: 'HTTP poll',
    description: 'GETs a URL on an interval and starts a run for every new item of the JSON list it answers.',
    input: httpPollInput,
    output: Type.Unsafe<JsonValue>({ description: 'One item of the list, as the URL answered it.' }),
    async poll(ctx, cursor) {
      const { input } = ctx;
      let url: URL;
      try {
        url = new URL(input.url);
      } catch {
        throw invalid('url: is not a valid URL', 'INPUT_INVALID');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw invalid('url: must be http or https', 'INPUT_INVALID');
      const headers: Record<string, string> = { accept: 'application/json' };
      for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
      const etag = typeof cursor === 'object' && cursor !== null && !Array.isArray(cursor) ? cursor.etag : undefined;
      if (typeof etag === 'string') headers['if-none-match'] = etag;
      const req = {
        method: 'GET',
        url,
        headers,
        timeoutMs: input.timeout ?? 30_000,
        maxBodyBytes: POLL_MAX_RESPONSE_BYTES,
      };
      const res = await sendRequest(dispatcher(), req, ctx.signal);
      if (res.status === 304) return { items: [], cursor };
      if (res.status < 200 || res.status > 299) throw responseError(req, res);
      let body: JsonValue;
      try {
        body = JSON.parse(res.body) as JsonValue;
      } catch {
        throw new ConnectorError(
          'upstream',
          `GET ${url.origin}${url.pathname} answered ${isJson(res.headers['content-type']) ? 'JSON that does not parse' : 'something that is not JSON'}`,
          { code: 'BAD_RESPONSE' },
        );
      }
      const itemsPath = input.itemsPath ?? '';
      const list = valueAtPath(body, itemsPath);
      if (!Array.isArray(list))
        throw invalid(
          `itemsPath "${itemsPath}": the answer has ${list === undefined ? 'nothing' : `no array (${list === null ? 'null' : typeof list})`} there`,
          'POLL_NO_ITEMS',
        );
      if (list.length > POLL_MAX_LISTED)
        throw invalid(`the answer lists ${list.length} items; at most ${POLL_MAX_LISTED} are read`, 'POLL_TOO_MANY');
      const items: PollItem[] = [];
      list.forEach((data, i) => {
        const key = valueAtPath(data, input.key ?? 'id');
        if (typeof key !== 'string' && typeof key !== 'number')
          throw invalid(
            `key "${input.key ?? 'id'}": item ${i} has ${key === undefined ? 'nothing' : `a ${key === null ? 'null' : typeof key}`} there, not a string or number`,
            'POLL_NO_KEY',
          );
        items.push({ key: String(key), data });
      });
      if (input.newestFirst ?? true) items.reverse();
      const nextEtag = res.headers.etag;
      return { items, cursor: nextEtag ? { etag: nextEtag } : null };
    },
  });
}
