// Keeping the inbox's lists in order as pages and polls arrive: merged by id (a newer copy wins, so status changes
// show), conversations most recently active first, messages oldest first.
import type { Page } from '../api/client.js';
import type { Conversation, Message } from '../api/types.js';
import { dayKey, dayLabel } from './format.js';

const byId = <T extends { id: string }>(current: readonly T[], incoming: readonly T[]) => {
  const all = new Map(current.map((x) => [x.id, x]));
  for (const x of incoming) all.set(x.id, x);
  return [...all.values()];
};

/** Oldest first; equal times by id, the order the server pages in. */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  return byId(current, incoming).sort(
    (a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** Most recently active first, never-active last; equal times by id descending (the server's order). */
export function mergeConversations(
  current: readonly Conversation[],
  incoming: readonly Conversation[],
): Conversation[] {
  const t = (c: Conversation) => (c.lastMessageAt ? Date.parse(c.lastMessageAt) : -Infinity);
  return byId(current, incoming).sort((a, b) => t(b) - t(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export interface ThreadState {
  messages: Message[];
  /** Where "load older" continues; undefined when the oldest message is loaded. */
  olderCursor: string | undefined;
}

/**
 * A fresh newest page (a poll, or after a reply) folded into what is loaded. When it shares no message with it, more
 * arrived than a page holds: the loaded messages would leave a gap, so the page replaces them and "load older" goes on
 * from the page.
 */
export function withNewest(state: ThreadState, page: Page<Message>): ThreadState {
  const known = new Set(state.messages.map((m) => m.id));
  const overlaps = page.items.some((m) => known.has(m.id));
  if (state.messages.length === 0 || (!overlaps && page.nextCursor !== undefined)) {
    return { messages: mergeMessages([], page.items), olderCursor: page.nextCursor };
  }
  return { messages: mergeMessages(state.messages, page.items), olderCursor: state.olderCursor };
}

/** An older page (from `olderCursor`) added in front. */
export const withOlder = (state: ThreadState, page: Page<Message>): ThreadState => ({
  messages: mergeMessages(state.messages, page.items),
  olderCursor: page.nextCursor,
});

export interface DayGroup {
  key: string;
  label: string;
  messages: Message[];
}

/** Messages (oldest first) under one heading per local calendar day. */
export function groupByDay(messages: readonly Message[], now: number): DayGroup[] {
  const groups: DayGroup[] = [];
  for (const m of messages) {
    const key = dayKey(m.sentAt);
    const last = groups.at(-1);
    if (last?.key === key) last.messages.push(m);
    else groups.push({ key, label: dayLabel(m.sentAt, now), messages: [m] });
  }
  return groups;
}

/** The channel a reply goes out on: the one the contact last wrote from (as far as the loaded messages tell). */
export function replyChannel(messages: readonly Message[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.direction === 'in') return messages[i]!.channel;
  return undefined;
}
