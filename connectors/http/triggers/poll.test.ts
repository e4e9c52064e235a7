// `http.poll` against a real local server (127.0.0.1 is on the test allowlist, vitest.config.ts): the items at the
// path, keys at the key path, newest-first lists turned oldest first, ETag / 304, and the errors that name the field.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type TriggerDefinition } from '../../sdk/index.js';
import { pollContext } from '../../testkit/index.js';
import { createHttpConnector, httpConnector } from '../index.js';
import type { Static } from '../../sdk/index.js';
import type { httpPollInput } from './poll.js';

let server: Server;
let base: string;
const seenHeaders: Array<Record<string, string | string[] | undefined>> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenHeaders.push(req.headers);
    const path = new URL(req.url!, 'http://x').pathname;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (path === '/feed') {
      if (req.headers['if-none-match'] === '"v2"') return res.writeHead(304).end();
      return json(200, { data: { items: [{ id: 3 }, { id: 2 }, { id: 1 }] } }, { etag: '"v2"' });
    }
    if (path === '/list') return json(200, [{ ref: { no: 'a' } }, { ref: { no: 'b' } }]);
    if (path === '/nokey') return json(200, [{ id: 1 }, { name: 'x' }]);
    if (path === '/notjson') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    if (path === '/down') return json(503, {}, { 'retry-after': '5' });
    return json(200, { data: {} });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const trigger = (c = httpConnector) => c.triggers!.find((t) => t.id === 'poll')! as Required<TriggerDefinition>;
const poll = (input: Static<typeof httpPollInput>, cursor: unknown = null, c = httpConnector) =>
  trigger(c).poll(pollContext(input), cursor as never);
const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};

describe('http.poll', () => {
  it('is declared as a poll source in the manifest', () => {
    const t = httpConnector.manifest.triggers.find((m) => m.id === 'http.poll');
    expect(t).toMatchObject({ id: 'http.poll', name: 'HTTP poll', poll: true });
    expect(t?.input).toMatchObject({ required: ['url'], properties: { itemsPath: { type: 'string' } } });
  });

  it('reads the items at the path, keyed at the key path, oldest first; the ETag is the cursor', async () => {
    const out = await poll({ url: `${base}/feed`, itemsPath: 'data.items', key: 'id' });
    expect(out).toEqual({
      items: [1, 2, 3].map((id) => ({ key: String(id), data: { id } })),
      cursor: { etag: '"v2"' },
    });
    expect(seenHeaders.at(-1)).toMatchObject({ accept: 'application/json' });
    // The same cursor: If-None-Match, a 304, no items, the cursor kept.
    expect(await poll({ url: `${base}/feed`, itemsPath: 'data.items', key: 'id' }, out.cursor)).toEqual({
      items: [],
      cursor: { etag: '"v2"' },
    });
  });

  it('takes a list as it is with newestFirst false, nested keys, headers; no ETag: a null cursor', async () => {
    const out = await poll({
      url: `${base}/list`,
      key: 'ref.no',
      newestFirst: false,
      headers: { Authorization: 'Bearer t0k' },
    });
    expect(out).toEqual({
      items: [
        { key: 'a', data: { ref: { no: 'a' } } },
        { key: 'b', data: { ref: { no: 'b' } } },
      ],
      cursor: null,
    });
    expect(seenHeaders.at(-1)).toMatchObject({ authorization: 'Bearer t0k' });
  });

  it('says which item has no key, where the items are missing, and when the answer is not JSON', async () => {
    expect((await failure(poll({ url: `${base}/nokey`, key: 'id', newestFirst: false }))).message).toMatch(
      /key "id": item 1 has nothing there/,
    );
    const none = await failure(poll({ url: `${base}/other`, itemsPath: 'data.items', key: 'id' }));
    expect(none).toMatchObject({ kind: 'config', code: 'POLL_NO_ITEMS' });
    expect((await failure(poll({ url: `${base}/notjson`, key: 'id' }))).code).toBe('BAD_RESPONSE');
    const down = await failure(poll({ url: `${base}/down`, key: 'id' }));
    expect(down).toMatchObject({ code: 'HTTP_503', retryable: true });
  });

  it("goes through the SDK's SSRF guard: a loopback URL is refused without the allowlist", async () => {
    const guarded = createHttpConnector({ allowlist: [] });
    const err = await failure(poll({ url: `${base}/feed`, key: 'id' }, null, guarded));
    expect(err.code).toBe('ADDRESS_NOT_ALLOWED');
  });
});
