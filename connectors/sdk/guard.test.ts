// The SSRF guard: which addresses count as public, what allowlist entries mean (ports included), and that every
// redirect hop is checked against both. Real HTTP servers on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest } from '../http/client.js';
import {
  allowlistProblems,
  createGuardedDispatcher,
  isAddressAllowed,
  parseAllowEntry,
  guardedAddress,
  type HttpGuardOptions,
} from './guard.js';

describe('isAddressAllowed', () => {
  it('refuses every special-purpose range, including IPv4 addresses inside IPv6 transition forms', () => {
    for (const ip of [
      '192.0.0.8',
      '192.0.2.1',
      '198.18.0.1',
      '198.51.100.7',
      '203.0.113.9',
      '192.88.99.1',
      '240.0.0.1',
      '64:ff9b::a00:1', // NAT64 of 10.0.0.1
      '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
      '64:ff9b:1::a00:1',
      '2002:a00:1::1', // 6to4 of 10.0.0.1
      '2002:7f00:1::1',
      '::a00:1', // IPv4-compatible 10.0.0.1
      '::127.0.0.1',
      'fec0::1', // site-local
      '2001::1', // Teredo
      '2001:db8::1',
      '3fff::1',
      '100::1', // discard-only
      '5f00::1',
      '::ffff:192.168.0.1',
    ])
      expect(isAddressAllowed(ip, ip, {}), ip).toBe(false);
    for (const ip of ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e', '::ffff:1.1.1.1'])
      expect(isAddressAllowed(ip, ip, {}), ip).toBe(true);
  });

  it('lets an allowlist entry with a port through on that port only', () => {
    const on = (allowlist: string[], host: string, ip: string, port: number) =>
      isAddressAllowed(host, ip, { allowlist }, port);
    expect(on(['localhost:8080'], 'localhost', '127.0.0.1', 8080)).toBe(true);
    expect(on(['localhost:8080'], 'localhost', '127.0.0.1', 8081)).toBe(false);
    expect(on(['localhost'], 'localhost', '127.0.0.1', 8081)).toBe(true);
    expect(on(['127.0.0.1:9000'], '127.0.0.1', '127.0.0.1', 9000)).toBe(true);
    expect(on(['127.0.0.1:9000'], '127.0.0.1', '127.0.0.1', 9001)).toBe(false);
    expect(on(['[::1]:9000'], '::1', '::1', 9000)).toBe(true);
    expect(on(['[::1]:9000'], '::1', '::1', 80)).toBe(false);
    expect(on(['::1'], '::1', '::1', 80)).toBe(true);
    expect(on(['10.0.0.0/8'], 'db', '10.9.9.9', 5432)).toBe(true);
    expect(on(['::ffff:10.0.0.0/104'], 'db', '10.9.9.9', 5432)).toBe(true);
    expect(on(['db.internal.'], 'db.internal', '10.0.0.5', 80)).toBe(true);
    // A name entry matches the name asked for, never another name resolving to the same address.
    expect(on(['db.internal'], 'evil.test', '10.0.0.5', 80)).toBe(false);
  });

  it('reports the allowlist entries that mean nothing', () => {
    expect(
      allowlistProblems([
        'api.example.com',
        'api.example.com:8443',
        '10.0.0.0/8',
        '[fd00::1]:80',
        'fd00::1',
        'bad host',
        'host:99999',
        'host:',
        '[::1]:x',
        '10.0.0.0/33',
        'http://example.com',
      ]),
    ).toEqual(['bad host', 'host:99999', 'host:', '[::1]:x', '10.0.0.0/33', 'http://example.com']);
    expect(parseAllowEntry('API.Example.com:8443')).toEqual({ host: 'api.example.com', port: 8443 });
  });
});

describe('redirects', () => {
  let target: http.Server;
  let hop: http.Server;
  let targetPort = 0;
  let hopPort = 0;
  beforeAll(async () => {
    target = http.createServer((_req, res) => res.end('target'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as AddressInfo).port;
    hop = http.createServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${targetPort}/` });
      res.end();
    });
    await new Promise<void>((r) => hop.listen(0, '127.0.0.1', r));
    hopPort = (hop.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => target.close(r));
    await new Promise((r) => hop.close(r));
  });

  const get = (opts: HttpGuardOptions) =>
    sendRequest(
      createGuardedDispatcher(() => opts),
      { method: 'GET', url: new URL(`http://127.0.0.1:${hopPort}/`), headers: {}, timeoutMs: 5000, maxBodyBytes: 1000 },
      new AbortController().signal,
    );

  it('checks the port of every hop against the allowlist', async () => {
    await expect(get({ allowlist: [`127.0.0.1:${hopPort}`] })).rejects.toMatchObject({ code: 'ADDRESS_NOT_ALLOWED' });
    expect((await get({ allowlist: [`127.0.0.1:${hopPort}`, `127.0.0.1:${targetPort}`] })).body).toBe('target');
    expect((await get({ allowlist: ['127.0.0.1'] })).body).toBe('target');
  });
});

describe('guardedAddress (SMTP and IMAP clients connect to the address it returns)', () => {
  it('resolves a name, checks every address, and keeps the name for TLS', async () => {
    expect(await guardedAddress('localhost', 25, { allowlist: ['localhost:25'] })).toMatchObject({
      address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
      servername: 'localhost',
    });
    await expect(guardedAddress('localhost', 26, { allowlist: ['localhost:25'] })).rejects.toMatchObject({
      code: 'ADDRESS_NOT_ALLOWED',
    });
  });

  it('checks IP literals without a lookup, and names no TLS server for them', async () => {
    expect(await guardedAddress('8.8.8.8', 465, {})).toEqual({ address: '8.8.8.8' });
    for (const ip of ['10.1.2.3', '169.254.169.254', '[::ffff:127.0.0.1]', '::1'])
      await expect(guardedAddress(ip, 993, {}), ip).rejects.toMatchObject({
        kind: 'config',
        code: 'ADDRESS_NOT_ALLOWED',
      });
  });

  it('a name that does not resolve is a retryable upstream error', async () => {
    await expect(guardedAddress('no-such-host.invalid', 25, {})).rejects.toMatchObject({
      kind: 'upstream',
      retryable: true,
    });
  });
});
