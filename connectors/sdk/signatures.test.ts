import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  hubspotSignedUri,
  signHubSpotV3,
  verifyHubSpotV3,
  isValidTelegramSecret,
  metaHandshake,
  newTelegramSecret,
  signMeta,
  signSlack,
  signTwilio,
  twilioUrlCandidates,
  verifyMeta,
  verifySlack,
  verifyTelegram,
  verifyTwilio,
  verifyTwilioBody,
} from './signatures.js';

/** The same string with one character changed (a different byte, same length). */
const flip = (s: string, at = s.length - 2): string => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);

describe('constantTimeEqual', () => {
  it('compares bytes; different lengths are unequal without throwing', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('é', 'e\u0301')).toBe(false);
  });
});

describe('Twilio X-Twilio-Signature', () => {
  // Vectors: contracts/twilio/NOTES.md, "3. Request signature: X-Twilio-Signature", test vector table.
  const token = '12345';
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  };
  const signature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

  it('matches the NOTES vectors (twilio-node spec, Twilio docs worked example)', () => {
    expect(signTwilio(token, url, params)).toBe(signature);
    expect(verifyTwilio(token, url, params, signature)).toBe(true);
    const docs = { ...params, Caller: '+12349013030', From: '+12349013030' };
    expect(signTwilio(token, url, docs)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(verifyTwilio(token, url, docs, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(true);
  });

  it('matches the NOTES JSON-body vector (bodySHA256 in the URL, no params)', () => {
    const body = '{"property": "value", "boolean": true}';
    const hashed =
      'https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
    expect(signTwilio(token, hashed, {})).toBe('a9nBmqA0ju/hNViExpshrM61xv4=');
    expect(verifyTwilioBody(token, hashed, body, 'a9nBmqA0ju/hNViExpshrM61xv4=')).toBe(true);
    expect(verifyTwilioBody(token, hashed, Buffer.from(body), 'a9nBmqA0ju/hNViExpshrM61xv4=')).toBe(true);
    expect(verifyTwilioBody(token, hashed, body.replace('true', 'tru3'), 'a9nBmqA0ju/hNViExpshrM61xv4=')).toBe(false);
    expect(verifyTwilioBody(token, hashed, body, flip('a9nBmqA0ju/hNViExpshrM61xv4='))).toBe(false);
    expect(verifyTwilioBody(token, url, body, signature)).toBe(false); // no bodySHA256 in the URL
  });

  it('does not depend on the order the params arrive in; URLSearchParams from the raw form body works too', () => {
    const reversed = Object.fromEntries(Object.entries(params).reverse());
    expect(verifyTwilio(token, url, reversed, signature)).toBe(true);
    const form = new URLSearchParams(
      'To=%2B18005551212&From=%2B14158675309&Digits=1234&Caller=%2B14158675309&CallSid=CA1234567890ABCDE',
    );
    expect(verifyTwilio(token, url, form, signature)).toBe(true);
  });

  it('signs repeated params de-duplicated and sorted, as twilio-node does', () => {
    // Extra vectors, not in NOTES: twilio-node spec/validation.spec.js (array parameter cases).
    const a = { 'MessagingBinding.Address': ['+1325xxxxxxx', '+1415xxxxxxx'] };
    const b = { 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] };
    expect(verifyTwilio(token, url, a, '83O6e2vORAoJHUNzJjDWN1jz+BA=')).toBe(true);
    expect(verifyTwilio(token, url, b, '83O6e2vORAoJHUNzJjDWN1jz+BA=')).toBe(true);
    const multi = { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] };
    expect(signTwilio(token, url, multi)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
    const form = new URLSearchParams('Digits=1234&SidAccount=AC123&Digits=5678&Sid=CA123&Digits=1234');
    expect(verifyTwilio(token, url, form, 'IK+Dwps556ElfBT0I3Rgjkr1wJU=')).toBe(true);
    expect(verifyTwilio(token, url, { ...multi, Digits: ['5678'] }, 'IK+Dwps556ElfBT0I3Rgjkr1wJU=')).toBe(false);
  });

  it('accepts the URL with and without the default port, both ways', () => {
    // Extra vectors, not in NOTES: twilio-node spec/validation.spec.js ("adding standard port 443/80").
    expect(verifyTwilio(token, url, params, 'kvajT1Ptam85bY51eRf/AJRuM3w=')).toBe(true);
    expect(verifyTwilio(token, url.replace('https', 'http'), params, '0ZXoZLH/DfblKGATFgpif+LLRf4=')).toBe(true);
    // Twilio signed the port-less URL, our public URL carries :443 (or the reverse).
    expect(verifyTwilio(token, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params, signature)).toBe(true);
    const withPort = signTwilio(token, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params);
    expect(verifyTwilio(token, url, params, withPort)).toBe(true);
    // A different host, path or scheme is not a variant.
    expect(verifyTwilio(token, 'https://mycompany.org/myapp.php?foo=1&bar=2', params, signature)).toBe(false);
    expect(verifyTwilio(token, 'https://mycompany.com/myapp.php?foo=1&bar=3', params, signature)).toBe(false);
    expect(verifyTwilio(token, url.replace('https', 'http'), params, signature)).toBe(false);
  });

  it('accepts the URL as given and its legacy querystring form', () => {
    // Extra vector, not in NOTES: twilio-node spec/validation.spec.js ("urls with special characters").
    expect(verifyTwilio(token, `${url}&Body=It's+amazing`, params, 'dsq4Ehbj6cs+KdTkpF5sSSplOWw=')).toBe(true);
    // Twilio signed querystring.stringify's encoding; our URL has the WHATWG one.
    const legacy = signTwilio(token, "https://mycompany.com/myapp.php?foo=1&bar=2&Body=It's%20amazing", params);
    expect(verifyTwilio(token, `${url}&Body=It%27s+amazing`, params, legacy)).toBe(true);
    expect(twilioUrlCandidates('https://a.example/x')).toEqual(['https://a.example/x', 'https://a.example:443/x']);
  });

  it('does not let a padded query smuggle an unsigned parameter through the legacy form', () => {
    // node:querystring's default 1,000-key cap would drop `evil=1` and normalize back to the signed URL.
    expect(verifyTwilio(token, `${url}${'&'.repeat(1000)}&evil=1`, params, signature)).toBe(false);
  });

  it('rejects a wrong token, changed params, and missing, empty or odd-length headers', () => {
    expect(verifyTwilio('54321', url, params, signature)).toBe(false);
    expect(verifyTwilio('', url, params, signTwilio('', url, params))).toBe(false);
    expect(verifyTwilio(token, url, { ...params, Digits: '1235' }, signature)).toBe(false);
    expect(verifyTwilio(token, url, { ...params, Extra: 'x' }, signature)).toBe(false);
    expect(verifyTwilio(token, url, params, flip(signature))).toBe(false);
    for (const h of [undefined, null, '', [], 'WRONG_SIGNATURE', `${signature}=`, signature.slice(1)]) {
      expect(verifyTwilio(token, url, params, h)).toBe(false);
    }
    expect(verifyTwilio(token, url, params, [signature])).toBe(true);
    expect(verifyTwilio(token, url, params, [signature, 'other'])).toBe(false);
    expect(verifyTwilio(token, 'not a url', params, signature)).toBe(false);
  });
});

describe('Meta X-Hub-Signature-256 (WhatsApp, Messenger, Instagram)', () => {
  // Vector: contracts/whatsapp/NOTES.md, "A4. Payload signature X-Hub-Signature-256" (WhatsApp-Nodejs-SDK test).
  const secret = 'TEST_APP_SECRET';
  const header = 'sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221';

  it('matches the NOTES vector, over string or bytes', () => {
    expect(signMeta(secret, 'test')).toBe(header);
    expect(verifyMeta(secret, 'test', header)).toBe(true);
    expect(verifyMeta(secret, new TextEncoder().encode('test'), header)).toBe(true);
  });

  it('covers the raw bytes: re-serialized JSON or escaped unicode does not verify', () => {
    const raw = '{"object":"page","entry":[{"messaging":[{"message":{"text":"caf\\u00e9"}}]}]}';
    const signed = signMeta(secret, raw);
    expect(verifyMeta(secret, raw, signed)).toBe(true);
    expect(verifyMeta(secret, JSON.stringify(JSON.parse(raw)), signed)).toBe(false);
  });

  it('rejects a changed body, wrong secret, bare hex, sha1 prefix, missing or empty header', () => {
    expect(verifyMeta(secret, 'tesu', header)).toBe(false);
    expect(verifyMeta('TEST_APP_SECRET2', 'test', header)).toBe(false);
    expect(verifyMeta('', 'test', signMeta('', 'test'))).toBe(false);
    expect(verifyMeta(secret, 'test', flip(header))).toBe(false);
    for (const h of [
      undefined,
      null,
      '',
      header.slice('sha256='.length),
      header.replace('sha256', 'sha1'),
      `${header}0`,
      header.slice(0, -1),
    ]) {
      expect(verifyMeta(secret, 'test', h)).toBe(false);
    }
  });

  describe('metaHandshake', () => {
    // Example: contracts/whatsapp/NOTES.md, "A3. Verification handshake (hub.challenge)".
    const query = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'meatyhamhock' };

    it('echoes the challenge when the verify token matches', () => {
      expect(metaHandshake(query, 'meatyhamhock')).toEqual({ ok: true, challenge: '1158201444' });
      const search = new URLSearchParams('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock');
      expect(metaHandshake(search, 'meatyhamhock')).toEqual({ ok: true, challenge: '1158201444' });
    });

    it('says why it refuses', () => {
      expect(metaHandshake(query, 'meatyhamhocks')).toEqual({ ok: false, reason: 'bad_token' });
      expect(metaHandshake(query, '')).toEqual({ ok: false, reason: 'bad_token' });
      expect(metaHandshake({ ...query, 'hub.mode': 'unsubscribe' }, 'meatyhamhock')).toEqual({
        ok: false,
        reason: 'bad_mode',
      });
      expect(metaHandshake({ ...query, 'hub.challenge': '<script>' }, 'meatyhamhock')).toEqual({
        ok: false,
        reason: 'bad_challenge',
      });
      for (const key of Object.keys(query)) {
        expect(metaHandshake({ ...query, [key]: undefined }, 'meatyhamhock')).toEqual({ ok: false, reason: 'missing' });
        expect(metaHandshake({ ...query, [key]: '' }, 'meatyhamhock')).toEqual({ ok: false, reason: 'missing' });
      }
      expect(metaHandshake({ ...query, 'hub.verify_token': ['meatyhamhock', 'x'] }, 'meatyhamhock')).toEqual({
        ok: false,
        reason: 'missing',
      });
      const twice = new URLSearchParams(
        'hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhock&hub.verify_token=x',
      );
      expect(metaHandshake(twice, 'meatyhamhock')).toEqual({ ok: false, reason: 'missing' });
    });
  });
});

describe('Slack X-Slack-Signature', () => {
  // Vector: contracts/slack/NOTES.md, "3. Request signing v0" (Slack docs example, used in slack_sdk's tests).
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const ts = '1531420618';
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const signature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
  const now = 1531420618 + 10;

  it('matches the NOTES vector, over string or bytes', () => {
    expect(signSlack(secret, body, ts)).toBe(signature);
    expect(signSlack(secret, body, 1531420618)).toBe(signature);
    expect(verifySlack(secret, body, ts, signature, now)).toEqual({ ok: true });
    expect(verifySlack(secret, Buffer.from(body), ts, signature, now)).toEqual({ ok: true });
  });

  it('rejects one changed byte, a wrong secret, a changed timestamp and odd headers as bad_signature', () => {
    const bad = { ok: false, reason: 'bad_signature' };
    expect(verifySlack(secret, body.replace('text=&', 'text=x&'), ts, signature, now)).toEqual(bad);
    expect(verifySlack(secret, `${body} `, ts, signature, now)).toEqual(bad);
    expect(verifySlack(`${secret}x`, body, ts, signature, now)).toEqual(bad);
    expect(verifySlack('', body, ts, signSlack('', body, ts), now)).toEqual(bad);
    expect(verifySlack(secret, body, '1531420619', signature, now)).toEqual(bad);
    expect(verifySlack(secret, body, ts, flip(signature), now)).toEqual(bad);
    for (const h of [signature.slice(3), signature.replace('v0=', 'v1='), signature.toUpperCase(), `${signature}0`]) {
      expect(verifySlack(secret, body, ts, h, now)).toEqual(bad);
    }
  });

  it('enforces the 5-minute window both ways, against the injected clock', () => {
    const stale = { ok: false, reason: 'stale' };
    expect(verifySlack(secret, body, ts, signature, 1531420618 + 300)).toEqual({ ok: true });
    expect(verifySlack(secret, body, ts, signature, 1531420618 - 300)).toEqual({ ok: true });
    expect(verifySlack(secret, body, ts, signature, 1531420618 + 301)).toEqual(stale);
    expect(verifySlack(secret, body, ts, signature, 1531420618 - 301)).toEqual(stale); // from the future
    expect(verifySlack(secret, body, ts, signature)).toEqual(stale); // the real clock, years later
    for (const t of ['abc', '1531420618.5', '-1531420618', ' 1531420618', '1e9'])
      expect(verifySlack(secret, body, t, signature, now)).toEqual(stale);
    // A replay re-signed with a fresh timestamp needs the secret, so it is a bad signature rather than stale.
    expect(verifySlack(secret, body, String(now), signature, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('reports missing headers', () => {
    const missing = { ok: false, reason: 'missing' };
    for (const [t, s] of [
      [undefined, signature],
      [ts, undefined],
      ['', signature],
      [ts, ''],
      [null, null],
      [[], signature],
    ] as const) {
      expect(verifySlack(secret, body, t, s, now)).toEqual(missing);
    }
  });
});

describe('HubSpot X-HubSpot-Signature-v3', () => {
  // HubSpot publishes no v3 vector. Inputs: the example values of HubSpot's "Validating requests" page (client secret
  // yyyyyyyy-…, POST https://www.example.com/webhook_uri, body {"example_field":"example_value"}); the signature was
  // computed independently with `printf '%s' 'POSThttps://www.example.com/webhook_uri{"example_field":"example_value"}1700000000000'
  // | openssl dgst -sha256 -hmac 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy' -binary | base64`.
  const secret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
  const uri = 'https://www.example.com/webhook_uri';
  const body = '{"example_field":"example_value"}';
  const ts = '1700000000000';
  const signature = 'rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=';
  const req = { method: 'POST', uri, rawBody: body };
  const now = 1700000000000 + 1000;

  it('matches the computed vector, over string or bytes', () => {
    expect(signHubSpotV3(secret, 'POST', uri, body, ts)).toBe(signature);
    expect(signHubSpotV3(secret, 'POST', uri, Buffer.from(body), 1700000000000)).toBe(signature);
    expect(verifyHubSpotV3(secret, req, ts, signature, now)).toEqual({ ok: true });
    expect(verifyHubSpotV3(secret, { ...req, rawBody: Buffer.from(body) }, ts, signature, now)).toEqual({ ok: true });
  });

  it("decodes exactly the escapes of the page's table in the URI, and nothing else", () => {
    // The table: %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B; "%20" and "%26" are not in it.
    expect(hubspotSignedUri('https://h.example/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm')).toBe(
      "https://h.example/a:b/c?d@e!f$g'h(i)j*k,l;m",
    );
    expect(hubspotSignedUri('https://h.example/x?q=a%20b%26c%3db%3a')).toBe('https://h.example/x?q=a%20b%26c%3db:');
    // Computed independently: printf '%s' 'POSThttps://confluo.example/hooks/crm/acc_1?a=b:c/d@e{"x":1}1700000000000'
    // | openssl dgst -sha256 -hmac secret -binary | base64
    const encoded = 'https://confluo.example/hooks/crm/acc_1?a=b%3Ac%2fd%40e';
    const v = '5Eep5wRtvmbkc7JlTv4BEeNuePFD2ItvzkhSW7cVWBs=';
    expect(signHubSpotV3('secret', 'POST', encoded, '{"x":1}', ts)).toBe(v);
    expect(verifyHubSpotV3('secret', { method: 'POST', uri: encoded, rawBody: '{"x":1}' }, ts, v, now)).toEqual({
      ok: true,
    });
  });

  it('rejects a changed body, URI, method, secret or timestamp as bad_signature', () => {
    const bad = { ok: false, reason: 'bad_signature' };
    expect(verifyHubSpotV3(secret, { ...req, rawBody: `${body} ` }, ts, signature, now)).toEqual(bad);
    expect(verifyHubSpotV3(secret, { ...req, uri: `${uri}?x=1` }, ts, signature, now)).toEqual(bad);
    expect(verifyHubSpotV3(secret, { ...req, uri: uri.replace('https', 'http') }, ts, signature, now)).toEqual(bad);
    expect(verifyHubSpotV3(secret, { ...req, method: 'PUT' }, ts, signature, now)).toEqual(bad);
    expect(verifyHubSpotV3(`${secret}x`, req, ts, signature, now)).toEqual(bad);
    expect(verifyHubSpotV3('', req, ts, signHubSpotV3('', 'POST', uri, body, ts), now)).toEqual(bad);
    expect(verifyHubSpotV3(secret, req, '1700000000001', signature, now)).toEqual(bad);
    expect(verifyHubSpotV3(secret, req, ts, flip(signature, 5), now)).toEqual(bad);
    for (const h of [`sha256=${signature}`, signature.slice(0, -1), `${signature} `])
      expect(verifyHubSpotV3(secret, req, ts, h, now)).toEqual(bad);
  });

  it('refuses timestamps older than 5 minutes (or as far ahead), against the injected clock', () => {
    const stale = { ok: false, reason: 'stale' };
    expect(verifyHubSpotV3(secret, req, ts, signature, 1700000000000 + 300_000)).toEqual({ ok: true });
    expect(verifyHubSpotV3(secret, req, ts, signature, 1700000000000 + 300_001)).toEqual(stale);
    expect(verifyHubSpotV3(secret, req, ts, signature, 1700000000000 - 300_001)).toEqual(stale);
    expect(verifyHubSpotV3(secret, req, ts, signature)).toEqual(stale); // the real clock, years later
    // Seconds instead of milliseconds are decades old.
    expect(verifyHubSpotV3(secret, req, '1700000000', signature, now)).toEqual(stale);
    for (const t of ['abc', '1700000000000.0', '-1700000000000', ' 1700000000000'])
      expect(verifyHubSpotV3(secret, req, t, signature, now)).toEqual(stale);
  });

  it('reports missing headers', () => {
    const missing = { ok: false, reason: 'missing' };
    for (const [t, s] of [
      [undefined, signature],
      [ts, undefined],
      ['', signature],
      [ts, ''],
      [[ts, '1'], signature],
    ] as const)
      expect(verifyHubSpotV3(secret, req, t, s, now)).toEqual(missing);
  });
});

describe('Telegram X-Telegram-Bot-Api-Secret-Token', () => {
  // Rule: contracts/telegram/NOTES.md, "Webhooks: setWebhook and the secret token" (1-256 chars of A-Z a-z 0-9 _ -).
  it('validates the setWebhook secret_token charset and length', () => {
    for (const ok of ['a', 'A-z_09', 'x'.repeat(256)]) expect(isValidTelegramSecret(ok)).toBe(true);
    for (const bad of [
      '',
      'x'.repeat(257),
      'has space',
      'dot.',
      'plus+',
      'slash/',
      'eq=',
      'é',
      'new\nline',
      42,
      undefined,
    ]) {
      expect(isValidTelegramSecret(bad)).toBe(false);
    }
  });

  it('generates valid, distinct secrets of the requested length', () => {
    const a = newTelegramSecret();
    expect(a).toHaveLength(64);
    expect(isValidTelegramSecret(a)).toBe(true);
    expect(newTelegramSecret()).not.toBe(a);
    for (const n of [1, 7, 255, 256]) {
      const s = newTelegramSecret(n);
      expect(s).toHaveLength(n);
      expect(isValidTelegramSecret(s)).toBe(true);
    }
    for (const n of [0, 257, 1.5]) expect(() => newTelegramSecret(n)).toThrow(RangeError);
  });

  it('accepts only the exact secret', () => {
    const secret = 'my_Secret-token-123';
    expect(verifyTelegram(secret, secret)).toBe(true);
    expect(verifyTelegram(secret, [secret])).toBe(true);
    for (const h of [
      undefined,
      null,
      '',
      'my_Secret-token-124',
      'my_secret-token-123',
      `${secret}x`,
      secret.slice(1),
      [secret, 'x'],
    ]) {
      expect(verifyTelegram(secret, h)).toBe(false);
    }
    expect(verifyTelegram('', '')).toBe(false);
    expect(verifyTelegram('bad secret', 'bad secret')).toBe(false); // not a secret Telegram would accept
  });
});
