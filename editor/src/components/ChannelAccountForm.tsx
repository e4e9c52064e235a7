// Connecting or editing a channel or CRM account: its name, the credentials form (the connector's `auth` schema, secrets
// as password inputs) and the settings form (the channel's or the CRM's settings schema). The server validates; its issues land on
// the fields they name, and a refusal keeps everything typed. Loaded on demand: @rjsf is most of the bundle.
import Form from '@rjsf/core';
import { createSchemaUtils, getUiOptions, type ErrorSchema, type IconButtonProps, type RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import type { ChannelAccount, ChannelAccountPatch, NewChannelAccount } from '../api/types.js';
import { accountForm, createBody, patchBody, type AccountForm } from '../channels/form.js';
import { accountIssues, refusalHeadline, type AccountIssues } from '../channels/issues.js';
import { isCrm, settingsSchemaOf, type AccountConnector } from '../channels/setup.js';

export type ChannelAccountFormProps =
  | {
      mode: 'create';
      connector: AccountConnector;
      onSave: (body: NewChannelAccount) => Promise<void>;
      onCancel: () => void;
    }
  | {
      mode: 'edit';
      connector: AccountConnector;
      account: ChannelAccount;
      onSave: (patch: ChannelAccountPatch) => Promise<void>;
      onCancel: () => void;
    };

/** The form's data as @rjsf first shows it: the given values with the schema's defaults filled in. */
const withDefaults = (form: AccountForm, data: unknown): unknown =>
  createSchemaUtils(validator, form.schema).getDefaultFormState(form.schema, data as never);

// The default theme's buttons are Bootstrap glyphicons, blank without Bootstrap: buttons with words instead.
const templates = {
  ButtonTemplates: {
    AddButton: ({ id, onClick, disabled, uiSchema }: IconButtonProps) => (
      <button
        type="button"
        id={id}
        className="array-add"
        onClick={onClick}
        disabled={disabled}
        aria-label={String(getUiOptions(uiSchema).addLabel ?? 'Add')}
      >
        + Add
      </button>
    ),
    RemoveButton: ({ id, onClick, disabled }: IconButtonProps) => (
      <button type="button" id={id} className="danger" onClick={onClick} disabled={disabled}>
        Remove
      </button>
    ),
  },
};

const hasFields = (form: AccountForm) => Object.keys((form.schema.properties ?? {}) as object).length > 0;

function titleOf(schema: Record<string, unknown> | undefined, dotted: string): string {
  let at: unknown = schema;
  for (const key of dotted.split('.'))
    at = (at as { properties?: Record<string, unknown> } | undefined)?.properties?.[key];
  const title = (at as { title?: unknown } | undefined)?.title;
  return typeof title === 'string' ? title : dotted;
}

export function ChannelAccountForm(props: ChannelAccountFormProps) {
  const { connector } = props;
  const account = props.mode === 'edit' ? props.account : undefined;
  const credForm = useMemo(
    () => accountForm(connector.auth, { ...(account?.credentialKeys && { keep: account.credentialKeys }) }),
    [connector, account],
  );
  const settingsForm = useMemo(() => accountForm(settingsSchemaOf(connector)), [connector]);
  // What the settings form first shows: an edit sends settings only when they differ from it.
  const baseline = useMemo(() => withDefaults(settingsForm, account?.settings ?? {}), [settingsForm, account]);

  const [name, setName] = useState(account?.name ?? '');
  const [credentials, setCredentials] = useState<unknown>(() => withDefaults(credForm, {}));
  const [settings, setSettings] = useState<unknown>(baseline);
  const [issues, setIssues] = useState<AccountIssues | null>(null);
  const [headline, setHeadline] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const alertRef = useRef<HTMLDivElement>(null);
  // Counts refusals: each one moves focus to the alert once React has rendered it (a frame callback could run first).
  const [refusals, setRefusals] = useState(0);
  useEffect(() => {
    if (refusals > 0) alertRef.current?.focus();
  }, [refusals]);

  const verb = props.mode === 'create' ? 'Connect' : 'Save';
  const hidden = credForm.hidden.map((h) => titleOf(connector.auth, h));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setIssues(null);
    setHeadline(null);
    const values = { name, credentials, settings };
    try {
      if (props.mode === 'create') await props.onSave(createBody(connector.id, values));
      else await props.onSave(patchBody(props.account, baseline, values));
    } catch (err) {
      const api = err instanceof ApiError ? err : new ApiError(0, 'error', (err as Error).message);
      setIssues(
        accountIssues(
          api.issues,
          {
            credentials: credForm.schema as Record<string, unknown>,
            settings: settingsForm.schema as Record<string, unknown>,
          },
          api.message,
        ),
      );
      setHeadline(refusalHeadline(api, connector));
      setRefusals((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="account-form card"
      onSubmit={submit}
      aria-label={props.mode === 'create' ? `Connect ${connector.name}` : `Edit ${account!.name}`}
      noValidate
    >
      {headline && (
        <div role="alert" className="form-alert" ref={alertRef} tabIndex={-1}>
          <p>{headline}</p>
          {issues && issues.other.length > 0 && (
            <ul>
              {issues.other.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      )}

      <div className="field">
        <label htmlFor="account-name">Account name</label>
        <input
          id="account-name"
          value={name}
          autoComplete="off"
          placeholder={`e.g. ${connector.name} support`}
          aria-invalid={issues?.name.length ? true : undefined}
          aria-describedby={issues?.name.length ? 'account-name-error' : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        {issues && issues.name.length > 0 && (
          <small id="account-name-error" className="error">
            {issues.name.join(' ')}
          </small>
        )}
      </div>

      <section aria-labelledby="credentials-heading">
        <h2 id="credentials-heading">Credentials</h2>
        {props.mode === 'edit' && hasFields(credForm) && (
          <p className="muted">
            {props.account.credentialsReadable === false
              ? 'The stored credentials cannot be read with this server’s secret key: enter them again.'
              : `Stored: ${props.account.credentialKeys?.join(', ') || 'none'}. Leave every field empty to keep them; filling any replaces them all.`}
          </p>
        )}
        {hasFields(credForm) ? (
          <Form
            tagName="div"
            schema={credForm.schema}
            uiSchema={credForm.ui}
            formData={credentials}
            validator={validator}
            extraErrors={(issues?.credentials ?? {}) as ErrorSchema}
            showErrorList={false}
            noHtml5Validate
            idPrefix="credentials"
            templates={templates}
            onChange={(e) => setCredentials(e.formData)}
          />
        ) : (
          <p className="muted">None to enter.</p>
        )}
        {hidden.length > 0 && <p className="muted">Set by Confluo when it saves the account: {hidden.join(', ')}.</p>}
        <SectionIssues id="credentials-issues" items={issues?.credentialsOther} />
      </section>

      <section aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        {hasFields(settingsForm) ? (
          <Form
            tagName="div"
            schema={settingsForm.schema as RJSFSchema}
            uiSchema={settingsForm.ui}
            formData={settings}
            validator={validator}
            extraErrors={(issues?.settings ?? {}) as ErrorSchema}
            showErrorList={false}
            noHtml5Validate
            idPrefix="settings"
            templates={templates}
            onChange={(e) => setSettings(e.formData)}
          />
        ) : (
          <p className="muted">This {isCrm(connector) ? 'CRM' : 'channel'} has no settings.</p>
        )}
        <SectionIssues id="settings-issues" items={issues?.settingsOther} />
      </section>

      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? (props.mode === 'create' ? 'Connecting…' : 'Saving…') : verb}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SectionIssues({ id, items }: { id: string; items: string[] | undefined }) {
  if (!items?.length) return null;
  return (
    <ul id={id} className="error section-issues">
      {items.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
}
