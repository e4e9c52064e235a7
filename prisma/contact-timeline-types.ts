// The contact timeline's event types (prisma/contact-timeline.ts), in a module of their own with no imports so the
// API schemas (server/schemas/contacts.ts) can list them without loading the store.

/** Every event type of the timeline, in the order of their rank at one instant (contact-timeline.ts RANK). */
export const TIMELINE_EVENT_TYPES = [
  'contact.created',
  'identity.added',
  'contact.merged',
  'contact.updated',
  'crm.updated',
  'identity.detached',
  'contact.unmerged',
  'crm.synced',
  'crm.sync_failed',
  'message.received',
  'message.sent',
  'note.added',
] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

/** Types whose cursor id is a contact event's (a bigint, in decimal); every other type's is a text id. */
export const NUMERIC_KEY_TYPES: readonly TimelineEventType[] = ['contact.updated', 'crm.updated'];
