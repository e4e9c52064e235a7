// /api/channel-accounts over the real PostgreSQL: CRUD, validation against the connector's auth schema, and what is
// at rest (ciphertext only, bound to its row), what is returned (key names only) and what is logged (no secrets).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { defineConnector } from '../connectors/sdk/define.js';
import { openCredentials, type Credentials } from '../prisma/channel-accounts.js';
import type { PrismaClient } from '../prisma/client.js';
import { DecryptError } from '../prisma/secrets.js';
import { ConfigError, loadConfig } from './config.js';
import { PUBLIC_URL, startTestApp, type TestApp } from './test-app.js';

const KEY = randomBytes(32);

/** Test oracle: what is at rest, decrypted straight from the row (undefined when there is no such account). */
async function channelAccountCredentials(
  prisma: PrismaClient,
  key: Buffer,
  accountId: string,
): Promise<Credentials | undefined> {
  const row = await prisma.channelAccount.findUnique({ where: { id: accountId }, select: { credentials: true } });
  return row ? openCredentials(key, accountId, row.credentials) : undefined;
}
const SECRET = 'tok-Sup3rSecret-value';
const testchan = defineConnector({
  id: 'testchan',
  name: 'Test channel',
  version: '1.0.0',
  auth: {
    type: 'object',
    required: ['token'],
    properties: { token: { type: 'string', minLength: 8 }, chatId: { type: 'integer' } },
  },
  actions: [
    {
      id: 'send',
      name: 'Send',
      description: 'Sends nothing',
      input: { type: 'object' },
      output: { type: 'object' },
      run: async () => ({}),
    },
  ],
});
const connectors = () => [...builtinConnectors(), testchan];

let t: TestApp;
const logLines: string[] = [];
beforeAll(async () => {
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  t = await startTestApp({ connectors: connectors(), secretKey: KEY, logger });
});
afterAll(async () => t?.close());

type Account = {
  id: string;
  connector: string;
  name: string;
  settings: object;
  credentialKeys: string[];
  credentialsReadable: boolean;
};
const create = (payload: object) => t.api({ method: 'POST', url: '/api/channel-accounts', payload });
const createOk = async (payload: object): Promise<Account> => {
  const res = await create(payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
};
const stored = async (id: string): Promise<Buffer> => {
  const rows = await t.prisma.$queryRaw<
    { credentials: Uint8Array }[]
  >`SELECT credentials FROM channel_accounts WHERE id = ${id}`;
  return Buffer.from(rows[0]!.credentials);
};
const store = (id: string, bytes: Uint8Array) =>
  t.prisma.$executeRaw`UPDATE channel_accounts SET credentials = ${bytes} WHERE id = ${id}`;

describe('channel accounts', () => {
  it('creates an account and answers with its inbound URL and credential names, never the credentials', async () => {
    const res = await create({
      connector: 'testchan',
      name: 'Support bot',
      credentials: { token: SECRET, chatId: 42 },
      settings: { greeting: 'hi' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^cha_[0-9a-f]{32}$/),
      connector: 'testchan',
      name: 'Support bot',
      settings: { greeting: 'hi' },
      inboundUrl: `${PUBLIC_URL}/hooks/channels/${body.id}`,
      credentialsSet: true,
      credentialKeys: ['chatId', 'token'],
      credentialsReadable: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(res.body).not.toContain(SECRET);
    const got = await t.api({ method: 'GET', url: `/api/channel-accounts/${body.id}` });
    expect(got.json()).toEqual(body);
  });

  it('accepts any credentials object for a connector without an auth schema; settings default to {}', async () => {
    const acc = await createOk({ connector: 'http', name: 'plain', credentials: {} });
    expect(acc).toMatchObject({ connector: 'http', settings: {}, credentialKeys: [] });
  });

  it('lists newest first, paged with a cursor, filtered by connector', async () => {
    const a = await createOk({ connector: 'testchan', name: 'list a', credentials: { token: SECRET } });
    const b = await createOk({ connector: 'testchan', name: 'list b', credentials: { token: SECRET } });
    const first = await t.api({ method: 'GET', url: '/api/channel-accounts?connector=testchan&limit=1' });
    expect(first.json().items.map((x: Account) => x.id)).toEqual([b.id]);
    expect(first.body).not.toContain(SECRET);
    const second = await t.api({
      method: 'GET',
      url: `/api/channel-accounts?connector=testchan&limit=1&cursor=${first.json().nextCursor}`,
    });
    expect(second.json().items.map((x: Account) => x.id)).toEqual([a.id]);
    const all = (await t.api({ method: 'GET', url: '/api/channel-accounts' })).json().items as Account[];
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(new Set(all.map((x) => x.connector))).toEqual(new Set(['testchan', 'http']));
    const none = await t.api({ method: 'GET', url: '/api/channel-accounts?connector=nope' });
    expect(none.json()).toEqual({ items: [] });
    expect(
      (await t.api({ method: 'GET', url: '/api/channel-accounts?cursor=bogus' })).json().error.issues[0].path,
    ).toBe('/query/cursor');
  });

  it('stores only ciphertext (version ‖ IV ‖ ciphertext ‖ tag) that decrypts back with the key and no other', async () => {
    const credentials = { token: SECRET, chatId: 7 };
    const acc = await createOk({ connector: 'testchan', name: 'at rest', credentials });
    const bytes = await stored(acc.id);
    expect(bytes.includes(SECRET)).toBe(false);
    expect(bytes.includes('token')).toBe(false);
    expect(bytes[0]).toBe(1);
    expect(bytes.length).toBe(1 + 12 + Buffer.byteLength(JSON.stringify(credentials)) + 16);
    expect(await channelAccountCredentials(t.prisma, KEY, acc.id)).toEqual(credentials);
    expect(await channelAccountCredentials(t.prisma, KEY, 'cha_missing')).toBeUndefined();
    await expect(channelAccountCredentials(t.prisma, randomBytes(32), acc.id)).rejects.toThrow(DecryptError);
  });

  it('a tampered byte fails to decrypt; the account is still listed, marked unreadable, and fixable by PATCH', async () => {
    const acc = await createOk({ connector: 'testchan', name: 'tampered', credentials: { token: SECRET } });
    const bytes = await stored(acc.id);
    bytes[20]! ^= 0xff;
    await store(acc.id, bytes);
    await expect(channelAccountCredentials(t.prisma, KEY, acc.id)).rejects.toThrow(DecryptError);
    const got = await t.api({ method: 'GET', url: `/api/channel-accounts/${acc.id}` });
    expect(got.json()).toMatchObject({ credentialsReadable: false, credentialKeys: [] });
    expect(logLines.some((l) => l.includes(acc.id) && l.includes('unreadable'))).toBe(true);
    const fixed = await t.api({
      method: 'PATCH',
      url: `/api/channel-accounts/${acc.id}`,
      payload: { credentials: { token: 'another-token' } },
    });
    expect(fixed.json()).toMatchObject({ credentialsReadable: true, credentialKeys: ['token'] });
  });

  it("one account's ciphertext pasted into another row does not decrypt there (the id is the AAD)", async () => {
    const a = await createOk({ connector: 'testchan', name: 'aad a', credentials: { token: SECRET } });
    const b = await createOk({ connector: 'testchan', name: 'aad b', credentials: { token: 'b-token-123' } });
    const aBytes = await stored(a.id);
    await store(b.id, aBytes);
    await expect(channelAccountCredentials(t.prisma, KEY, b.id)).rejects.toThrow(DecryptError);
    expect(openCredentials(KEY, a.id, aBytes)).toEqual({ token: SECRET });
    expect((await t.api({ method: 'GET', url: `/api/channel-accounts/${b.id}` })).json().credentialsReadable).toBe(
      false,
    );
  });

  it('PATCH renames and replaces settings without touching credentials, and re-encrypts new credentials with a fresh IV', async () => {
    const acc = await createOk({
      connector: 'testchan',
      name: 'before',
      credentials: { token: SECRET },
      settings: { a: 1 },
    });
    const before = await stored(acc.id);
    const renamed = await t.api({
      method: 'PATCH',
      url: `/api/channel-accounts/${acc.id}`,
      payload: { name: 'after', settings: { b: 2 } },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'after',
      settings: { b: 2 },
      connector: 'testchan',
      credentialKeys: ['token'],
    });
    expect((await stored(acc.id)).equals(before)).toBe(true);

    const same = await t.api({
      method: 'PATCH',
      url: `/api/channel-accounts/${acc.id}`,
      payload: { credentials: { token: SECRET, chatId: 5 } },
    });
    expect(same.json().credentialKeys).toEqual(['chatId', 'token']);
    const after = await stored(acc.id);
    expect(after.subarray(1, 13).equals(before.subarray(1, 13))).toBe(false);
    expect(await channelAccountCredentials(t.prisma, KEY, acc.id)).toEqual({ token: SECRET, chatId: 5 });

    const bad = await t.api({
      method: 'PATCH',
      url: `/api/channel-accounts/${acc.id}`,
      payload: { name: 'never', credentials: { token: 'short' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues).toEqual([
      { path: '/body/credentials/token', code: 'minLength', message: expect.any(String) },
    ]);
    expect((await stored(acc.id)).equals(after)).toBe(true);
    expect((await t.api({ method: 'GET', url: `/api/channel-accounts/${acc.id}` })).json().name).toBe('after');
  });

  it('DELETE answers 204, then 404', async () => {
    const acc = await createOk({ connector: 'testchan', name: 'doomed', credentials: { token: SECRET } });
    expect((await t.api({ method: 'DELETE', url: `/api/channel-accounts/${acc.id}` })).statusCode).toBe(204);
    expect(await t.prisma.channelAccount.count({ where: { id: acc.id } })).toBe(0);
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const res = await t.api({
        method,
        url: `/api/channel-accounts/${acc.id}`,
        ...(method === 'PATCH' && { payload: { name: 'x' } }),
      });
      expect(res.statusCode, method).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });

  it("other workspaces' accounts are 404 and never listed", async () => {
    const acc = await createOk({ connector: 'testchan', name: 'mine', credentials: { token: SECRET } });
    const other = await startTestApp({ connectors: connectors(), secretKey: KEY });
    try {
      expect((await other.api({ method: 'GET', url: '/api/channel-accounts' })).json().items).toEqual([]);
      expect((await other.api({ method: 'GET', url: `/api/channel-accounts/${acc.id}` })).statusCode).toBe(404);
      expect(
        (
          await other.api({
            method: 'PATCH',
            url: `/api/channel-accounts/${acc.id}`,
            payload: { credentials: { token: 'hijacked-token' } },
          })
        ).statusCode,
      ).toBe(404);
      expect((await other.api({ method: 'DELETE', url: `/api/channel-accounts/${acc.id}` })).statusCode).toBe(404);
    } finally {
      await other.close();
    }
    expect(await channelAccountCredentials(t.prisma, KEY, acc.id)).toEqual({ token: SECRET });
  });
});

describe('channel account validation', () => {
  const issues = async (payload: object) => {
    const res = await create(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    return (res.json().error.issues as { path: string; code: string }[]).map((i) => `${i.path} ${i.code}`).sort();
  };

  it('refuses an unknown connector, naming /body/connector', async () => {
    expect(await issues({ connector: 'nope', name: 'x', credentials: { token: SECRET } })).toEqual([
      '/body/connector unknown_connector',
    ]);
  });

  it("reports every way the credentials fail the connector's auth schema", async () => {
    expect(await issues({ connector: 'testchan', name: 'x', credentials: { chatId: 'not-a-number' } })).toEqual([
      '/body/credentials/chatId type',
      '/body/credentials/token required',
    ]);
    expect(await issues({ connector: 'testchan', name: 'x', credentials: { token: 12345678 } })).toEqual([
      '/body/credentials/token type',
    ]);
  });

  it("reports the credentials' and the settings' issues together, against the channel's settings schema", async () => {
    const res = await t.api({
      method: 'POST',
      url: '/api/channel-accounts',
      payload: {
        connector: 'sms',
        name: 'x',
        credentials: { accountSid: 'AC123', authToken: 'secret-token' },
        settings: { from: 12 },
      },
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().error.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toContain('/body/credentials/accountSid');
    expect(paths).toContain('/body/settings/from');
    expect(res.json().error.message).toMatch(/credentials .*; settings /);
    expect(JSON.stringify(res.json())).not.toContain('secret-token');
  });

  it("refuses a provider base URL off the provider's host (SSRF through settings), naming the field; nothing stored", async () => {
    const before = await t.prisma.channelAccount.count();
    const cases: [string, object, object][] = [
      ['telegram', { botToken: '123:abc' }, { apiBaseUrl: 'http://169.254.169.254/latest' }],
      ['slack', { botToken: 'xoxb-1', signingSecret: 's3cr3t' }, { apiBaseUrl: 'https://evil.example/api' }],
      [
        'whatsapp',
        { accessToken: 'EAAx', appSecret: 'app-secret-1', verifyToken: 'verify-1' },
        { phoneNumberId: '1', apiBaseUrl: 'http://10.0.0.7:8080' },
      ],
      [
        'sms',
        { accountSid: `AC${'0'.repeat(32)}`, authToken: 'secret-token' },
        { from: '+14155550123', apiBaseUrl: 'http://[::1]:9' },
      ],
    ];
    for (const [connector, credentials, settings] of cases) {
      const res = await create({ connector, name: 'ssrf', credentials, settings });
      expect(res.statusCode, `${connector}: ${res.body}`).toBe(400);
      expect(res.json().error.issues, connector).toContainEqual({
        path: '/body/settings/apiBaseUrl',
        code: 'base_url_not_allowed',
        message: expect.stringMatching(/^settings\.apiBaseUrl must be https:\/\/.* CONFLUO_HTTP_ALLOWLIST$/),
      });
    }
    // The same on PATCH of an existing account.
    const ok = await createOk({
      connector: 'sms',
      name: 'ok',
      credentials: { accountSid: `AC${'0'.repeat(32)}`, authToken: 'secret-token' },
      settings: { from: '+14155550123' },
    });
    const patched = await t.api({
      method: 'PATCH',
      url: `/api/channel-accounts/${ok.id}`,
      payload: { settings: { from: '+14155550123', apiBaseUrl: 'http://metadata.google.internal' } },
    });
    expect(patched.statusCode, patched.body).toBe(400);
    expect(patched.json().error.issues[0]).toMatchObject({
      path: '/body/settings/apiBaseUrl',
      code: 'base_url_not_allowed',
    });
    expect(await t.prisma.channelAccount.count()).toBe(before + 1);
  });

  it("a registration refused by a server that is not the provider's API never echoes its answer", async () => {
    // An internal service the operator allowed (127.0.0.1 in the tests' CONFLUO_HTTP_ALLOWLIST) answering with what it
    // knows: the 502/422 names the call and the status, not the body.
    const internal = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>db password=hunter2</h1>');
    });
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
      const res = await create({
        connector: 'telegram',
        name: 'probe',
        credentials: { botToken: '123:abc' },
        settings: { apiBaseUrl: url },
      });
      expect(res.statusCode, res.body).toBe(502);
      expect(res.json().error).toMatchObject({ code: 'registration_failed' });
      expect(res.json().error.message).toMatch(/Telegram setWebhook failed with 500 \(not a Bot API answer\)/);
      expect(res.body).not.toContain('hunter2');
    } finally {
      await new Promise<void>((r) => internal.close(() => r()));
    }
  });

  it('refuses credentials and settings that are not objects, and a missing name', async () => {
    expect(await issues({ connector: 'testchan', name: 'x', credentials: SECRET })).toEqual(['/body/credentials type']);
    expect(await issues({ connector: 'testchan', name: 'x', credentials: [SECRET] })).toEqual([
      '/body/credentials type',
    ]);
    expect(await issues({ connector: 'testchan', credentials: null, settings: 'x' })).toEqual([
      '/body/credentials type',
      '/body/name required',
      '/body/settings type',
    ]);
  });

  it('never puts credential values into error bodies or log lines', async () => {
    const before = logLines.length;
    const values = ['shhh-7c', 'chat-Sup3rSecret'];
    const bad = await create({
      connector: 'testchan',
      name: 'x',
      credentials: { token: values[0], chatId: values[1] },
    });
    expect(bad.statusCode).toBe(400);
    const notObject = await create({ connector: 'testchan', name: 'x', credentials: values[1] });
    expect(notObject.statusCode).toBe(400);
    await createOk({ connector: 'testchan', name: 'logged', credentials: { token: SECRET } });
    const lines = logLines.slice(before).join('\n');
    expect(lines).toMatch(/"path":"\/api\/channel-accounts","statusCode":400/);
    expect(lines).toMatch(/"statusCode":201/);
    for (const v of [...values, SECRET]) {
      expect(bad.body + notObject.body).not.toContain(v);
      expect(lines).not.toContain(v);
    }
  });
});

describe('without a secret key', () => {
  it('answers 503 secrets_unavailable (after authentication), so apps built without one keep working', async () => {
    const keyless = await startTestApp({ connectors: connectors() });
    try {
      for (const [method, url] of [
        ['POST', '/api/channel-accounts'],
        ['GET', '/api/channel-accounts'],
        ['GET', '/api/channel-accounts/cha_x'],
        ['DELETE', '/api/channel-accounts/cha_x'],
      ] as const) {
        const res = await keyless.api({
          method,
          url,
          ...(method === 'POST' && { payload: { connector: 'testchan', name: 'x', credentials: { token: SECRET } } }),
        });
        expect(res.statusCode, `${method} ${url}`).toBe(503);
        expect(res.json().error.code).toBe('secrets_unavailable');
      }
      expect((await keyless.app.inject({ method: 'GET', url: '/api/channel-accounts' })).statusCode).toBe(401);
      expect((await keyless.api({ method: 'GET', url: '/api/flows' })).statusCode).toBe(200);
    } finally {
      await keyless.close();
    }
  });
});

describe('secret key configuration', () => {
  it('CONFLUO_SECRET_KEY is read as hex or base64; anything else is a start-up error naming it', () => {
    expect(loadConfig({ CONFLUO_SECRET_KEY: KEY.toString('hex') }).secretKey?.equals(KEY)).toBe(true);
    expect(loadConfig({ CONFLUO_SECRET_KEY: KEY.toString('base64') }).secretKey?.equals(KEY)).toBe(true);
    expect(loadConfig({}).secretKey).toBeUndefined();
    expect(() => loadConfig({ CONFLUO_SECRET_KEY: randomBytes(16).toString('hex') })).toThrow(ConfigError);
    expect(() => loadConfig({ CONFLUO_SECRET_KEY: 'hunter2' })).toThrow(/CONFLUO_SECRET_KEY must be 32 random bytes/);
  });

  it('documents the routes in OpenAPI without any credentials in the response shape', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/channel-accounts', '/api/channel-accounts/{id}']),
    );
    const shape = doc.paths['/api/channel-accounts/{id}'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(shape)).toContain('credentialKeys');
    expect(Object.keys(shape.properties ?? {})).not.toContain('credentials');
  });
});
