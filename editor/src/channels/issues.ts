// The API's answer to a refused channel account, put where the user looks: issues under `/body/credentials/x` on the
// credentials form's field x (likewise settings), `/body/name` on the name, the rest (a hidden or unknown field, the
// whole object, the connector) in a list under the section or the form; and one headline sentence.
import type { ErrorIssue } from '../api/types.js';

/** An @rjsf ErrorSchema: `{ accountSid: { __errors: ['…'] } }`. */
export interface ErrorTree {
  __errors?: string[];
  [field: string]: ErrorTree | string[] | undefined;
}

export interface AccountIssues {
  name: string[];
  credentials: ErrorTree;
  settings: ErrorTree;
  /** Issues of the section not shown on a field: the object itself, a field the form hides or does not know. */
  credentialsOther: string[];
  settingsOther: string[];
  other: string[];
}

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The segments of a JSON pointer (`/a~1b/0` → `['a/b', '0']`). */
export function pointer(path: string): string[] {
  if (path === '' || path === '/') return [];
  return path
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The subschema a form shows at `segments` (object properties, array items), or undefined when it shows none. */
export function schemaAt(schema: Schema | undefined, segments: readonly string[]): Schema | undefined {
  let at: Schema | undefined = schema;
  for (const s of segments) {
    if (!at) return undefined;
    if (isObject(at.properties) && isObject(at.properties[s])) at = at.properties[s] as Schema;
    else if (/^\d+$/.test(s) && isObject(at.items)) at = at.items;
    else return undefined;
  }
  return at;
}

const titleOf = (schema: Schema | undefined, segments: readonly string[]) => {
  const t = schemaAt(schema, segments)?.title;
  return typeof t === 'string' ? t : segments.join('.');
};

const sentence = (s: string) => {
  const t = s.trim().replace(/\bNOT\b/g, 'not');
  if (!t) return t;
  return t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
};

/** ajv's wording, for people: "must match pattern "^AC[0-9a-fA-F]{32}$"" says nothing to a business owner. */
export function friendlyMessage(issue: Pick<ErrorIssue, 'code' | 'message'>): string {
  switch (issue.code) {
    case 'required':
      return 'Required.';
    case 'pattern':
      return 'Not in the expected format.';
    case 'format':
      return /"uri"/.test(issue.message) ? 'Not a valid URL (https://…).' : 'Not in the expected format.';
    case 'minLength':
      if (/fewer than 1 character/.test(issue.message)) return 'Required.';
      break;
    case 'enum':
      return 'Choose one of the allowed values.';
    case 'additionalProperties':
      return 'Has a field this form does not know.';
  }
  return sentence(issue.message);
}

/**
 * JSON Schema `anyOf` of required fields (SMS: a sender number or a Messaging Service) arrives as one `required`
 * issue per alternative plus the anyOf: shown as such, every alternative looks mandatory. They become one issue on
 * the object: "Fill in at least one of: …".
 */
function mergeAnyOf(issues: readonly ErrorIssue[], schemaFor: (path: string[]) => Schema | undefined): ErrorIssue[] {
  const anyOf = issues.filter((i) => i.code === 'anyOf');
  if (!anyOf.length) return [...issues];
  const alternatives = new Map<ErrorIssue, string[]>(anyOf.map((a) => [a, []]));
  const rest: ErrorIssue[] = [];
  for (const i of issues) {
    if (alternatives.has(i)) continue;
    const parent =
      i.code === 'required' &&
      anyOf.find((a) => i.path.startsWith(a.path + '/') && pointer(i.path.slice(a.path.length)).length === 1);
    if (parent) alternatives.get(parent)!.push(i.path);
    else rest.push(i);
  }
  const merged = [...alternatives].map(([a, paths]) => {
    if (!paths.length) return { ...a, message: 'Fill in the fields that go together.' };
    const segs = pointer(a.path);
    const schema = schemaFor(segs);
    const names = paths.map((p) => titleOf(schema, pointer(p.slice(a.path.length))));
    return { ...a, code: 'anyOf_required', message: `Fill in at least one of: ${names.join(', ')}.` };
  });
  return [...merged, ...rest];
}

function push(tree: ErrorTree, segments: readonly string[], message: string) {
  let at = tree;
  for (const s of segments) at = (at[s] ??= {}) as ErrorTree;
  (at.__errors ??= []).push(message);
}

/**
 * The issues of a 400/422 answer, placed. `forms` are the schemas the two forms show (after `accountForm`), so an
 * issue on a field they do not show still reaches the user. An issue that only repeats the error's own `message` (a
 * provider's refusal) is left out: the headline says it.
 */
export function accountIssues(
  issues: readonly ErrorIssue[],
  forms: { credentials?: Schema; settings?: Schema },
  repeats?: string,
): AccountIssues {
  const out: AccountIssues = {
    name: [],
    credentials: {},
    settings: {},
    credentialsOther: [],
    settingsOther: [],
    other: [],
  };
  const sectionSchema = (segs: string[]) =>
    segs[1] === 'credentials' ? forms.credentials : segs[1] === 'settings' ? forms.settings : undefined;
  const merged = mergeAnyOf(issues, (segs) => schemaAt(sectionSchema(segs), segs.slice(2)));
  for (const issue of merged) {
    if (repeats !== undefined && issue.message === repeats) continue;
    const segs = pointer(issue.path);
    const inBody = segs[0] === 'body';
    const [section, ...field] = inBody ? segs.slice(1) : [];
    const message = issue.code === 'anyOf_required' ? issue.message : friendlyMessage(issue);
    if (section === 'name' && field.length === 0) out.name.push(message);
    else if (section === 'credentials' || section === 'settings') {
      const schema = section === 'credentials' ? forms.credentials : forms.settings;
      const shown = field.length > 0 && schemaAt(schema, field) !== undefined;
      if (shown) push(out[section], field, message);
      else
        out[section === 'credentials' ? 'credentialsOther' : 'settingsOther'].push(
          field.length ? `${field.join('.')}: ${message}` : message,
        );
    } else
      out.other.push(inBody && segs.length > 1 ? `${segs.slice(1).join('.')}: ${message}` : sentence(issue.message));
  }
  return out;
}

/**
 * The one sentence above the form after a refusal; the typed values stay. A provider's refusal names the connector by
 * its id (`hubspot refused …`): `connector` gives its name instead, and the issues' paths say which section to check
 * (a refused token is the credentials', a refused base URL the settings').
 */
export function refusalHeadline(
  err: { status: number; code: string; message: string; issues?: readonly ErrorIssue[] },
  connector?: { id: string; name: string },
): string {
  if (err.code === 'validation_failed' || (err.status === 400 && err.issues?.length))
    return 'Some fields need attention: see the messages below.';
  if (err.code === 'registration_failed') {
    const named =
      connector && err.message.startsWith(`${connector.id} `)
        ? connector.name + err.message.slice(connector.id.length)
        : err.message;
    const sections = new Set((err.issues ?? []).map((i) => pointer(i.path)[1]));
    const check =
      sections.size === 1 && sections.has('credentials')
        ? 'the credentials'
        : sections.size === 1 && sections.has('settings')
          ? 'the settings'
          : 'the credentials and settings';
    return `${sentence(named)} Check ${check}, then try again.`;
  }
  if (err.code === 'secrets_unavailable')
    return `${sentence(err.message)} Ask the administrator to set it; nothing was saved.`;
  return err.message;
}
