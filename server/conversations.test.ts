// The inbox's send route over a stubbed `sendAgentReply` (AppDeps.workflows): how each outcome of a send becomes an
// HTTP answer. Sends end to end, on a real worker, are in channel-gateway.worker.test.ts and webchat.worker.test.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContacts } from '../test/contacts.js';
import { SendFailedError, type WorkflowClient } from '../worker/client.js';
import type { SendMessageInput } from '../worker/contract.js';
import { startTestApp, type TestApp } from './test-app.js';

let t: TestApp;
let conversationId: string;
let contactId: string;
const sent: { input: SendMessageInput; waitMs: number }[] = [];
let outcome: () => ReturnType<WorkflowClient['sendAgentReply']>;

beforeAll(async () => {
  t = await startTestApp({
    workflows: {
      sendAgentReply: async (input, { waitMs }) => {
        sent.push({ input, waitMs });
        return outcome();
      },
    },
  });
  const { contact } = await testContacts(t.prisma).upsert(t.workspaceId, {
    identities: [{ kind: 'email', value: `${randomUUID()}@example.com` }],
    source: { type: 'api', ref: 'test' },
  });
  contactId = contact.id;
  conversationId = `cnv_${randomUUID().replace(/-/g, '')}`;
  await t.prisma.conversation.create({ data: { id: conversationId, workspaceId: t.workspaceId, contactId } });
});

afterAll(async () => {
  await t?.close();
});

const send = (payload: object) =>
  t.api({ method: 'POST', url: `/api/conversations/${conversationId}/messages`, payload });

describe('POST /api/conversations/:id/messages', () => {
  it('hands the reply to sendMessage under a fresh snd_ id and answers 201 with what went out', async () => {
    sent.length = 0;
    outcome = async () => ({ output: { messageId: 'msg_1', status: 'sent' }, attempt: 1 });
    const res = await send({ text: 'Hello', subject: 'Re: hi' });
    expect(res.statusCode, res.body).toBe(201);
    expect(sent).toHaveLength(1);
    const { input, waitMs } = sent[0]!;
    expect(input).toEqual({
      id: expect.stringMatching(/^snd_/),
      workspaceId: t.workspaceId,
      contactId,
      text: 'Hello',
      subject: 'Re: hi',
    });
    expect(waitMs).toBeGreaterThan(0);
    expect(res.json()).toEqual({ id: input.id, status: 'sent', message: { messageId: 'msg_1', status: 'sent' } });
  });

  it('answers 202 sending when the send is still under way', async () => {
    sent.length = 0;
    outcome = async () => 'sending';
    const res = await send({ text: 'Hello again' });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ id: sent[0]!.input.id, status: 'sending' });
  });

  it('answers 422 send_failed naming the failure when the send failed', async () => {
    outcome = async () => {
      throw new SendFailedError('the contact opted out of sms', 'OPTED_OUT');
    };
    const res = await send({ text: 'Still there?' });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toEqual({
      error: {
        code: 'send_failed',
        message: 'the contact opted out of sms',
        issues: [{ path: '/body', code: 'OPTED_OUT', message: 'the contact opted out of sms' }],
      },
    });
  });

  it('answers 404 for an unknown conversation, starting nothing', async () => {
    sent.length = 0;
    const res = await t.api({ method: 'POST', url: '/api/conversations/cnv_unknown/messages', payload: { text: 'x' } });
    expect(res.statusCode).toBe(404);
    expect(sent).toEqual([]);
  });
});
