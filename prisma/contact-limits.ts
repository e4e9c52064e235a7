// The bounds of what people write on a contact, shared by the stores (which enforce them) and the API's schemas
// (which document and check them first). No imports: the editor's typecheck reads it through server/schemas.

/** Tags per contact row. */
export const MAX_TAGS = 50;
/** Characters per tag, after trimming. */
export const MAX_TAG_LENGTH = 64;
/** Characters per note. */
export const NOTE_MAX_LENGTH = 10_000;
