// The connector's manifest and how it reads an account's settings and credentials.
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../flow/types.js';
import { createAjv } from '../sdk/index.js';
import { testAccount } from '../testkit/channel.js';
import { readEmailAuth } from './auth.js';
import { parseCursor } from './imap.js';
import { emailConnector } from './index.js';
import { readEmailSettings } from './settings.js';

describe('email connector', () => {
  it('is a polling channel addressed by email', () => {
    expect(emailConnector.manifest).toMatchObject({
      id: 'email',
      channel: { name: 'email', addressKinds: ['email'], inbound: 'poll', handshake: false },
      triggers: [{ id: 'email.message' }],
    });
    expect(emailConnector.channel?.pollInterval).toBe('PT1M');
  });

  it('accepts SMTP-only and SMTP+IMAP credentials, and names what is wrong otherwise', () => {
    const validate = createAjv().compile(emailConnector.manifest.auth!);
    const smtp = { host: 'smtp.example.com', port: 587, user: 'u', pass: 'p' };
    expect(validate({ smtp })).toBe(true);
    expect(validate({ smtp, imap: { host: 'imap.example.com', port: 993, user: 'u', pass: 'p' } })).toBe(true);
    expect(validate({ smtp: { host: 'smtp.example.com', port: 25 } })).toBe(true);
    expect(validate({ smtp: { host: 'smtp.example.com', port: 25, user: 'u' } })).toBe(false);
    expect(validate({ smtp, imap: { host: 'imap.example.com', port: 993 } })).toBe(false);
    expect(validate({ imap: { host: 'imap.example.com', port: 993, user: 'u', pass: 'p' } })).toBe(false);

    const creds = readEmailAuth(
      testAccount({
        credentials: { smtp: { host: 'h', port: 465 }, imap: { host: 'i', port: 993, user: 'u', pass: 'p' } },
      }),
    );
    expect(creds).toEqual({
      smtp: { host: 'h', port: 465, secure: true },
      imap: { host: 'i', port: 993, user: 'u', pass: 'p', secure: true },
    });
    expect(readEmailAuth(testAccount({ credentials: { smtp: { host: 'h', port: 587 } } })).smtp.secure).toBe(false);
    expect(() =>
      readEmailAuth(testAccount({ credentials: { smtp: { host: 'h', port: 587, pass: 'hunter2' }, extra: 1 } })),
    ).toThrow(
      expect.objectContaining({
        kind: 'config',
        code: 'CREDENTIALS_INVALID',
        message: expect.not.stringContaining('hunter2'),
      }),
    );
  });

  it('reads settings with defaults and splits the From address', () => {
    const s = readEmailSettings(
      testAccount({ credentials: {}, settings: { from: '"Acme, Support" <Help@Acme.Example>' } }),
    );
    expect(s).toEqual({
      from: '"Acme, Support" <Help@Acme.Example>',
      fromAddress: 'help@acme.example',
      fromDomain: 'acme.example',
      mailbox: 'INBOX',
      pollInterval: 'PT1M',
      initialSync: 'new',
      tls: { rejectUnauthorized: true },
    });
    const bad: JsonObject[] = [
      {},
      { from: 'nobody' },
      { from: 'a@x.test, b@x.test' },
      { from: 'a@x.test', pollInterval: '1 minute' },
      { from: 'a@x.test', initialSync: 'some' },
    ];
    for (const settings of bad) {
      expect(() => readEmailSettings(testAccount({ credentials: {}, settings }))).toThrow(
        expect.objectContaining({ kind: 'config', code: 'SETTINGS_INVALID' }),
      );
    }
  });

  it('reads only well-formed cursors', () => {
    expect(parseCursor({ uidValidity: 7, uid: 3 })).toEqual({ uidValidity: 7, uid: 3 });
    const bad: JsonValue[] = [null, 'x', [], { uid: 3 }, { uidValidity: 7, uid: -1 }, { uidValidity: '7', uid: 3 }];
    for (const c of bad) expect(parseCursor(c)).toBeUndefined();
  });
});
