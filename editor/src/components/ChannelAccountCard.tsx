// One account in the Channels list, a channel's or a CRM's: what it is, where its inbound URL goes (with a Copy button),
// the web chat embed snippet, a CRM's two-way sync in a line, and Edit / Delete.
import type { ChannelAccount } from '../api/types.js';
import { channelsPath } from '../channels/route.js';
import {
  crmSyncText,
  inboundLabel,
  isCrm,
  publicBase,
  setupHint,
  webchatDemoUrl,
  webchatSnippet,
  type AccountConnector,
} from '../channels/setup.js';
import { relativeTime, shortDate } from '../inbox/format.js';
import { CopyButton } from './CopyButton.js';
import { go } from './TopBar.js';

export function ChannelAccountCard({
  account,
  connector,
  highlight,
  now,
  onDelete,
}: {
  account: ChannelAccount;
  connector: AccountConnector | undefined;
  highlight: boolean;
  now: number;
  onDelete: () => void;
}) {
  const id = account.id;
  const base = publicBase(account, location.origin);
  const snippet = account.connector === 'webchat' ? webchatSnippet(base, id) : null;
  const unreadable = account.credentialsReadable === false;
  const edit = channelsPath.edit(id);
  const crm = isCrm(connector);
  return (
    <li className={`account${highlight ? ' just-added' : ''}`} aria-labelledby={`account-${id}-name`}>
      <div className="account-head">
        <strong id={`account-${id}-name`} className="account-name">
          {account.name}
        </strong>
        <span className="badge">{connector?.name ?? account.connector}</span>
        <span className="badge">{crm ? 'CRM' : inboundLabel(connector?.channel?.inbound)}</span>
        {unreadable && (
          <span className="badge warn" title="The stored credentials do not decrypt with this server's secret key">
            ⚠ Credentials unreadable
          </span>
        )}
        <span className="grow" />
        {account.createdAt && <span className="muted">Added {shortDate(account.createdAt, now)}</span>}
        <a className="button" href={edit} onClick={go(edit)} aria-label={`Edit ${account.name}`}>
          Edit
        </a>
        <button type="button" className="danger" aria-label={`Delete ${account.name}`} onClick={onDelete}>
          Delete
        </button>
      </div>
      {unreadable && (
        <p className="warn">
          Its credentials cannot be read with this server’s secret key (was CONFLUO_SECRET_KEY changed?): nothing can be
          sent or received until you enter them again with Edit.
        </p>
      )}
      {account.inboundUrl && (
        <div className="copy-row">
          <label htmlFor={`inbound-${id}`}>Inbound URL</label>
          <input
            id={`inbound-${id}`}
            className="mono"
            readOnly
            value={account.inboundUrl}
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton text={account.inboundUrl} label={`Copy the inbound URL of ${account.name}`} />
        </div>
      )}
      <p className="setup-hint">{setupHint(account, connector)}</p>
      {crm && (
        <p className="crm-sync">
          Two-way contact sync: the workspace’s contacts are written to {connector.name} and kept in step; each
          contact’s page shows its record there.
        </p>
      )}
      {crm && account.crmSync && <CrmSyncLine state={account.crmSync} crmName={connector.name} now={now} />}
      {snippet && (
        <div className="copy-row">
          <label htmlFor={`snippet-${id}`}>Embed snippet</label>
          <textarea
            id={`snippet-${id}`}
            className="mono"
            readOnly
            rows={2}
            value={snippet}
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton text={snippet} label={`Copy the embed snippet of ${account.name}`} />
          <a href={webchatDemoUrl(base, id)} target="_blank" rel="noopener noreferrer" className="demo-link">
            Open the demo page ↗
          </a>
        </div>
      )}
    </li>
  );
}

function CrmSyncLine({
  state,
  crmName,
  now,
}: {
  state: NonNullable<ChannelAccount['crmSync']>;
  crmName: string;
  now: number;
}) {
  const ago = (iso: string) => {
    const r = relativeTime(iso, now);
    return r === 'now' ? 'just now' : /\d[mhd]$/.test(r) ? `${r} ago` : `on ${r}`;
  };
  const { stopped, text } = crmSyncText(state, crmName, ago);
  return (
    <p className={stopped ? 'warn' : 'muted'} role={stopped ? 'alert' : 'status'} data-testid="crm-sync-state">
      {stopped && '⚠ '}
      {text}
    </p>
  );
}
