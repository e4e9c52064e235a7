// An action's input JSON Schema made into an @rjsf form: the schema the form validates against and its UI schema.
import type { RJSFSchema, UiSchema } from '@rjsf/utils';

const isFree = (s: Record<string, unknown>) => {
  const types = ([] as unknown[]).concat(s.type ?? []);
  if (types.length === 0) return true;
  return (types.includes('object') && !s.properties) || types.includes('array');
};

/** Field hints connectors put in their schemas (`'x-ui': { widget }`), as @rjsf widgets. */
const WIDGETS: Record<string, UiSchema> = {
  textarea: { 'ui:widget': 'textarea', 'ui:options': { rows: 4 } },
  'channel-account': { 'ui:widget': 'channelAccount' },
};

/**
 * The form's schema: the action's input schema without root combinators (the server validates those and says which
 * fields are missing), without formats (a field may hold a `{{ template }}`) and without `x-ui` hints, which become
 * the UI schema: free-form values are edited as JSON, `x-ui` widgets as the matching @rjsf widget.
 */
export function formSchema(input: Record<string, unknown>): { schema: RJSFSchema; ui: UiSchema } {
  const { anyOf: _a, oneOf: _o, allOf: _l, ...rest } = input;
  const props = { ...((rest.properties ?? {}) as Record<string, Record<string, unknown>>) };
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  for (const [k, p] of Object.entries(props)) {
    const { format: _f, 'x-ui': hint, ...clean } = p;
    props[k] = clean;
    const widget = (hint as { widget?: unknown } | undefined)?.widget;
    if (typeof widget === 'string' && WIDGETS[widget]) ui[k] = WIDGETS[widget];
    else if (isFree(clean)) ui[k] = { 'ui:field': 'json' };
  }
  return { schema: { ...rest, properties: props } as RJSFSchema, ui };
}
