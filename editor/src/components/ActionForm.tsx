import Form from '@rjsf/core';
import type { ErrorSchema, FieldProps, RJSFSchema, UiSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useMemo, useState } from 'react';
import type { ActionManifest } from '../api/client.js';
import type { JsonObject } from '../flow/model.js';
import { JsonField } from './JsonField.js';

/** A free-form value (objects, arrays, untyped) edited as JSON inside the generated form. */
function JsonValueField(props: FieldProps) {
  const title = (props.schema.title as string | undefined) ?? props.name;
  return (
    <JsonField
      label={title}
      {...(typeof props.schema.description === 'string' && { describe: props.schema.description })}
      value={props.formData}
      optional
      rows={3}
      onChange={(v) => props.onChange(v, props.fieldPathId.path)}
    />
  );
}

const isFree = (s: Record<string, unknown>) => {
  const types = ([] as unknown[]).concat(s.type ?? []);
  if (types.length === 0) return true;
  return (types.includes('object') && !s.properties) || types.includes('array');
};

/**
 * The form's schema: the action's input schema without root combinators (the server validates those and says which
 * fields are missing) and without formats (a field may hold a `{{ template }}`).
 */
function formSchema(input: Record<string, unknown>): { schema: RJSFSchema; ui: UiSchema } {
  const { anyOf: _a, oneOf: _o, allOf: _l, ...rest } = input;
  const props = { ...((rest.properties ?? {}) as Record<string, Record<string, unknown>>) };
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  for (const [k, p] of Object.entries(props)) {
    const { format: _f, ...clean } = p;
    props[k] = clean;
    if (isFree(clean)) ui[k] = { 'ui:field': 'json' };
  }
  return { schema: { ...rest, properties: props } as RJSFSchema, ui };
}

const clean = (v: unknown) => JSON.parse(JSON.stringify(v ?? {})) as JsonObject;

export function ActionForm({ action, input, errors, onChange }: { action: ActionManifest; input: JsonObject; errors: Record<string, unknown>; onChange: (input: JsonObject) => void }) {
  const { schema, ui } = useMemo(() => formSchema(action.input), [action]);
  const [asJson, setAsJson] = useState(false);
  return (
    <div className="action-form">
      {action.description && <p className="muted">{action.description}</p>}
      <div className="tabs" role="group" aria-label="Input editor">
        <button type="button" aria-pressed={!asJson} onClick={() => setAsJson(false)}>
          Form
        </button>
        <button type="button" aria-pressed={asJson} onClick={() => setAsJson(true)}>
          JSON
        </button>
      </div>
      {asJson ? (
        <JsonField label="Input" value={input} rows={10} onChange={(v) => v && typeof v === 'object' && !Array.isArray(v) && onChange(v as JsonObject)} />
      ) : (
        <Form
          schema={schema}
          uiSchema={ui}
          formData={input}
          validator={validator}
          fields={{ json: JsonValueField }}
          extraErrors={errors as ErrorSchema}
          showErrorList={false}
          noHtml5Validate
          idPrefix={`in-${action.id.replace('.', '-')}`}
          experimental_defaultFormStateBehavior={{ emptyObjectFields: 'skipDefaults' }}
          onChange={(e) => {
            const next = clean(e.formData);
            if (JSON.stringify(next) !== JSON.stringify(clean(input))) onChange(next);
          }}
        />
      )}
    </div>
  );
}
