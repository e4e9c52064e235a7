// CRM sync at the CRMs' declared rate limits: real server and worker processes, a fresh database, their own Temporal
// dev server, a HubSpot and a Pipedrive account (the testkit fakes, enforcing their published limits and sending
// their signed webhooks back to the server). BENCH_CRM_CONTACTS (1,000) contacts are made and each changed until
// there were BENCH_CRM_CHANGES (10,000) changes, through PATCH /api/contacts/:id as people would (one contact's
// changes close together, as a conversation's are); then both CRMs go
// down for BENCH_CRM_OUTAGE_S (60) s while every contact changes once more. Figures: time until both CRMs hold every
// contact's last values, calls made, 429s, the fullest window of the limit's interval, and the time to catch up after
// the outage. Exits 1 when a change is lost (a CRM's record differs from the contact) or duplicated (a contact with
// two records), or a window holds more calls than the limit. Writes bench/results/crm-sync.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { resolveIdentities } from '../connectors/contacts/identity.js';
import { startHubSpotFake, startPipedriveFake } from '../connectors/testkit/index.js';
import { createPrisma } from '../prisma/client.js';
import { createContactsService } from '../prisma/contacts.js';
import { REPO_ROOT } from '../test/processes.js';
import { forEachLimit, startBenchStack } from './bench-processes.js';
import { maxInWindow } from './channel-figures.js';

const CONTACTS = Number(process.env.BENCH_CRM_CONTACTS ?? 1000);
const CHANGES = Number(process.env.BENCH_CRM_CHANGES ?? 10_000);
const OUTAGE_S = Number(process.env.BENCH_CRM_OUTAGE_S ?? 60);
const CONCURRENCY = 16;
const DRAIN_TIMEOUT_MS = 30 * 60_000;
const HUBSPOT_LIMIT = { limit: 100, intervalMs: 10_000 }; // connectors/hubspot/index.ts (Free/Starter private apps)
const PIPEDRIVE_LIMIT = { limit: 10, intervalMs: 2_000 }; // connectors/pipedrive/index.ts (search limit, every plan)
const HUBSPOT_TOKEN = 'pat-na1-bench-token';
const PIPEDRIVE_TOKEN = 'b'.repeat(40);
const HOOK = { user: 'confluo', password: 'a-long-webhook-password' };

interface Want {
  email: string;
  name: string;
  jobTitle?: string;
}

async function main() {
  const stack = await startBenchStack('crm');
  const hubspot = await startHubSpotFake({ accessToken: HUBSPOT_TOKEN, clientSecret: 'bench-secret', portalId: 7070 });
  const pipedrive = await startPipedriveFake({ apiToken: PIPEDRIVE_TOKEN, companyId: 9090 });
  const prisma = createPrisma(stack.database.url);
  try {
    const hs = await stack.api('POST', '/api/channel-accounts', {
      connector: 'hubspot',
      name: 'Bench HubSpot',
      credentials: { accessToken: HUBSPOT_TOKEN, clientSecret: 'bench-secret' },
      settings: { apiBaseUrl: hubspot.url },
    });
    hubspot.setWebhookUrl(hs.inboundUrl);
    const pd = await stack.api('POST', '/api/channel-accounts', {
      connector: 'pipedrive',
      name: 'Bench Pipedrive',
      credentials: { apiToken: PIPEDRIVE_TOKEN, webhookUser: HOOK.user, webhookPassword: HOOK.password },
      settings: { apiBaseUrl: pipedrive.url },
    });
    pipedrive.subscribe({ url: pd.inboundUrl, ...HOOK });
    const workspaceId = (await prisma.workspace.findFirstOrThrow({ select: { id: true } })).id;
    const contacts = createContactsService(prisma);

    // Changes: each contact made (a channel's first delivery), then PATCHed in rounds until CHANGES were made.
    const want = new Map<string, Want>();
    const t0 = Date.now();
    const ids: string[] = [];
    await forEachLimit(
      Array.from({ length: CONTACTS }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const email = `customer${i}@example.com`;
        const { contact } = await contacts.upsert(workspaceId, {
          identities: resolveIdentities([{ kind: 'email', value: email }]),
          name: `Customer ${i}`,
          source: { type: 'api' },
        });
        ids[i] = contact.id;
        want.set(contact.id, { email, name: `Customer ${i}` });
      },
    );
    // Each contact's later changes come close together, as a conversation's do (a name learnt, a role, a correction):
    // the debounce coalesces what arrives within it.
    const perContact = (i: number) =>
      Math.floor((CHANGES - CONTACTS) / CONTACTS) + (i < (CHANGES - CONTACTS) % CONTACTS ? 1 : 0);
    await forEachLimit(ids, CONCURRENCY, async (id, i) => {
      const w = want.get(id)!;
      for (let k = 0; k < perContact(i); k++) {
        if (k % 2 === 0) {
          const name = `Customer ${i} v${k}`;
          await stack.api('PATCH', `/api/contacts/${id}`, { name });
          w.name = name;
        } else {
          const jobTitle = `Role ${k}`;
          await stack.api('PATCH', `/api/contacts/${id}`, { attributes: { jobTitle } });
          w.jobTitle = jobTitle;
        }
      }
    });
    const changesDoneMs = Date.now() - t0;
    console.log(`${CHANGES} changes made in ${(changesDoneMs / 1000).toFixed(1)} s; waiting for both CRMs`);
    const synced = await drained(prisma, [hs.id, pd.id], want, hubspot, pipedrive, t0);

    // The outage: both CRMs down while every contact changes once more, then back.
    const outageStart = Date.now();
    hubspot.outage(true);
    pipedrive.outage(true);
    await forEachLimit([...want.keys()], CONCURRENCY, async (id) => {
      const jobTitle = `After outage ${id.slice(-6)}`;
      await stack.api('PATCH', `/api/contacts/${id}`, { attributes: { jobTitle } });
      want.get(id)!.jobTitle = jobTitle;
    });
    const left = OUTAGE_S * 1000 - (Date.now() - outageStart);
    if (left > 0) await delay(left);
    const pendingAtEnd = await pendingCount(prisma, [hs.id, pd.id]);
    hubspot.outage(false);
    pipedrive.outage(false);
    const outageEnd = Date.now();
    const caughtUp = await drained(prisma, [hs.id, pd.id], want, hubspot, pipedrive, outageEnd);

    const nonSearch = hubspot.requests.filter((r) => r.path.startsWith('/crm/') && !r.path.endsWith('/search'));
    const searches = hubspot.requests.filter((r) => r.path.endsWith('/search'));
    const pdCalls = pipedrive.requests.filter((r) => r.path.startsWith('/api/') || r.path.startsWith('/v1/'));
    const hsWindow = maxInWindow(
      nonSearch.filter((r) => r.receivedAt < outageStart || r.receivedAt > outageEnd).map((r) => r.receivedAt),
      HUBSPOT_LIMIT.intervalMs,
    );
    const pdWindow = maxInWindow(
      pdCalls.filter((r) => r.receivedAt < outageStart || r.receivedAt > outageEnd).map((r) => r.receivedAt),
      PIPEDRIVE_LIMIT.intervalMs,
    );
    const results = {
      contacts: CONTACTS,
      changes: CHANGES,
      outageS: OUTAGE_S,
      changesMadeS: changesDoneMs / 1000,
      hubspot: {
        syncedS: synced.hubspot / 1000,
        caughtUpAfterOutageS: caughtUp.hubspot / 1000,
        calls: nonSearch.length,
        searches: searches.length,
        rateLimited: hubspot.rateLimited,
        maxInWindow: hsWindow.count,
        limit: HUBSPOT_LIMIT,
        webhookDeliveries: hubspot.deliveries.length,
        byEndpoint: byEndpoint(hubspot.requests),
      },
      pipedrive: {
        syncedS: synced.pipedrive / 1000,
        caughtUpAfterOutageS: caughtUp.pipedrive / 1000,
        calls: pdCalls.length,
        maxInWindow: pdWindow.count,
        limit: PIPEDRIVE_LIMIT,
        webhookDeliveries: pipedrive.deliveries.length,
        byEndpoint: byEndpoint(pipedrive.requests),
      },
      pendingWhenOutageEnded: pendingAtEnd,
      lost: caughtUp.lost,
      duplicated: caughtUp.duplicated,
    };
    const file = join(REPO_ROOT, 'bench', 'results', 'crm-sync.json');
    writeFileSync(file, JSON.stringify(results, null, 2));
    const row = (what: string, value: string, target: string) =>
      console.log(`${what.padEnd(46)} ${value.padStart(14)}   ${target}`);
    console.log(`\nCRM sync: ${CONTACTS} contacts, ${CHANGES} changes, then a ${OUTAGE_S} s outage of both CRMs`);
    row('changes made (PATCH through the API)', `${results.changesMadeS.toFixed(1)} s`, '');
    for (const [name, r] of [
      ['HubSpot', results.hubspot],
      ['Pipedrive', results.pipedrive],
    ] as const) {
      row(`${name}: every contact's last values`, `${r.syncedS.toFixed(1)} s`, 'after the first change');
      row(`${name}: caught up after the outage`, `${r.caughtUpAfterOutageS.toFixed(1)} s`, 'after it ended');
      row(`${name}: calls (search apart)`, String(r.calls), '');
      row(
        `${name}: fullest ${r.limit.intervalMs / 1000} s window`,
        String(r.maxInWindow),
        `≤ ${r.limit.limit} (${r.maxInWindow <= r.limit.limit ? 'met' : 'BROKEN'})`,
      );
    }
    row('HubSpot: 429s (search limit 4/s, waited out)', String(results.hubspot.rateLimited), 'each honoured');
    row('pending when the outage ended', String(pendingAtEnd), '');
    row('changes lost', String(results.lost), '0');
    row('contacts with two records', String(results.duplicated), '0');
    console.log(`written ${file}`);
    const broken =
      results.lost > 0 ||
      results.duplicated > 0 ||
      hsWindow.count > HUBSPOT_LIMIT.limit ||
      pdWindow.count > PIPEDRIVE_LIMIT.limit;
    if (broken) process.exitCode = 1;
  } finally {
    await hubspot.close();
    await pipedrive.close();
    await prisma.$disconnect();
    await stack.stop();
  }
}

/** Calls per endpoint (ids folded): where the calls go. */
function byEndpoint(requests: readonly { method: string; path: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of requests) {
    const key = `${r.method} ${r.path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

async function pendingCount(prisma: ReturnType<typeof createPrisma>, accounts: string[]): Promise<number> {
  return prisma.crmLink.count({ where: { accountId: { in: accounts }, pending: true } });
}

/**
 * Waits until each CRM holds every contact's wanted values; the ms each took from `since`, and what is still wrong at
 * the deadline (records that differ: lost; contacts with more than one record: duplicated).
 */
async function drained(
  prisma: ReturnType<typeof createPrisma>,
  accounts: string[],
  want: Map<string, Want>,
  hubspot: Awaited<ReturnType<typeof startHubSpotFake>>,
  pipedrive: Awaited<ReturnType<typeof startPipedriveFake>>,
  since: number,
) {
  const check = () => {
    const hsBy = new Map<string, Array<Record<string, string>>>();
    for (const r of hubspot.records('contacts')) {
      const list = hsBy.get(r.properties.email ?? '') ?? [];
      list.push(r.properties);
      hsBy.set(r.properties.email ?? '', list);
    }
    const pdBy = new Map<string, Array<{ name: string; job_title?: string | null }>>();
    for (const p of pipedrive.persons.values()) {
      if (p.is_deleted) continue;
      const email = p.emails[0]?.value ?? '';
      const list = pdBy.get(email) ?? [];
      list.push(p);
      pdBy.set(email, list);
    }
    let hsWrong = 0;
    let pdWrong = 0;
    let duplicated = 0;
    for (const w of want.values()) {
      const h = hsBy.get(w.email) ?? [];
      const p = pdBy.get(w.email) ?? [];
      if (h.length > 1 || p.length > 1) duplicated++;
      const name = (r: Record<string, string>) => `${r.firstname ?? ''} ${r.lastname ?? ''}`.trim();
      if (!h[0] || name(h[0]) !== w.name || (w.jobTitle !== undefined && h[0].jobtitle !== w.jobTitle)) hsWrong++;
      if (!p[0] || p[0].name !== w.name || (w.jobTitle !== undefined && p[0].job_title !== w.jobTitle)) pdWrong++;
    }
    return { hsWrong, pdWrong, duplicated };
  };
  const done: { hubspot: number; pipedrive: number } = { hubspot: NaN, pipedrive: NaN };
  const until = Date.now() + DRAIN_TIMEOUT_MS;
  let last = check();
  let lastLog = 0;
  while (Date.now() < until) {
    last = check();
    if (last.hsWrong === 0 && Number.isNaN(done.hubspot)) done.hubspot = Date.now() - since;
    if (last.pdWrong === 0 && Number.isNaN(done.pipedrive)) done.pipedrive = Date.now() - since;
    if (!Number.isNaN(done.hubspot) && !Number.isNaN(done.pipedrive)) break;
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      console.log(
        `  ${((Date.now() - since) / 1000).toFixed(0)} s: HubSpot ${want.size - last.hsWrong}/${want.size}, ` +
          `Pipedrive ${want.size - last.pdWrong}/${want.size}, pending ${await pendingCount(prisma, accounts)}`,
      );
    }
    await delay(250);
  }
  return { ...done, lost: Math.max(last.hsWrong, last.pdWrong), duplicated: last.duplicated };
}

await main();
