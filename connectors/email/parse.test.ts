// The message → event rules that need no server: attachment references from BODYSTRUCTURE, HTML-only text,
// truncated sources, group addresses.
import { describe, expect, it } from 'vitest';
import type { MessageStructureObject } from 'imapflow';
import { memoryLogger } from '../testkit/channel.js';
import { attachmentsOf, toEvent } from './parse.js';

describe('attachmentsOf', () => {
  it('lists files, media and forwarded mail by IMAP part id; skips body text and images embedded in the HTML', () => {
    const structure: MessageStructureObject = {
      type: 'multipart/mixed',
      childNodes: [
        {
          type: 'multipart/related',
          part: '1',
          childNodes: [
            {
              type: 'multipart/alternative',
              part: '1.1',
              childNodes: [
                { type: 'text/plain', part: '1.1.1' },
                { type: 'text/html', part: '1.1.2' },
              ],
            },
            {
              type: 'image/png',
              part: '1.2',
              id: '<logo@x>',
              disposition: 'inline',
              dispositionParameters: { filename: 'logo.png' },
            },
          ],
        },
        {
          type: 'application/pdf',
          part: '2',
          disposition: 'attachment',
          dispositionParameters: { filename: 'invoice.pdf' },
        },
        { type: 'text/plain', part: '3', disposition: 'attachment', dispositionParameters: { filename: 'notes.txt' } },
        { type: 'image/jpeg', part: '4', parameters: { name: 'photo.jpg' } },
        { type: 'audio/ogg', part: '5' },
        { type: 'message/rfc822', part: '6', childNodes: [{ type: 'text/plain', part: '6.1' }] },
      ],
    };
    expect(attachmentsOf(structure, 'imap:INBOX:9')).toEqual([
      { type: 'file', ref: 'imap:INBOX:9:2', mimeType: 'application/pdf', name: 'invoice.pdf' },
      { type: 'file', ref: 'imap:INBOX:9:3', mimeType: 'text/plain', name: 'notes.txt' },
      { type: 'image', ref: 'imap:INBOX:9:4', mimeType: 'image/jpeg', name: 'photo.jpg' },
      { type: 'audio', ref: 'imap:INBOX:9:5', mimeType: 'audio/ogg' },
      { type: 'file', ref: 'imap:INBOX:9:6', mimeType: 'message/rfc822' },
    ]);
  });

  it('calls a single-part non-text message part 1, and a plain text message attachment-free', () => {
    expect(attachmentsOf({ type: 'application/pdf' }, 'imap:INBOX:3')).toEqual([
      { type: 'file', ref: 'imap:INBOX:3:1', mimeType: 'application/pdf' },
    ]);
    expect(attachmentsOf({ type: 'text/plain' }, 'imap:INBOX:3')).toEqual([]);
  });
});

describe('toEvent', () => {
  const base = { mailbox: 'INBOX', uidValidity: 5, uid: 12, truncated: false };

  it('renders an HTML-only body inside multipart as text, and marks a truncated source', async () => {
    const raw = [
      'From: =?utf-8?Q?Zo=C3=AB?= <zoe@example.com>',
      'To: team: a@acme.test, b@acme.test;',
      'Subject: =?utf-8?Q?Caf=C3=A9?=',
      'Message-ID: <m1@example.com>',
      'Date: Wed, 03 Jan 2024 09:00:00 +0100',
      'Auto-Submitted: auto-replied',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<h1>Hello</h1><p>I am <i>out</i> of office.</p>',
      '--b--',
      '',
    ].join('\r\n');
    const event = await toEvent(
      { ...base, source: Buffer.from(raw), truncated: true },
      'support@acme.test',
      memoryLogger(),
    );
    expect(event).toEqual({
      type: 'message.received',
      dedupeKey: '<m1@example.com>',
      providerMessageId: '<m1@example.com>',
      timestamp: '2024-01-03T08:00:00.000Z',
      sender: { identity: { kind: 'email', value: 'zoe@example.com' }, name: 'Zoë' },
      text: 'HELLO\n\nI am out of office.',
      thread: { id: '<m1@example.com>', extra: { references: [], subject: 'Café' } },
      raw: {
        mailbox: 'INBOX',
        uidValidity: 5,
        uid: 12,
        subject: 'Café',
        to: ['a@acme.test', 'b@acme.test'],
        cc: [],
        autoSubmitted: 'auto-replied',
        truncated: true,
      },
    });
  });

  it('skips mail without a From address and mail from the account itself, logging why', async () => {
    const logger = memoryLogger();
    const noFrom = 'To: support@acme.test\r\nSubject: x\r\n\r\nbody\r\n';
    const own = 'From: Support <SUPPORT@acme.test>\r\nSubject: x\r\n\r\nbody\r\n';
    expect(await toEvent({ ...base, source: Buffer.from(noFrom) }, 'support@acme.test', logger)).toBeUndefined();
    expect(await toEvent({ ...base, source: Buffer.from(own) }, 'support@acme.test', logger)).toBeUndefined();
    expect(logger.lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'skipping a message without a From address'],
      ['debug', "skipping a message from the account's own address"],
    ]);
  });
});
