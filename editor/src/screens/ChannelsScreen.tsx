// Channels (`/channels`): the workspace's channel accounts, and its CRM accounts (same API, same forms), with their
// inbound URLs; connecting one (`/channels/new`: pick a channel or a CRM, then `/channels/new/<connector>`: name,
// credentials, settings) and editing one (`/channels/<id>/edit`). Credentials never come back from the server: only
// their key names.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Api } from '../api/client.js';
import type { ChannelAccount, ConnectorManifest } from '../api/types.js';
import { channelsPath, type ChannelsRoute } from '../channels/route.js';
import {
  channelConnectors,
  crmConnectors,
  inboundLabel,
  isCrm,
  type AccountConnector,
  type ChannelConnector,
  type CrmConnector,
} from '../channels/setup.js';
import { ChannelAccountCard } from '../components/ChannelAccountCard.js';
import { go, TopBar } from '../components/TopBar.js';
import { navigate } from '../session.js';

// The form library and its JSON Schema validator: loaded when a form is first opened, not for the list.
const ChannelAccountForm = lazy(() =>
  import('../components/ChannelAccountForm.js').then((m) => ({ default: m.ChannelAccountForm })),
);

interface Notice {
  text: string;
  accountId?: string;
}

export function ChannelsScreen({ api, route, onSignOut }: { api: Api; route: ChannelsRoute; onSignOut: () => void }) {
  const [manifests, setManifests] = useState<ConnectorManifest[] | null>(null);
  const [accounts, setAccounts] = useState<ChannelAccount[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const load = useCallback(() => {
    api.connectors().then(setManifests, (e: Error) => setError(e.message));
    api.channelAccounts().then(
      (list) => (setAccounts(list), setError(null)),
      (e: Error) => setError(e.message),
    );
  }, [api]);
  useEffect(load, [load]);

  const channels = useMemo(() => channelConnectors(manifests ?? []), [manifests]);
  const crms = useMemo(() => crmConnectors(manifests ?? []), [manifests]);
  const byId = useMemo(
    () => new Map<string, AccountConnector>([...channels, ...crms].map((c) => [c.id, c])),
    [channels, crms],
  );

  // A notice or a failed delete belongs to the view it was shown on.
  useEffect(() => {
    setActionError(null);
    if (route.view !== 'list') setNotice(null);
  }, [route.view]);

  const upsert = (a: ChannelAccount) =>
    setAccounts((list) => [a, ...(list ?? []).filter((x) => x.id !== a.id)].sort(newestFirst));

  async function remove(a: ChannelAccount) {
    const crm = byId.get(a.connector);
    if (
      !confirm(
        isCrm(crm)
          ? `Delete the CRM account “${a.name}”? Contacts stop syncing with ${crm.name} (what is there already stays), its webhooks will be refused, and flows using it will fail.`
          : `Delete the channel account “${a.name}”? Messages to its inbound URL will be refused, and flows using it will fail to send.`,
      )
    )
      return;
    try {
      await api.deleteChannelAccount(a.id);
      setAccounts((list) => (list ?? []).filter((x) => x.id !== a.id));
      setNotice({ text: `Deleted “${a.name}”.` });
      if (route.view !== 'list') navigate(channelsPath.list);
    } catch (e) {
      setActionError(`“${a.name}” could not be deleted: ${(e as Error).message}`);
    }
  }

  let body: ReactNode;
  if (route.view === 'pick') {
    body = <Picker channels={channels} crms={crms} loading={manifests === null && !error} />;
  } else if (route.view === 'connect') {
    const connector = byId.get(route.connector);
    body = (
      <>
        <Back href={channelsPath.pick} label={isCrm(connector) ? 'Choose another CRM' : 'Choose another channel'} />
        <h1>Connect {connector?.name ?? route.connector}</h1>
        {connector ? (
          <>
            {connector.description && <p className="muted">{connector.description}</p>}
            {isCrm(connector) && (
              <p className="muted">
                Connecting checks the credentials with {connector.name}, then writes the workspace’s contacts to it and
                keeps both in step.
              </p>
            )}
            <Suspense fallback={<p className="muted">Loading the form…</p>}>
              <ChannelAccountForm
                key={connector.id}
                mode="create"
                connector={connector}
                onCancel={() => navigate(channelsPath.list)}
                onSave={async (b) => {
                  const created = await api.createChannelAccount(b);
                  upsert(created);
                  navigate(channelsPath.list);
                  setNotice({
                    text: isCrm(connector)
                      ? `“${created.name}” is connected: the workspace’s contacts are being written to ${connector.name}.`
                      : `“${created.name}” is connected.`,
                    accountId: created.id,
                  });
                }}
              />
            </Suspense>
          </>
        ) : (
          manifests !== null && <p className="error">This server has no “{route.connector}” channel or CRM.</p>
        )}
      </>
    );
  } else if (route.view === 'edit') {
    body = (
      <EditAccount
        api={api}
        accountId={route.accountId}
        listed={accounts?.find((a) => a.id === route.accountId)}
        byId={byId}
        manifestsLoaded={manifests !== null}
        onDelete={remove}
        onSaved={(a) => {
          upsert(a);
          navigate(channelsPath.list);
          setNotice({ text: `Saved “${a.name}”.`, accountId: a.id });
        }}
      />
    );
  } else {
    const now = Date.now();
    body = (
      <>
        <div className="row">
          <h1 className="grow">Channels</h1>
          <a className="button primary" href={channelsPath.pick} onClick={go(channelsPath.pick)}>
            Connect a channel
          </a>
        </div>
        <p className="muted">
          The accounts your flows and inbox talk through: a phone number, a bot, a mailbox, a chat on your website; and
          the CRMs your contacts are kept in step with.
        </p>
        {notice && (
          <p role="status" className="notice">
            {notice.text}
          </p>
        )}
        {accounts === null && !error && <p className="muted">Loading…</p>}
        {accounts?.length === 0 && (
          <p className="empty">No channels yet. Press “Connect a channel” to add your first one.</p>
        )}
        <ul className="account-list" aria-label="Channel accounts">
          {accounts?.map((a) => (
            <ChannelAccountCard
              key={a.id}
              account={a}
              connector={byId.get(a.connector)}
              highlight={notice?.accountId === a.id}
              now={now}
              onDelete={() => void remove(a)}
            />
          ))}
        </ul>
      </>
    );
  }

  return (
    <div className="page">
      <TopBar current="channels" onSignOut={onSignOut} />
      <main className="channels">
        {[error, actionError].map(
          (e, i) =>
            e && (
              <p key={i} role="alert" className="error">
                {e}
              </p>
            ),
        )}
        {body}
      </main>
    </div>
  );
}

const newestFirst = (a: ChannelAccount, b: ChannelAccount) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '');

function Back({ href, label }: { href: string; label: string }) {
  return (
    <a href={href} onClick={go(href)} className="back">
      ← {label}
    </a>
  );
}

function Picker({ channels, crms, loading }: { channels: ChannelConnector[]; crms: CrmConnector[]; loading: boolean }) {
  return (
    <>
      <Back href={channelsPath.list} label="Channels" />
      <h1>Connect a channel</h1>
      {loading && <p className="muted">Loading…</p>}
      <PickList label="Channels to connect" items={channels.map((c) => [c, inboundLabel(c.channel.inbound)])} />
      {crms.length > 0 && (
        <section aria-labelledby="pick-crm-heading">
          <h2 id="pick-crm-heading">CRM</h2>
          <p className="muted">
            A CRM account keeps the workspace’s contacts in step with the CRM, both ways; flows can use it too.
          </p>
          <PickList label="CRMs to connect" items={crms.map((c) => [c, 'CRM · two-way sync'])} />
        </section>
      )}
    </>
  );
}

function PickList({ label, items }: { label: string; items: [AccountConnector, string][] }) {
  return (
    <ul className="channel-picker" aria-label={label}>
      {items.map(([c, badge]) => {
        const href = channelsPath.connect(c.id);
        return (
          <li key={c.id}>
            <a href={href} onClick={go(href)} aria-label={c.name} aria-describedby={`pick-${c.id}`}>
              <span className="pick-name">{c.name}</span>
              <span id={`pick-${c.id}`} className="muted">
                {c.description ?? ''}
              </span>
              <span className="badge">{badge}</span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}

function EditAccount({
  api,
  accountId,
  listed,
  byId,
  manifestsLoaded,
  onSaved,
  onDelete,
}: {
  api: Api;
  accountId: string;
  listed: ChannelAccount | undefined;
  byId: ReadonlyMap<string, AccountConnector>;
  manifestsLoaded: boolean;
  onSaved: (a: ChannelAccount) => void;
  onDelete: (a: ChannelAccount) => Promise<void>;
}) {
  const [fetched, setFetched] = useState<ChannelAccount | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (listed) return;
    api.getChannelAccount(accountId).then(setFetched, (e: Error) => setError(e.message));
  }, [api, accountId, listed]);
  // The account as it was when the form opened: a list refresh must not reset what is being typed.
  const [account, setAccount] = useState<ChannelAccount | null>(null);
  useEffect(() => {
    if (!account && (listed ?? fetched)) setAccount(listed ?? fetched);
  }, [account, listed, fetched]);

  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!account || !manifestsLoaded) return <p className="muted">Loading…</p>;
  const connector = byId.get(account.connector);
  return (
    <>
      <Back href={channelsPath.list} label="Channels" />
      <div className="row">
        <h1 className="grow">Edit {account.name}</h1>
        <button type="button" className="danger" onClick={() => void onDelete(account)}>
          Delete account
        </button>
      </div>
      {connector ? (
        <Suspense fallback={<p className="muted">Loading the form…</p>}>
          <ChannelAccountForm
            key={account.id}
            mode="edit"
            connector={connector}
            account={account}
            onCancel={() => navigate(channelsPath.list)}
            onSave={async (patch) => onSaved(await api.updateChannelAccount(account.id, patch))}
          />
        </Suspense>
      ) : (
        <p className="error">
          The “{account.connector}” connector is not installed on this server: this account can only be deleted.
        </p>
      )}
    </>
  );
}
