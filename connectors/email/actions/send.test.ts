// `email.send` end to end through the channel's send, against a real SMTP server.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type SmtpServerHandle } from '../../../test/mail-servers.js';
import { createAjv, type SentMessage } from '../../sdk/index.js';
import { actionContext, directChannels, testAccount } from '../../testkit/channel.js';
import { messageIdFor } from '../headers.js';
import { emailConnector } from '../index.js';
import type { EmailSendInput } from './send.js';

let smtp: SmtpServerHandle;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp?.stop());

describe('email.send', () => {
  it('has an input schema that needs account, to, subject and text or html', () => {
    expect(emailConnector.manifest.actions.map((a) => a.id)).toEqual(['email.send']);
    const validate = createAjv().compile(emailConnector.manifest.actions[0]!.input);
    const base = { account: 'cha_1', to: 'a@example.com', subject: 'Hi' };
    expect(validate({ ...base, text: 'x' })).toBe(true);
    expect(validate({ ...base, html: '<p>x</p>', inReplyTo: '<m@example.com>', references: ['<r@example.com>'] })).toBe(
      true,
    );
    expect(validate(base)).toBe(false);
    expect(validate({ ...base, to: 'not an email', text: 'x' })).toBe(false);
    expect(validate({ account: 'cha_1', to: 'a@example.com', text: 'x' })).toBe(false);
    expect(validate({ ...base, text: 'x', cc: 'b@example.com' })).toBe(false);
  });

  it('sends through the channel and returns the sent message, threaded when inReplyTo is given', async () => {
    const account = testAccount({
      id: 'cha_mail',
      credentials: { smtp: { host: smtp.host, port: smtp.port } },
      settings: { from: 'help@acme.test' },
    });
    const channels = directChannels(emailConnector, [account], { idempotencyKey: 'run_5:answer' });
    const input: EmailSendInput = {
      account: 'cha_mail',
      to: 'Customer@Example.com',
      subject: 'Re: Order 42',
      text: 'On its way.',
      inReplyTo: '<reply-2@example.com>',
      references: ['<root@example.com>'],
    };
    const out = (await emailConnector.actions[0]!.run(actionContext({ channels }), input)) as SentMessage;
    const id = messageIdFor('run_5:answer', 'acme.test');
    expect(out).toMatchObject({
      channel: 'email',
      accountId: 'cha_mail',
      providerMessageId: id,
      status: 'sent',
      to: { kind: 'email', value: 'Customer@Example.com' },
    });

    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.envelope).toEqual({ mailFrom: 'help@acme.test', rcptTo: ['customer@example.com'] });
    const mail = await simpleParser(smtp.received[0]!.raw);
    expect([mail.subject, mail.text?.trimEnd(), mail.inReplyTo, mail.references, mail.messageId]).toEqual([
      'Re: Order 42',
      'On its way.',
      '<reply-2@example.com>',
      ['<root@example.com>', '<reply-2@example.com>'],
      id,
    ]);
  });
});
