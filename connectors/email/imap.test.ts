// Polling against a real Dovecot (started by test/mail-servers.ts): exact events, cursors, batching, UIDVALIDITY
// resets and error mapping.
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotHandle } from '../../test/mail-servers.js';
import type { JsonObject, JsonValue } from '../flow/types.js';
import { ConnectorError, type ChannelAccount, type ChannelEvent, type Connector } from '../sdk/index.js';
import { memoryLogger, testAccount } from '../testkit/channel.js';
import { createEmailConnector, emailConnector } from './index.js';

let dovecot: DovecotHandle;
beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(() => dovecot?.stop());

const account = (settings: JsonObject = {}, imap: JsonObject = {}): ChannelAccount =>
  testAccount({
    id: 'cha_mail',
    credentials: {
      smtp: { host: '127.0.0.1', port: 25 },
      imap: { host: dovecot.host, port: dovecot.port, user: dovecot.user, pass: dovecot.pass, ...imap },
    },
    settings: { from: 'Acme Support <Support@Acme.test>', ...settings },
  });

const poll = async (
  acc: ChannelAccount,
  cursor: JsonValue | null,
  connector: Connector = emailConnector,
  logger = memoryLogger(),
) =>
  connector.channel!.poll!({ account: acc, signal: AbortSignal.timeout(20_000), logger }, cursor) as Promise<{
    events: ChannelEvent[];
    cursor: { uidValidity: number; uid: number };
  }>;

const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};

/** A plain RFC 5322 message; headers given as undefined are left out. */
function mail(h: Record<string, string | undefined>, body = 'Hello there.\r\n'): string {
  const headers = Object.entries({
    To: 'support@acme.test',
    Date: 'Tue, 02 Jan 2024 10:00:00 +0000',
    'Content-Type': 'text/plain; charset=utf-8',
    ...h,
  })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

async function mailbox(name: string): Promise<void> {
  await dovecot.imap((c) => c.mailboxCreate(name));
}

describe('email poll (Dovecot)', () => {
  it('takes a baseline on the first poll, then delivers exactly the new mail, once', async () => {
    await mailbox('Baseline');
    const acc = account({ mailbox: 'Baseline' });
    const old = await dovecot.append(
      mail({ From: 'old@example.com', Subject: 'old news', 'Message-ID': '<old-1@example.com>' }),
      { mailbox: 'Baseline' },
    );

    const first = await poll(acc, null);
    expect(first).toEqual({ events: [], cursor: { uidValidity: old.uidValidity, uid: old.uid } });

    const a = await dovecot.append(
      mail(
        {
          From: '"Ada Lovelace" <Ada@Example.COM>',
          'Reply-To': 'ada.replies@example.com',
          Subject: 'Re: Order 42',
          'Message-ID': '<reply-2@example.com>',
          'In-Reply-To': '<sent-1@acme.test>',
          References: '<root-0@example.com>\r\n <sent-1@acme.test>',
          'Auto-Submitted': undefined,
        },
        'Where is my order?\r\n\r\n',
      ),
      { mailbox: 'Baseline' },
    );
    const b = await dovecot.append(
      await new MailComposer({
        from: 'Grace <grace@example.org>',
        to: 'support@acme.test',
        cc: 'boss@example.org',
        subject: 'Invoice',
        messageId: '<invoice-3@example.org>',
        date: new Date('2024-01-03T08:30:00Z'),
        html: '<p>Please find the <b>invoice</b> attached.</p><img src="cid:logo@x">',
        attachments: [
          { filename: 'logo.png', content: Buffer.from('png-bytes'), contentType: 'image/png', cid: 'logo@x' },
          { filename: 'invoice.pdf', content: Buffer.from('%PDF-1.4 fake'), contentType: 'application/pdf' },
        ],
      })
        .compile()
        .build(),
      { mailbox: 'Baseline' },
    );

    const second = await poll(acc, first.cursor);
    expect(second.cursor).toEqual({ uidValidity: old.uidValidity, uid: b.uid });
    expect(second.events).toEqual([
      {
        type: 'message.received',
        dedupeKey: '<reply-2@example.com>',
        providerMessageId: '<reply-2@example.com>',
        timestamp: '2024-01-02T10:00:00.000Z',
        sender: { identity: { kind: 'email', value: 'ada@example.com' }, name: 'Ada Lovelace' },
        replyTo: { kind: 'email', value: 'ada.replies@example.com' },
        text: 'Where is my order?',
        thread: {
          id: '<root-0@example.com>',
          inReplyTo: '<sent-1@acme.test>',
          extra: { references: ['<root-0@example.com>', '<sent-1@acme.test>'], subject: 'Re: Order 42' },
        },
        raw: {
          mailbox: 'Baseline',
          uidValidity: old.uidValidity,
          uid: a.uid,
          subject: 'Re: Order 42',
          to: ['support@acme.test'],
          cc: [],
        },
      },
      {
        type: 'message.received',
        dedupeKey: '<invoice-3@example.org>',
        providerMessageId: '<invoice-3@example.org>',
        timestamp: '2024-01-03T08:30:00.000Z',
        sender: { identity: { kind: 'email', value: 'grace@example.org' }, name: 'Grace' },
        // HTML-only mail: mailparser's text rendering of the HTML part.
        text: 'Please find the invoice attached.',
        attachments: [
          { type: 'file', ref: `imap:Baseline:${b.uid}:2`, mimeType: 'application/pdf', name: 'invoice.pdf' },
        ],
        thread: { id: '<invoice-3@example.org>', extra: { references: [], subject: 'Invoice' } },
        raw: {
          mailbox: 'Baseline',
          uidValidity: old.uidValidity,
          uid: b.uid,
          subject: 'Invoice',
          to: ['support@acme.test'],
          cc: ['boss@example.org'],
        },
      },
    ]);

    expect(await poll(acc, second.cursor)).toEqual({ events: [], cursor: second.cursor });
  });

  it('with initialSync "all" catches up on a backlog in batches, oldest first', async () => {
    await mailbox('Backlog');
    const uids: number[] = [];
    for (let i = 1; i <= 5; i++)
      uids.push(
        (
          await dovecot.append(
            mail({ From: `c${i}@example.com`, Subject: `n${i}`, 'Message-ID': `<backlog-${i}@example.com>` }),
            { mailbox: 'Backlog' },
          )
        ).uid,
      );
    const acc = account({ mailbox: 'Backlog', initialSync: 'all' });
    const small = createEmailConnector({ batchSize: 2 });

    const seen: string[][] = [];
    let cursor: JsonValue | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await poll(acc, cursor, small);
      seen.push(r.events.map((e) => e.dedupeKey));
      cursor = r.cursor;
    }
    expect(seen).toEqual([
      ['<backlog-1@example.com>', '<backlog-2@example.com>'],
      ['<backlog-3@example.com>', '<backlog-4@example.com>'],
      ['<backlog-5@example.com>'],
      [],
    ]);
    expect((cursor as { uid: number }).uid).toBe(uids[4]);
  });

  it('keys mail by Message-ID (the same id twice is the same key), else by UIDVALIDITY and UID; skips own and sender-less mail', async () => {
    await mailbox('Keys');
    const acc = account({ mailbox: 'Keys' });
    const { cursor } = await poll(acc, null);
    const dup1 = await dovecot.append(
      mail({ From: 'x@example.com', Subject: 'twice', 'Message-ID': '<same@example.com>' }),
      { mailbox: 'Keys' },
    );
    await dovecot.append(mail({ From: 'x@example.com', Subject: 'twice', 'Message-ID': '<same@example.com>' }), {
      mailbox: 'Keys',
    });
    const noId = await dovecot.append(
      mail({ From: 'y@example.com', Subject: 'no id', 'Message-ID': undefined, Date: 'not a date' }),
      { mailbox: 'Keys' },
    );
    await dovecot.append(
      mail({ From: 'support@acme.test', Subject: 'our own copy', 'Message-ID': '<own@acme.test>' }),
      { mailbox: 'Keys' },
    );
    const last = await dovecot.append(
      mail({ From: undefined, Subject: 'anonymous', 'Message-ID': '<anon@example.com>' }),
      { mailbox: 'Keys' },
    );

    const r = await poll(acc, cursor);
    expect(r.events.map((e) => [e.dedupeKey, e.type === 'message.received' && e.providerMessageId])).toEqual([
      ['<same@example.com>', '<same@example.com>'],
      ['<same@example.com>', '<same@example.com>'],
      [`uid:${dup1.uidValidity}:${noId.uid}`, `uid:${dup1.uidValidity}:${noId.uid}`],
    ]);
    const keyless = r.events[2]!;
    // No usable Date header: the server's internal date (the APPEND time) stands in.
    expect(Math.abs(Date.parse(keyless.timestamp) - Date.now())).toBeLessThan(60_000);
    expect(keyless.type === 'message.received' && keyless.thread).toEqual({
      id: `uid:${dup1.uidValidity}:${noId.uid}`,
      extra: { references: [], subject: 'no id' },
    });
    expect(r.cursor).toEqual({ uidValidity: dup1.uidValidity, uid: last.uid });
  });

  it('after a UIDVALIDITY change re-reads the last day of mail and moves to the new UIDVALIDITY', async () => {
    await mailbox('Renumbered');
    const acc = account({ mailbox: 'Renumbered' });
    const base = await poll(acc, null);
    await dovecot.append(mail({ From: 'a@example.com', Subject: 'A', 'Message-ID': '<a@example.com>' }), {
      mailbox: 'Renumbered',
    });
    const before = await poll(acc, base.cursor);
    expect(before.events.map((e) => e.dedupeKey)).toEqual(['<a@example.com>']);

    // Recreating the mailbox gives it a new UIDVALIDITY, as a server migration or restore would.
    await dovecot.imap(async (c) => {
      await c.mailboxDelete('Renumbered');
      await c.mailboxCreate('Renumbered');
    });
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
    await dovecot.append(mail({ From: 'c@example.com', Subject: 'C', 'Message-ID': '<c-old@example.com>' }), {
      mailbox: 'Renumbered',
      date: threeDaysAgo,
    });
    await dovecot.append(mail({ From: 'a@example.com', Subject: 'A', 'Message-ID': '<a@example.com>' }), {
      mailbox: 'Renumbered',
    });
    const b = await dovecot.append(mail({ From: 'b@example.com', Subject: 'B', 'Message-ID': '<b@example.com>' }), {
      mailbox: 'Renumbered',
    });
    expect(b.uidValidity).not.toBe(before.cursor.uidValidity);

    const logger = memoryLogger();
    const after = await poll(acc, before.cursor, emailConnector, logger);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        obj: {
          accountId: 'cha_mail',
          mailbox: 'Renumbered',
          was: before.cursor.uidValidity,
          now: b.uidValidity,
          resumeAfterUid: b.uid - 2,
        },
        msg: 'UIDVALIDITY changed: the mailbox was renumbered; re-reading recent mail',
      },
    ]);
    // A again (same key: the platform's dedupe drops it), B new; C is older than the re-read window.
    expect(after.events.map((e) => e.dedupeKey)).toEqual(['<a@example.com>', '<b@example.com>']);
    expect(after.cursor).toEqual({ uidValidity: b.uidValidity, uid: b.uid });
  });

  it('does nothing for a send-only account', async () => {
    const acc = testAccount({
      credentials: { smtp: { host: '127.0.0.1', port: 25 } },
      settings: { from: 'a@acme.test' },
    });
    expect(await poll(acc, { uidValidity: 1, uid: 7 })).toEqual({ events: [], cursor: { uidValidity: 1, uid: 7 } });
  });

  it('maps failures: bad password (auth), missing mailbox (config), server down (retryable upstream)', async () => {
    expect(await failure(poll(account({}, { pass: 'wrong-password' }), null))).toMatchObject({
      kind: 'auth',
      retryable: false,
      code: 'IMAP_AUTH_FAILED',
    });
    expect(await failure(poll(account({ mailbox: 'NoSuchBox' }), null))).toMatchObject({
      kind: 'config',
      retryable: false,
      code: 'MAILBOX_NOT_FOUND',
    });
    expect(await failure(poll(account({}, { port: 1 }), null))).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'ECONNREFUSED',
    });
    const err = await failure(poll(account({}, { pass: 'wrong-password' }), null));
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('wrong-password');
  });

  it('rejects invalid settings and credentials as config errors naming the problem', async () => {
    expect(await failure(poll(account({ from: 'not an address' }), null))).toMatchObject({
      kind: 'config',
      code: 'SETTINGS_INVALID',
    });
    expect(await failure(poll(account({}, { port: 'x' }), null))).toMatchObject({
      kind: 'config',
      code: 'CREDENTIALS_INVALID',
      message: expect.stringContaining('imap/port'),
    });
  });
});
