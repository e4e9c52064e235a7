import { describe, expect, it } from 'vitest';
import { ApiError, createApi, errorMessage } from './client.js';

const reply = (status: number, body: unknown) => async () =>
  new Response(body === undefined ? '' : JSON.stringify(body), { status });

describe('api client', () => {
  it('sends the key as a Bearer token and JSON bodies', async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const api = createApi('k1', {
      fetch: async (url, init) => {
        seen.push({ url, ...(init && { init }) });
        return new Response(JSON.stringify({ id: 'f1' }), { status: 201 });
      },
    });
    await api.createFlow('Hello');
    expect(seen[0]!.url).toBe('/api/flows');
    expect(seen[0]!.init).toMatchObject({
      method: 'POST',
      headers: { authorization: 'Bearer k1', 'content-type': 'application/json' },
      body: '{"name":"Hello"}',
    });
    await api.createFlow('Imported', { schemaVersion: 1 });
    expect(seen[1]!.init?.body).toBe('{"name":"Imported","definition":{"schemaVersion":1}}');
  });

  it('turns the uniform error body into a readable ApiError with its issues', async () => {
    const body = {
      error: {
        code: 'flow_invalid',
        message: 'the flow cannot run',
        issues: [{ path: '/nodes/0/input/email', code: 'required', message: 'is required' }],
      },
    };
    const api = createApi('k', { fetch: reply(422, body) });
    const err = await api.publish('f').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 422,
      code: 'flow_invalid',
      message: 'the flow cannot run: /nodes/0/input/email: is required',
      issues: body.error.issues,
    });
  });

  it('explains non-JSON failures and lost connections', async () => {
    expect(errorMessage(502, null).message).toMatch(/502.*server error/);
    const api = createApi('k', { fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(api.listFlows()).rejects.toMatchObject({
      code: 'network',
      message: expect.stringMatching(/draft is kept/),
    });
  });

  it('caps the issues listed in the message', () => {
    const issues = Array.from({ length: 5 }, (_, i) => ({ path: `/p${i}`, code: 'x', message: 'bad' }));
    expect(errorMessage(400, { error: { code: 'v', message: 'invalid', issues } }).message).toBe(
      'invalid: /p0: bad; /p1: bad; /p2: bad (and 2 more)',
    );
  });

  it('lists every channel account, following the cursor', async () => {
    const urls: string[] = [];
    const pages: Record<string, unknown> = {
      '/api/channel-accounts?limit=100': { items: [{ id: 'a1', connector: 'sms', name: 'Main' }], nextCursor: 'c/1' },
      '/api/channel-accounts?limit=100&cursor=c%2F1': { items: [{ id: 'a2', connector: 'telegram', name: 'Bot' }] },
    };
    const api = createApi('k', {
      fetch: async (url) => (
        urls.push(url),
        new Response(JSON.stringify(pages[url] ?? { items: [] }), { status: 200 })
      ),
    });
    expect((await api.channelAccounts()).map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(urls).toEqual(Object.keys(pages));
    const unavailable = createApi('k', {
      fetch: reply(503, { error: { code: 'secrets_unavailable', message: 'channel accounts need a secret key' } }),
    });
    await expect(unavailable.channelAccounts()).rejects.toMatchObject({
      status: 503,
      message: 'channel accounts need a secret key',
    });
  });
});

describe('channel accounts api', () => {
  it('creates, reads, patches and deletes accounts by encoded id, and keeps the issues of a refusal', async () => {
    const seen: { url: string; method?: string; body?: unknown }[] = [];
    const api = createApi('k', {
      fetch: async (url, init) => {
        seen.push({
          url,
          ...(init?.method && { method: init.method }),
          ...(typeof init?.body === 'string' && { body: JSON.parse(init.body) }),
        });
        return init?.method === 'DELETE'
          ? new Response(null, { status: 204 })
          : new Response(JSON.stringify({ id: 'cha 1' }), { status: 200 });
      },
    });
    await api.createChannelAccount({ connector: 'webchat', name: 'Site', credentials: {}, settings: { title: 'Hi' } });
    await api.getChannelAccount('cha 1');
    await api.updateChannelAccount('cha 1', { name: 'Shop' });
    expect(await api.deleteChannelAccount('cha 1')).toBeNull();
    expect(seen).toEqual([
      {
        url: '/api/channel-accounts',
        method: 'POST',
        body: { connector: 'webchat', name: 'Site', credentials: {}, settings: { title: 'Hi' } },
      },
      { url: '/api/channel-accounts/cha%201', method: 'GET' },
      { url: '/api/channel-accounts/cha%201', method: 'PATCH', body: { name: 'Shop' } },
      { url: '/api/channel-accounts/cha%201', method: 'DELETE' },
    ]);
    const issues = [
      { path: '/body/credentials/accountSid', code: 'pattern', message: 'must match pattern "^AC[0-9a-fA-F]{32}$"' },
    ];
    const refused = createApi('k', {
      fetch: reply(400, { error: { code: 'validation_failed', message: 'credentials do not match', issues } }),
    });
    await expect(refused.createChannelAccount({ connector: 'sms', name: 'x', credentials: {} })).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
      issues,
    });
  });
});

describe('inbox api', () => {
  const recorder = (body: unknown, status = 200) => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const api = createApi('k', {
      fetch: async (url, init) => (
        seen.push({ url, ...(init && { init }) }),
        new Response(JSON.stringify(body), { status })
      ),
    });
    return { api, seen };
  };

  it('pages conversations and messages with limit and an encoded cursor', async () => {
    const { api, seen } = recorder({ items: [] });
    await api.listConversations();
    await api.listConversations({ limit: 30, cursor: 'a+b/c=' });
    await api.getConversation('cnv 1');
    await api.listMessages('cnv1', { limit: 20 });
    await api.listMessages('cnv1', { limit: 20, cursor: 'k/1' });
    expect(seen.map((s) => s.url)).toEqual([
      '/api/conversations',
      '/api/conversations?limit=30&cursor=a%2Bb%2Fc%3D',
      '/api/conversations/cnv%201',
      '/api/conversations/cnv1/messages?limit=20',
      '/api/conversations/cnv1/messages?limit=20&cursor=k%2F1',
    ]);
  });

  it('posts a reply as { text } and returns the send', async () => {
    const sent = {
      id: 'snd_1',
      status: 'sent',
      message: {
        id: 'msg_1',
        conversationId: 'cnv1',
        channel: 'webchat',
        accountId: 'a',
        providerMessageId: 'wc_1',
        status: 'delivered',
        to: { kind: 'webchat', value: 'v' },
      },
    };
    const { api, seen } = recorder(sent, 201);
    expect(await api.reply('cnv1', 'Hello')).toEqual(sent);
    expect(seen[0]).toMatchObject({
      url: '/api/conversations/cnv1/messages',
      init: { method: 'POST', body: '{"text":"Hello"}' },
    });
  });

  it('reads a failed send as one sentence, not the cause twice', async () => {
    const message = 'the recipient opted out of webchat messages; nothing was sent';
    const body = { error: { code: 'send_failed', message, issues: [{ path: '/body', code: 'OPTED_OUT', message }] } };
    const { api } = recorder(body, 422);
    await expect(api.reply('cnv1', 'Hi')).rejects.toMatchObject({
      status: 422,
      code: 'send_failed',
      message,
      issues: body.error.issues,
    });
  });

  it("patches a contact by encoded id and reads its CRM sync; a refusal keeps the API's issues", async () => {
    const { api, seen } = recorder({ items: [] });
    await api.updateContact('ct 1', { name: 'Grace', attributes: { city: 'Lisbon', plan: null } });
    await api.contactCrm('ct 1');
    expect(seen.map((s) => [s.init?.method, s.url, s.init?.body])).toEqual([
      ['PATCH', '/api/contacts/ct%201', '{"name":"Grace","attributes":{"city":"Lisbon","plan":null}}'],
      ['GET', '/api/contacts/ct%201/crm', undefined],
    ]);
    const issues = [
      { path: '/body/attributes', code: 'additionalProperties', message: 'must NOT have additional properties' },
    ];
    const refused = recorder(
      { error: { code: 'validation_failed', message: 'the request is not valid', issues } },
      400,
    );
    await expect(refused.api.updateContact('ct1', { attributes: { 'not a key': 'x' } })).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
      issues,
    });
  });
});
