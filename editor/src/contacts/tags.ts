// Tags on the contact page and the Contacts screen, as data: a typed tag added to a contact's list (normalised as
// the server stores it: trimmed, lower case, once), one taken off, and the Contacts screen's `?tag=` in the address.

import { MAX_TAG_LENGTH, MAX_TAGS } from '../../../prisma/contact-limits.js';

// The server's bounds (a module of constants only): refused here first, in words, before a round trip.
export { MAX_TAG_LENGTH, MAX_TAGS };

/** A tag as the server stores it. */
export const normalTag = (text: string) => text.trim().toLowerCase();

/** The tags with `text` added (at the end; already there: unchanged), or why it cannot be. */
export function withTag(tags: readonly string[], text: string): { tags: string[] } | { problem: string } {
  const tag = normalTag(text);
  if (tag === '') return { problem: 'Type a tag first.' };
  if ([...tag].length > MAX_TAG_LENGTH) return { problem: `A tag is at most ${MAX_TAG_LENGTH} characters.` };
  if (tags.includes(tag)) return { tags: [...tags] };
  if (tags.length >= MAX_TAGS) return { problem: `A contact has at most ${MAX_TAGS} tags.` };
  return { tags: [...tags, tag] };
}

export const withoutTag = (tags: readonly string[], tag: string) => tags.filter((t) => t !== tag);

/** The Contacts screen's address for a tag filter (none: the plain list). */
export const tagHref = (tag: string) =>
  normalTag(tag) ? `/contacts?tag=${encodeURIComponent(normalTag(tag))}` : '/contacts';

/** The tag filter in an address's query string (`?tag=vip`), normalised; '' without one. */
export const tagFromSearch = (search: string) => normalTag(new URLSearchParams(search).get('tag') ?? '');
