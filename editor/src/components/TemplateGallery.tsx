// The templates gallery on the flows list: a card per ready flow (what it does, the channels it uses); "Use template"
// asks for what the template needs (a channel account of the right kind, a Slack channel id, a URL), if anything,
// creates the draft through POST /api/templates/:slug/flows and opens it in the editor.
import { useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../api/client.js';
import type { ChannelAccount } from '../api/types.js';
import type { TemplateSummary } from '../../../server/schemas/templates.js';
import { navigate } from '../session.js';

type Need = TemplateSummary['needs'][number];

/** Connectors every workspace has without setting anything up: left off the cards, which show what to connect. */
const BUILT_IN = new Set(['conversations', 'contacts']);

export function TemplateGallery({ api }: { api: Api }) {
  const [templates, setTemplates] = useState<TemplateSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<TemplateSummary | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  /** A template that needs nothing: one click creates the draft and opens it. */
  async function createNow(t: TemplateSummary) {
    setBusy(t.slug);
    setError(null);
    try {
      const flow = await api.useTemplate(t.slug, {});
      navigate(`/flows/${flow.id}`);
    } catch (err) {
      setError(`Not created: ${(err as Error).message}`);
      setBusy(null);
    }
  }

  useEffect(() => {
    api.templates().then(
      (r) => setTemplates(r.items),
      (e: Error) => setError(e.message),
    );
  }, [api]);

  return (
    <section className="templates" aria-labelledby="templates-title">
      <h2 id="templates-title">Templates</h2>
      <p className="muted">Ready flows for everyday customer conversations: pick one, choose your accounts, publish.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul className="template-list" aria-label="Templates">
        {templates?.map((t) => (
          <li key={t.slug} className="template-card" data-template={t.slug}>
            <h3>{t.name}</h3>
            <span className="badge category">{t.category}</span>
            <p>{t.description}</p>
            <p className="template-uses" aria-label={`${t.name} uses`}>
              {t.connectors
                .filter((c) => !BUILT_IN.has(c))
                .map((c) => (
                  <span key={c} className="badge">
                    {c}
                  </span>
                ))}
            </p>
            {open?.slug === t.slug ? (
              <UseTemplateForm api={api} template={t} onCancel={() => setOpen(null)} />
            ) : (
              <button
                type="button"
                aria-label={`Use template ${t.name}`}
                disabled={busy === t.slug}
                onClick={() => (t.needs.length === 0 ? void createNow(t) : setOpen(t))}
              >
                {busy === t.slug ? 'Creating…' : 'Use template'}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The template's needs as a form (a template that needs nothing never shows it). */
function UseTemplateForm({ api, template, onCancel }: { api: Api; template: TemplateSummary; onCancel: () => void }) {
  const [accounts, setAccounts] = useState<ChannelAccount[] | null>(null);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(template.needs.map((n) => [n.key, n.default ?? ''])),
  );
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsAccounts = template.needs.some((n) => n.kind === 'account');

  useEffect(() => {
    if (!needsAccounts) return;
    api.channelAccounts().then(
      (list) => {
        setAccounts(list);
        // One account of the kind needed: picked for the user.
        setValues((v) => {
          const next = { ...v };
          for (const n of template.needs) {
            const mine = list.filter((a) => a.connector === n.connector);
            if (n.kind === 'account' && !next[n.key] && mine.length === 1) next[n.key] = mine[0]!.id;
          }
          return next;
        });
      },
      (e: Error) => setError(e.message),
    );
  }, [api, template, needsAccounts]);

  async function create(e?: FormEvent) {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    setIssues({});
    try {
      const flow = await api.useTemplate(template.slug, values);
      navigate(`/flows/${flow.id}`);
    } catch (err) {
      const found = (err as { issues?: { path: string; message: string }[] }).issues ?? [];
      setIssues(
        Object.fromEntries(
          found.filter((i) => i.path.startsWith('/body/values/')).map((i) => [i.path.slice(13), i.message]),
        ),
      );
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <form className="template-form" onSubmit={create} aria-label={`Set up ${template.name}`}>
      {template.needs.map((n) => (
        <NeedField
          key={n.key}
          need={n}
          accounts={accounts}
          value={values[n.key] ?? ''}
          issue={issues[n.key]}
          onChange={(v) => setValues((all) => ({ ...all, [n.key]: v }))}
        />
      ))}
      {error && (
        <p role="alert" className="error">
          Not created: {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create flow'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function NeedField(props: {
  need: Need;
  accounts: ChannelAccount[] | null;
  value: string;
  issue: string | undefined;
  onChange: (v: string) => void;
}) {
  const { need, accounts, value, issue, onChange } = props;
  const id = `need-${need.key}`;
  const hint = need.description && <small className="muted">{need.description}</small>;
  if (need.kind === 'account') {
    const mine = (accounts ?? []).filter((a) => a.connector === need.connector);
    return (
      <div className="field">
        <label htmlFor={id}>{need.label}</label>
        <select
          id={id}
          value={value}
          aria-invalid={issue ? true : undefined}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">{accounts === null ? 'Loading accounts…' : `Choose a ${need.connector} account`}</option>
          {mine.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        {accounts !== null && mine.length === 0 && (
          <small className="muted">
            No {need.connector} account yet: <a href="/channels">connect one under Channels</a> first.
          </small>
        )}
        {hint}
        {issue && <small className="error">{issue}</small>}
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{need.label}</label>
      <input
        id={id}
        value={value}
        placeholder={need.placeholder}
        aria-invalid={issue ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint}
      {issue && <small className="error">{issue}</small>}
    </div>
  );
}
