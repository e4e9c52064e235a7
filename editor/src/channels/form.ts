// A channel's credentials (`auth`) or settings JSON Schema made into an @rjsf form, and the form's data made into what
// the API takes. The server validates (and answers with issues per field), so the form does not: it only lays out.
import type { RJSFSchema, UiSchema } from '@rjsf/utils';

type Schema = Record<string, unknown>;

export interface AccountForm {
  schema: RJSFSchema;
  ui: UiSchema;
  /** Fields the user never fills (`x-ui: { widget: 'hidden' }`: set by Confluo when it registers the account). */
  hidden: string[];
}

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The form of one schema: combinators left out (the server says which alternative is missing), `x-ui` hints and
 * `writeOnly` made into widgets: secrets are password inputs, hidden fields are not shown. `keep`: names of stored
 * credentials, whose empty fields say that they are kept.
 */
export function accountForm(schema: Schema | undefined, opts: { keep?: readonly string[] } = {}): AccountForm {
  const hidden: string[] = [];
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  const out = convert(schema ?? { type: 'object', properties: {} }, ui, [], hidden);
  if (opts.keep) {
    const props = isObject(out.properties) ? out.properties : {};
    for (const key of opts.keep) {
      const p = props[key];
      if (isObject(p) && p.type !== 'object')
        ui[key] = { ...(ui[key] as object), 'ui:placeholder': 'Stored: leave empty to keep' };
    }
  }
  // A root title would repeat the section heading the screen shows.
  const { title: _t, description: _d, ...root } = out;
  return { schema: root as RJSFSchema, ui, hidden };
}

function convert(s: Schema, ui: UiSchema, path: string[], hidden: string[]): Schema {
  const { anyOf: _a, oneOf: _o, allOf: _l, 'x-ui': hint, writeOnly, ...rest } = s;
  const widget = isObject(hint) ? hint.widget : undefined;
  if (widget === 'password' || (writeOnly === true && rest.type === 'string'))
    Object.assign(ui, { 'ui:widget': 'password', 'ui:autocomplete': 'new-password' });
  else if (widget === 'textarea') Object.assign(ui, { 'ui:widget': 'textarea', 'ui:options': { rows: 3 } });
  // A list of origins or numbers has no order worth keeping: no move buttons. `addLabel` names its Add button.
  if (rest.type === 'array') {
    Object.assign(ui, {
      'ui:options': {
        orderable: false,
        addLabel: `Add to ${typeof rest.title === 'string' ? rest.title : (path.at(-1) ?? 'the list')}`,
      },
    });
    // An item's description ("scheme://host[:port], e.g. …") fits in its input better than repeated above each one.
    if (isObject(rest.items) && typeof rest.items.description === 'string') {
      const { description, ...items } = rest.items;
      ui.items = { 'ui:placeholder': description };
      return { ...rest, items };
    }
  }
  if (!isObject(rest.properties)) return rest;
  const properties: Schema = {};
  for (const [key, p] of Object.entries(rest.properties)) {
    if (!isObject(p)) continue;
    if (isObject(p['x-ui']) && p['x-ui'].widget === 'hidden') {
      hidden.push([...path, key].join('.'));
      continue;
    }
    const child: UiSchema = {};
    properties[key] = convert(p, child, [...path, key], hidden);
    if (Object.keys(child).length) ui[key] = child;
  }
  const required = Array.isArray(rest.required)
    ? rest.required.filter((r) => typeof r === 'string' && r in properties)
    : undefined;
  const { required: _r, ...noRequired } = rest;
  return { ...noRequired, properties, ...(required?.length && { required }) };
}

/**
 * What the API gets from a form's data: empty strings, empty objects (an optional group left blank) and unset array
 * items dropped, recursively; `undefined` when nothing is left of an object.
 */
export function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune).filter((v) => v !== undefined);
  if (isObject(value)) {
    const out: Schema = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (value === '' || value === null) return undefined;
  return value;
}

/** A pruned object, `{}` when nothing is left. */
export const pruneObject = (value: unknown): Record<string, unknown> =>
  (prune(value) as Record<string, unknown> | undefined) ?? {};

/** JSON with sorted keys: two objects built in a different order compare equal. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export interface AccountValues {
  name: string;
  credentials: unknown;
  settings: unknown;
}

/** The POST body of a new account. */
export function createBody(connector: string, v: AccountValues) {
  return { connector, name: v.name.trim(), credentials: pruneObject(v.credentials), settings: pruneObject(v.settings) };
}

/**
 * The PATCH body of an edit: only what changed. Credentials are replaced as a whole, so they go only when some were
 * typed (blank fields mean "keep"); settings only when they differ from `baseline` (the stored ones as the form first
 * showed them, defaults filled in), so a rename does not register the account with its provider again.
 */
export function patchBody(current: { name: string }, baseline: unknown, v: AccountValues) {
  const name = v.name.trim();
  const credentials = prune(v.credentials) as Record<string, unknown> | undefined;
  const settings = pruneObject(v.settings);
  return {
    ...(name !== current.name && { name }),
    ...(credentials && { credentials }),
    ...(stableJson(settings) !== stableJson(pruneObject(baseline)) && { settings }),
  };
}
