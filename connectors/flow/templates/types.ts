// The shape of a flow template (README.md "Templates"): a ready flow definition plus what the user must pick when
// importing it. Plain data, no imports beyond the flow types: the server serves it at GET /api/templates.
import type { FlowDefinition } from '../types.js';

/**
 * One thing the user picks on import. Its value is written at each of `paths` (JSON Pointers into the definition),
 * replacing the placeholder there: an empty string for an account (which validation flags until one is chosen), or
 * `default` for a text.
 */
export interface TemplateNeed {
  /** Key of the value in `POST /api/templates/:slug/flows` `{ values: { <key>: ... } }`. */
  key: string;
  /** `account`: a channel account (id) of `connector`; `text`: a literal value (a Slack channel id, a URL, a zone). */
  kind: 'account' | 'text';
  /** `account`: the connector the account must belong to (`sms`, `whatsapp`, `slack`, `hubspot`, ...). */
  connector?: string;
  label: string;
  description?: string;
  /** Where the value goes: JSON Pointers into `definition`, e.g. `/nodes/2/input/account`. */
  paths: string[];
  /** `text`: a regular expression the value must match. */
  pattern?: string;
  /** `text`: an example shown in the empty field. */
  placeholder?: string;
  /** `text`: the value the definition holds until another is given (the field starts with it). */
  default?: string;
}

export interface FlowTemplate {
  /** Lower-case kebab id, the file's name. */
  slug: string;
  name: string;
  description: string;
  category: 'Follow-up' | 'Leads' | 'Compliance' | 'Reporting' | 'Support' | 'CRM';
  needs: TemplateNeed[];
  /** A flow definition as `POST /api/flows` takes it, valid once every need is filled. */
  definition: FlowDefinition;
}
