import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../api/types.js';
import { groupByDay, mergeConversations, mergeMessages, replyChannel, withNewest, withOlder } from './thread.js';

const local = (d: number, h: number, mi = 0) => new Date(2025, 2, d, h, mi).toISOString();
const NOW = new Date(2025, 2, 12, 15, 0).getTime();

function msg(id: string, sentAt: string, extra: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: 'cnv1',
    contactId: 'c1',
    direction: 'in',
    channel: 'webchat',
    accountId: 'acc1',
    providerMessageId: null,
    status: 'received',
    statusError: null,
    address: { kind: 'webchat', value: 'v1' },
    replyTo: null,
    text: id,
    content: {},
    attachments: [],
    thread: null,
    sentAt,
    statusAt: null,
    source: null,
    ...extra,
  };
}
const conv = (id: string, lastMessageAt: string | null): Conversation => ({
  id,
  contact: {
    id: `c-${id}`,
    name: null,
    attributes: {},
    tags: [],
    identities: [],
    createdAt: local(1, 0),
    updatedAt: local(1, 0),
  },
  lastMessageAt,
  lastMessage: null,
  status: 'open',
  closedAt: null,
});
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('merging', () => {
  it('orders messages oldest first, ties by id, a newer copy replacing the old one', () => {
    const a = msg('m1', local(12, 10));
    const b = msg('m2', local(12, 11), { direction: 'out', status: 'sent' });
    const c = msg('m3', local(12, 11));
    const merged = mergeMessages([b, a], [c, { ...b, status: 'delivered' }]);
    expect(ids(merged)).toEqual(['m1', 'm2', 'm3']);
    expect(merged[1]!.status).toBe('delivered');
  });
  it('orders conversations most recently active first, never-active last', () => {
    const merged = mergeConversations(
      [conv('a', local(10, 9)), conv('b', local(11, 9))],
      [conv('c', null), conv('a', local(12, 9))],
    );
    expect(ids(merged)).toEqual(['a', 'b', 'c']);
  });
});

describe('thread pages', () => {
  const older = [msg('m1', local(12, 9)), msg('m2', local(12, 10))];
  it('starts from the first page and continues from its cursor', () => {
    const first = withNewest(
      { messages: [], olderCursor: undefined },
      { items: [...older].reverse(), nextCursor: 'k2' },
    );
    expect(first).toEqual({ messages: older, olderCursor: 'k2' });
    const more = withOlder(first, { items: [msg('m0', local(11, 9))] });
    expect(ids(more.messages)).toEqual(['m0', 'm1', 'm2']);
    expect(more.olderCursor).toBeUndefined();
  });
  it('folds a poll into what is loaded, keeping the older cursor', () => {
    const state = { messages: older, olderCursor: 'k0' };
    const next = withNewest(state, { items: [msg('m3', local(12, 11)), older[1]!], nextCursor: 'k1' });
    expect(ids(next.messages)).toEqual(['m1', 'm2', 'm3']);
    expect(next.olderCursor).toBe('k0');
  });
  it('replaces what is loaded when a poll brings more than a page (no overlap, more behind it)', () => {
    const state = { messages: older, olderCursor: undefined };
    const next = withNewest(state, { items: [msg('m9', local(12, 14)), msg('m8', local(12, 13))], nextCursor: 'k8' });
    expect(next).toEqual({ messages: [msg('m8', local(12, 13)), msg('m9', local(12, 14))], olderCursor: 'k8' });
    // No overlap but nothing behind it: the page is the whole conversation, nothing is lost by merging.
    expect(ids(withNewest(state, { items: [msg('m3', local(12, 11))] }).messages)).toEqual(['m1', 'm2', 'm3']);
  });
});

describe('groupByDay', () => {
  it('puts one heading per local calendar day', () => {
    const groups = groupByDay(
      [msg('a', local(10, 23, 50)), msg('b', local(11, 0, 10)), msg('c', local(12, 8)), msg('d', local(12, 9))],
      NOW,
    );
    expect(groups.map((g) => [g.label, ids(g.messages)])).toEqual([
      ['Mon 10 Mar', ['a']],
      ['Yesterday', ['b']],
      ['Today', ['c', 'd']],
    ]);
  });
});

describe('replyChannel', () => {
  it('is the channel of the latest inbound message', () => {
    expect(
      replyChannel([
        msg('a', local(12, 8), { channel: 'sms' }),
        msg('b', local(12, 9), { channel: 'webchat' }),
        msg('c', local(12, 10), { direction: 'out', channel: 'email' }),
      ]),
    ).toBe('webchat');
    expect(replyChannel([msg('c', local(12, 10), { direction: 'out' })])).toBeUndefined();
  });
});
