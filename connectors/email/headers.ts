// Message-ID and threading header rules, shared by sending and polling so both spell ids the same way: with the
// angle brackets, exactly as they appear in Message-ID, In-Reply-To and References headers.
import { createHash } from 'node:crypto';

/**
 * The Message-ID of the message sent for one step: the same on every attempt, so a retry after a lost SMTP answer
 * carries the id of the first try and receivers (and our own dedupe) see one message.
 */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<${hash}@${domain}>`;
}

const ID = /<[^<>\s]+>/g;

/** Every `<id>` in header values (In-Reply-To and References may hold several, with comments or folding). */
export function messageIdsIn(value: string | string[] | undefined | null): string[] {
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => v.match(ID) ?? []);
}

/** A caller-given id, with the brackets added when they were left out; undefined when it cannot be an id. */
export function normalizeMessageId(value: string): string | undefined {
  const v = value.trim();
  const bare = v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1) : v;
  return /^[^<>\s]+@[^<>\s]+$/.test(bare) ? `<${bare}>` : undefined;
}

/** "Re: <subject>", without stacking prefixes on a long thread. */
export function replySubject(subject: string): string {
  return /^\s*re\s*:/i.test(subject) ? subject.trim() : `Re: ${subject.trim()}`;
}
