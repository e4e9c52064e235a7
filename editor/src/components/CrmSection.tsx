// The contact page's CRM section: per connected CRM account, its record of the contact and where the sync stands
// (`GET /api/contacts/:id/crm`), polled every few seconds while a sync is pending or retrying; `refresh` changing
// (an edit saved) fetches it again at once.
import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { CrmLinkStatus } from '../api/types.js';
import { crmStatusText, crmSyncing, syncedText } from '../contacts/view.js';
import { usePoll } from '../screens/use-poll.js';
import { go } from './TopBar.js';

const POLL_MS = 2000;

export function CrmSection({ api, contactId, refresh }: { api: Api; contactId: string; refresh: number }) {
  const [links, setLinks] = useState<CrmLinkStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const load = useCallback(
    () =>
      api.contactCrm(contactId).then(
        (r) => {
          setLinks(r.items);
          setNow(Date.now());
          setError(null);
        },
        (e: Error) => setError(e.message),
      ),
    [api, contactId],
  );
  useEffect(() => {
    void load();
  }, [load, refresh]);
  usePoll(load, POLL_MS, links !== null && crmSyncing(links));
  // "last synced 2 min ago" keeps true between fetches.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  return (
    <section aria-labelledby="crm-title">
      <h2 id="crm-title">CRM</h2>
      {error && <p className="error">{error}</p>}
      {links === null && !error && <p className="muted">Loading…</p>}
      {links?.length === 0 && (
        <p className="empty">
          No CRM connected. CRM accounts (HubSpot, Pipedrive) are listed with the{' '}
          <a href="/channels" onClick={go('/channels')}>
            channel accounts
          </a>
          .
        </p>
      )}
      {links && links.length > 0 && (
        <ul className="crm-list" aria-label="CRM accounts">
          {links.map((l, n) => (
            <li key={`${l.accountId}:${l.recordId ?? n}`} aria-label={`${l.accountName} (${l.connector})`}>
              <span className="crm-account">
                {l.accountName} <span className="muted">({l.connector})</span>
              </span>{' '}
              <span className={`crm-status crm-status-${l.status}`} data-status={l.status}>
                {crmStatusText(l)}
              </span>{' '}
              <span className="muted crm-record">{l.recordId ? `record ${l.recordId}` : 'no record yet'}</span>
              {', '}
              <span className="muted crm-synced" title={l.syncedAt ? new Date(l.syncedAt).toLocaleString() : undefined}>
                {syncedText(l.syncedAt, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
