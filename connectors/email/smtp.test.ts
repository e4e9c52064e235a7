// Sending against a real SMTP server (smtp-server on 127.0.0.1, from test/mail-servers.ts): the exact message on the
// wire, threading headers, the deterministic Message-ID, and how SMTP refusals map to ConnectorErrors.
import net, { type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSmtpServer, type SmtpServerHandle } from '../../test/mail-servers.js';
import type { JsonObject } from '../flow/types.js';
import {
  ConnectorError,
  type ChannelAccount,
  type OutboundMessage,
  type SendResult,
  type Connector,
} from '../sdk/index.js';
import { memoryLogger, testAccount } from '../testkit/channel.js';
import { messageIdFor } from './headers.js';
import { createEmailConnector, emailConnector } from './index.js';

const PASS = 'smtp-secret-pw';
let smtp: SmtpServerHandle;
beforeAll(async () => {
  smtp = await startSmtpServer({ user: 'mailer', pass: PASS });
});
afterAll(() => smtp?.stop());
beforeEach(() => {
  smtp.received.length = 0;
  smtp.refuse = {};
});

const account = (over: { smtp?: JsonObject; settings?: JsonObject } = {}): ChannelAccount =>
  testAccount({
    id: 'cha_mail',
    credentials: { smtp: { host: smtp.host, port: smtp.port, user: 'mailer', pass: PASS, ...over.smtp } },
    settings: { from: 'Acme Support <Support@Acme.test>', ...over.settings },
  });

const send = (
  message: Partial<OutboundMessage>,
  opts: { account?: ChannelAccount; key?: string; connector?: Connector; signal?: AbortSignal } = {},
) =>
  (opts.connector ?? emailConnector).channel!.send(
    {
      account: opts.account ?? account(),
      idempotencyKey: opts.key ?? 'run_1:reply',
      signal: opts.signal ?? AbortSignal.timeout(10_000),
      logger: memoryLogger(),
    },
    { to: { kind: 'email', value: 'customer@example.com' }, ...message },
  );

const failure = async (p: Promise<unknown>): Promise<ConnectorError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
};

const lastParsed = async (): Promise<ParsedMail> => simpleParser(smtp.received.at(-1)!.raw);

describe('email send (SMTP)', () => {
  it('sends text and HTML with From, To, Subject and a Message-ID derived from the idempotency key', async () => {
    const result: SendResult = await send({
      subject: 'Your order',
      text: 'It shipped.\n',
      html: '<p>It <b>shipped</b>.</p>',
    });
    const expectedId = messageIdFor('run_1:reply', 'acme.test');
    expect(expectedId).toMatch(/^<[0-9a-f]{32}@acme\.test>$/);
    expect(result).toEqual({
      providerMessageId: expectedId,
      status: 'sent',
      provider: {
        messageId: expectedId,
        response: expect.stringMatching(/^250 /),
        accepted: ['customer@example.com'],
        rejected: [],
      },
    });

    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]).toMatchObject({
      envelope: { mailFrom: 'support@acme.test', rcptTo: ['customer@example.com'] },
      user: 'mailer',
    });
    const mail = await lastParsed();
    // nodemailer lower-cases the domain; the local part is the server's business.
    expect(mail.from?.value).toEqual([{ address: 'Support@acme.test', name: 'Acme Support' }]);
    expect(mail.to).toMatchObject({ value: [{ address: 'customer@example.com', name: '' }] });
    expect(mail.subject).toBe('Your order');
    expect(mail.messageId).toBe(expectedId);
    expect(mail.text).toBe('It shipped.\n');
    expect(mail.html).toBe('<p>It <b>shipped</b>.</p>');
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.references).toBeUndefined();
  });

  it('keeps the Message-ID across retries of one step, and changes it for another step', async () => {
    const a = await send({ subject: 's', text: 't' }, { key: 'run_9:notify' });
    const again = await send({ subject: 's', text: 't' }, { key: 'run_9:notify' });
    const other = await send({ subject: 's', text: 't' }, { key: 'run_9:other' });
    expect(again.providerMessageId).toBe(a.providerMessageId);
    expect(other.providerMessageId).not.toBe(a.providerMessageId);
    const ids = await Promise.all(smtp.received.map(async (r) => (await simpleParser(r.raw)).messageId));
    expect(ids).toEqual([a.providerMessageId, a.providerMessageId, other.providerMessageId]);
  });

  it('replies in the thread: In-Reply-To, References = earlier references + it, subject "Re: " + the thread\'s', async () => {
    await send({
      text: 'Thanks!',
      thread: {
        id: '<root@example.com>',
        inReplyTo: 'reply-2@example.com',
        extra: { references: ['<root@example.com>', '<mid@example.com>'], subject: 'Order 42' },
      },
    });
    let mail = await lastParsed();
    expect(mail.subject).toBe('Re: Order 42');
    expect(mail.inReplyTo).toBe('<reply-2@example.com>');
    expect(mail.references).toEqual(['<root@example.com>', '<mid@example.com>', '<reply-2@example.com>']);
    expect(mail.headers.get('references')).toBeDefined();

    // No stacked prefixes; a thread known only by its root still links to it; an explicit subject wins.
    await send({
      text: 'x',
      thread: { id: '<root@example.com>', inReplyTo: '<last@example.com>', extra: { subject: 'RE: Order 42' } },
    });
    mail = await lastParsed();
    expect(mail.subject).toBe('RE: Order 42');
    expect(mail.references).toEqual(['<root@example.com>', '<last@example.com>']);
    await send({
      subject: 'New subject',
      text: 'x',
      thread: { inReplyTo: '<last@example.com>', extra: { subject: 'Order 42' } },
    });
    mail = await lastParsed();
    expect(mail.subject).toBe('New subject');
    expect(mail.references).toBe('<last@example.com>');
  });

  it('sends without AUTH when the account has no SMTP user', async () => {
    const open = await startSmtpServer();
    try {
      await send(
        { subject: 'hi', text: 'x' },
        {
          account: testAccount({
            credentials: { smtp: { host: open.host, port: open.port } },
            settings: { from: 'a@acme.test' },
          }),
        },
      );
      expect(open.received).toHaveLength(1);
      expect(open.received[0]!.user).toBeUndefined();
    } finally {
      await open.stop();
    }
  });

  it('refuses what no retry can fix before connecting, as validation errors', async () => {
    const cases: Array<[Partial<OutboundMessage>, string]> = [
      [{ to: { kind: 'phone', value: '+14155550123' }, subject: 's', text: 't' }, 'to'],
      [{ to: { kind: 'email', value: 'not-an-address' }, subject: 's', text: 't' }, 'to'],
      [{ subject: 's', text: '  ' }, 'text'],
      [{ text: 't' }, 'subject'],
      [{ subject: 's', text: 't', attachments: [{ type: 'file', ref: 'https://x.test/a.pdf' }] }, 'attachments'],
      [{ subject: 's', text: 't', thread: { inReplyTo: 'no id here' } }, 'inReplyTo'],
      [{ subject: 's', text: 't', thread: { inReplyTo: '<a@b>', extra: { references: ['junk'] } } }, 'references'],
    ];
    for (const [message, field] of cases) {
      const err = await failure(send(message));
      expect(err, field).toMatchObject({
        kind: 'validation',
        retryable: false,
        code: 'INPUT_INVALID',
        details: { field },
      });
    }
    expect(smtp.received).toEqual([]);
  });

  it('maps SMTP refusals: 535 auth, 550 not_found, 4xx retryable upstream, other 5xx validation', async () => {
    const auth = await failure(
      send({ subject: 's', text: 't' }, { account: account({ smtp: { pass: 'wrong-pw-123' } }) }),
    );
    expect(auth).toMatchObject({ kind: 'auth', retryable: false, code: 'SMTP_535', details: { responseCode: 535 } });
    expect(JSON.stringify({ m: auth.message, d: auth.details })).not.toMatch(/wrong-pw-123|smtp-secret-pw/);

    smtp.refuse.rcptTo = { code: 550, message: '5.1.1 <customer@example.com>: mailbox unavailable' };
    expect(await failure(send({ subject: 's', text: 't' }))).toMatchObject({
      kind: 'not_found',
      retryable: false,
      code: 'SMTP_550',
      message: expect.stringContaining('mailbox unavailable'),
      details: { responseCode: 550, command: 'RCPT' },
    });
    smtp.refuse = { mailFrom: { code: 451, message: '4.7.1 Try again later' } };
    expect(await failure(send({ subject: 's', text: 't' }))).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'SMTP_451',
      details: { command: 'MAIL' },
    });
    smtp.refuse = { rcptTo: { code: 452, message: '4.5.3 Too many recipients' } };
    expect(await failure(send({ subject: 's', text: 't' }))).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'SMTP_452',
    });
    smtp.refuse = { data: { code: 554, message: '5.7.1 Message rejected as spam' } };
    expect(await failure(send({ subject: 's', text: 't' }))).toMatchObject({
      kind: 'validation',
      retryable: false,
      code: 'SMTP_554',
    });
    smtp.refuse = { auth: { code: 454, message: '4.7.0 Temporary authentication failure' } };
    expect(await failure(send({ subject: 's', text: 't' }))).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'SMTP_454',
    });
    expect(smtp.received).toEqual([]);
  });

  it('connects through the outbound guard: an internal SMTP host the operator did not allow is refused unsent', async () => {
    // The tests' CONFLUO_HTTP_ALLOWLIST names 127.0.0.1 and localhost only.
    for (const host of ['10.0.0.25', '169.254.169.254', '[::1]'])
      expect(
        await failure(send({ subject: 's', text: 't' }, { account: account({ smtp: { host } }) })),
        host,
      ).toMatchObject({ kind: 'config', retryable: false, code: 'ADDRESS_NOT_ALLOWED' });
    expect(smtp.received).toHaveLength(0);
  });

  it('treats a server that is down, silent or cancelled as a retryable upstream failure', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(
      await failure(send({ subject: 's', text: 't' }, { account: account({ smtp: { port: closedPort } }) })),
    ).toMatchObject({
      kind: 'upstream',
      retryable: true,
      details: { errorCode: expect.stringMatching(/ESOCKET|ECONNECTION/) },
    });

    const silent = net.createServer(() => undefined); // accepts, never greets
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const impatient = createEmailConnector({ timeouts: { connectMs: 2_000, greetingMs: 300, socketMs: 2_000 } });
      const port = (silent.address() as AddressInfo).port;
      expect(
        await failure(
          send({ subject: 's', text: 't' }, { account: account({ smtp: { port } }), connector: impatient }),
        ),
      ).toMatchObject({
        kind: 'upstream',
        retryable: true,
        code: 'ETIMEDOUT',
      });
    } finally {
      silent.close();
    }

    const aborted = AbortSignal.abort();
    expect(await failure(send({ subject: 's', text: 't' }, { signal: aborted }))).toMatchObject({
      kind: 'upstream',
      retryable: true,
      code: 'ABORTED',
    });
    expect(smtp.received).toEqual([]);
  });
});
