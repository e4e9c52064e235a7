import { describe, expect, it } from 'vitest';
import { formToRecord, parseBody, startFakeServer } from './index.js';

describe('fake server base', () => {
  it('records method, path, query, headers, raw and parsed body, and violations', async () => {
    const fake = await startFakeServer((req, f) => {
      if (req.path === '/bad') f.violate(req, 'not allowed');
      return { status: req.path === '/bad' ? 400 : 200, body: { seen: req.body } };
    });
    try {
      const res = await fetch(`${fake.url}/x?a=1&a=2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-k': 'v' },
        body: '{"n":1}',
      });
      expect(await res.json()).toEqual({ seen: { n: 1 } });
      await fetch(`${fake.url}/bad`, { method: 'POST', body: new URLSearchParams({ b: '2' }) });
      const [first, second] = fake.requests;
      expect(first).toMatchObject({
        method: 'POST',
        path: '/x',
        rawBody: '{"n":1}',
        body: { n: 1 },
        headers: { 'x-k': 'v' },
      });
      expect(first!.query.getAll('a')).toEqual(['1', '2']);
      expect(second!.body).toBeInstanceOf(URLSearchParams);
      expect(fake.violations).toEqual([{ method: 'POST', path: '/bad', message: 'not allowed' }]);
    } finally {
      await fake.close();
    }
  });

  it('parses JSON and forms by content type and reports what it cannot parse', () => {
    expect(parseBody('application/json; charset=utf-8', '[1]')).toEqual({ body: [1] });
    expect(parseBody('application/json', '{').bodyError).toMatch(/invalid JSON/);
    expect(parseBody('text/plain', 'hi').bodyError).toMatch(/unsupported content type "text\/plain"/);
    expect(parseBody(undefined, '')).toEqual({ body: undefined });
    expect(formToRecord(new URLSearchParams('a=1&b=2&a=3'))).toEqual({ a: ['1', '3'], b: '2' });
  });
});
