// The bounds of what people write on a contact, shared by the stores (which enforce them) and the API's schemas
// (which document and check them first). No imports: the editor's typecheck reads it through server/schemas.

/** Tags per contact row. */
export const MAX_TAGS = 50;
/** Characters per tag, after trimming. */
export const MAX_TAG_LENGTH = 64;
/** Characters per note. */
export const NOTE_MAX_LENGTH = 10_000;
/** A custom attribute's key, as in `contacts.attributes` and a flow's `attributes.<key>` (no dots, no spaces). */
export const ATTRIBUTE_KEY_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';
/** Attribute definitions per workspace. */
export const MAX_ATTRIBUTE_DEFINITIONS = 100;
/** Options of a select attribute, and characters per option or label. */
export const MAX_ATTRIBUTE_OPTIONS = 100;
export const MAX_ATTRIBUTE_LABEL = 100;
/** Characters of a text attribute's value. */
export const MAX_ATTRIBUTE_TEXT = 2000;
