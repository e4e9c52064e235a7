// How the inbox shows contacts, messages and times: short, plain text (the UI renders it as text, never as HTML).
import type { AttachmentRef, Contact, Message } from '../api/types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The contact's name, else its first identity's value (a visitor id, a phone number), else a placeholder. */
export function contactLabel(
  contact: Pick<Contact, 'name'> & { identities: { kind: string; value: string }[] },
): string {
  const name = contact.name?.trim();
  if (name) return name;
  return contact.identities[0]?.value ?? 'Unknown contact';
}

/** One line of at most `max` characters: whitespace collapsed, cut at a word boundary when one is near. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  // Code points, not UTF-16 units: a cut never splits an emoji.
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return (space >= (max - 1) * 0.6 ? cut.slice(0, space) : cut).trimEnd() + '…';
}

/**
 * `image: photo.jpg`, `file: https://…/invoice.pdf`: the type and the best name the provider gave. The server serves
 * attachments as free-form JSON (they are the channels' `AttachmentRef`s), so every field is checked before use.
 */
export function attachmentLabel(attachment: unknown): string {
  const a: { [K in keyof AttachmentRef]?: unknown } =
    attachment !== null && typeof attachment === 'object' ? attachment : {};
  const what = typeof a.type === 'string' && a.type ? a.type : 'attachment';
  const name = [a.name, a.caption, a.ref].find((s): s is string => typeof s === 'string' && s.trim() !== '');
  return name ? `${what}: ${name}` : what;
}

/** The conversation list's second line: the last message's text, else what it carried. */
export function messagePreview(m: Pick<Message, 'direction' | 'text' | 'attachments'> | null, max = 80): string {
  if (!m) return 'No messages yet';
  const prefix = m.direction === 'out' ? 'You: ' : '';
  const attachments = Array.isArray(m.attachments) ? m.attachments : [];
  let body: string;
  if (m.text?.trim()) body = m.text;
  else if (attachments.length > 0)
    body = attachmentLabel(attachments[0]!) + (attachments.length > 1 ? ` (+${attachments.length - 1} more)` : '');
  else body = '(no text)';
  return excerpt(prefix + body, max);
}

/** What the bubble says about delivery: the status, and why when it failed. */
export function statusText(m: Pick<Message, 'status' | 'statusError'>): string {
  return m.status === 'failed' && m.statusError ? `failed: ${m.statusError}` : m.status;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:05`, local time. */
export const clockTime = (iso: string) => {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** `3 Mar`, or `3 Mar 2024` when not in `now`'s year (local time). */
export function shortDate(iso: string, now: number): string {
  const d = new Date(iso);
  const base = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return d.getFullYear() === new Date(now).getFullYear() ? base : `${base} ${d.getFullYear()}`;
}

/** How long ago, the way an inbox list says it: `now`, `5m`, `3h`, `2d`, then the date. */
export function relativeTime(iso: string, now: number): string {
  const ago = Math.max(0, now - Date.parse(iso));
  if (ago < 45_000) return 'now';
  if (ago < HOUR) return `${Math.max(1, Math.round(ago / MINUTE))}m`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)}h`;
  if (ago < 7 * DAY) return `${Math.floor(ago / DAY)}d`;
  return shortDate(iso, now);
}

/** A day separator: `Today`, `Yesterday`, else `Mon 3 Mar` (with the year when not this year). */
export function dayLabel(iso: string, now: number): string {
  const d = new Date(iso);
  const today = new Date(now);
  const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  // Calendar days, not 24-hour spans (DST days are 23 or 25 hours long).
  const days = Math.round((startOf(today) - startOf(d)) / DAY);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return `${WEEKDAYS[d.getDay()]} ${shortDate(iso, now)}`;
}

/** The local calendar day of an instant, as a grouping key. */
export const dayKey = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
