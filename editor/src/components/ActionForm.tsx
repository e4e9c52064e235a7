import Form from '@rjsf/core';
import type { ErrorSchema, FieldProps } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useMemo, useState } from 'react';
import type { ActionManifest } from '../api/types.js';
import { formSchema } from '../flow/form-schema.js';
import type { JsonObject } from '../flow/model.js';
import type { AccountsState } from '../screens/use-channel-accounts.js';
import { ChannelAccountWidget, type FormContext } from './ChannelAccountWidget.js';
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

const clean = (v: unknown) => JSON.parse(JSON.stringify(v ?? {})) as JsonObject;

const widgets = { channelAccount: ChannelAccountWidget };
const fields = { json: JsonValueField };

export function ActionForm({
  action,
  input,
  errors,
  accounts,
  onChange,
}: {
  action: ActionManifest;
  input: JsonObject;
  errors: Record<string, unknown>;
  accounts: AccountsState;
  onChange: (input: JsonObject) => void;
}) {
  const { schema, ui } = useMemo(() => formSchema(action.input), [action]);
  const context = useMemo((): FormContext => ({ accounts, connector: action.id.split('.')[0]! }), [accounts, action]);
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
        <JsonField
          label="Input"
          value={input}
          rows={10}
          onChange={(v) => v && typeof v === 'object' && !Array.isArray(v) && onChange(v as JsonObject)}
        />
      ) : (
        <Form
          schema={schema}
          uiSchema={ui}
          formData={input}
          validator={validator}
          fields={fields}
          widgets={widgets}
          formContext={context}
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
