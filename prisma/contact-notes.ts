// Notes on contacts: free text a person, an API caller or a run wrote about someone. A note stays on the row it was
// written on (`contact_id`), never moved by a merge: a root lists its whole cluster's notes, a merged row its own, and
// an unmerge gives each side its own back without touching a note.
import type { PrismaClient } from './client.js';
import { NOTE_MAX_LENGTH } from './contact-limits.js';
import { viewRows } from './contacts.js';
import { newId } from './ids.js';
import { afterKey, pageOf, type Page, type PageQuery } from './page.js';

/** Who wrote a note: an API call, a person (the editor), or a run step (`ref`: `<runId>:<nodeId>`). */
export interface NoteAuthor {
  type: 'api' | 'person' | 'run';
  ref?: string;
}

export interface ContactNoteRecord {
  id: string;
  /** The contact row it was written on (a merged row's id when written there, or before the merge). */
  contactId: string;
  text: string;
  by: NoteAuthor;
  createdAt: string;
}

type NoteRow = { id: string; contactId: string; text: string; by: unknown; createdAt: Date };

const toNote = (n: NoteRow): ContactNoteRecord => ({
  id: n.id,
  contactId: n.contactId,
  text: n.text,
  by: n.by as NoteAuthor,
  createdAt: n.createdAt.toISOString(),
});

export function createContactNoteStore(prisma: PrismaClient) {
  return {
    /** Writes a note on the row asked for (a merged one too). Null: no such contact in the workspace. */
    async add(workspaceId: string, contactId: string, text: string, by: NoteAuthor) {
      if (text.trim() === '' || [...text].length > NOTE_MAX_LENGTH)
        throw new RangeError(`a note is 1 to ${NOTE_MAX_LENGTH} characters`);
      const contact = await prisma.contact.findFirst({ where: { id: contactId, workspaceId }, select: { id: true } });
      if (!contact) return null;
      // The foreign key keeps a note from outliving its contact; contacts are never deleted by the API.
      return toNote(
        await prisma.contactNote.create({
          data: { id: newId('note'), workspaceId, contactId, text, by: { ...by } },
        }),
      );
    },

    /** A page of a contact's notes (a root's: its cluster's), newest first. Null: no such contact. */
    async list(workspaceId: string, contactId: string, page: PageQuery): Promise<Page<ContactNoteRecord> | null> {
      const rows = await viewRows(prisma, workspaceId, contactId);
      if (!rows) return null;
      const notes = await prisma.contactNote.findMany({
        where: { workspaceId, contactId: { in: rows }, ...afterKey(page.cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit + 1,
      });
      const { items, next } = pageOf(notes, page.limit, (n) => ({ at: n.createdAt, id: n.id }));
      return { items: items.map(toNote), ...(next && { next }) };
    },

    /**
     * Deletes a note shown on this contact (a root's: any of its cluster's). `contact`: no such contact; `note`: no
     * such note on it; `removed` otherwise.
     */
    async remove(workspaceId: string, contactId: string, noteId: string): Promise<'removed' | 'contact' | 'note'> {
      const rows = await viewRows(prisma, workspaceId, contactId);
      if (!rows) return 'contact';
      const { count } = await prisma.contactNote.deleteMany({
        where: { id: noteId, workspaceId, contactId: { in: rows } },
      });
      return count > 0 ? 'removed' : 'note';
    },
  };
}

export type ContactNoteStore = ReturnType<typeof createContactNoteStore>;
