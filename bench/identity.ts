// Identity resolution as a new user meets it: customers writing on 2-4 channels each with realistic noise
// (bench/identity-data.ts), sent as signed provider deliveries to real server and worker processes, shop orders to a
// flow's webhook (`contacts.upsert`); then which contact each delivery landed on, read back through the API, scored
// pairwise against the ground truth. Writes bench/results/identity.json. README.md says what exactly is measured.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  startInstagramFake,
  startMessengerFake,
  startSlackFake,
  startTelegramFake,
  startTwilioFake,
  startWhatsAppFake,
  type FakeServer,
} from '../connectors/testkit/index.js';
import { resolveIdentity, whatsappPhone } from '../connectors/contacts/identity.js';
import { REPO_ROOT, waitFor } from '../test/processes.js';
import { forEachLimit, latency, startBenchStack } from './bench-processes.js';
import {
  generateIdentityData,
  knowsAllButNameless,
  whatDeliveriesTell,
  mergeOnAny,
  scorePairs,
  type Delivery,
  type Tally,
} from './identity-data.js';

const CUSTOMERS = Number(process.env.BENCH_IDENTITY_CUSTOMERS ?? 1000);
const SEED = Number(process.env.BENCH_SEED ?? 1);
/** Deliveries in flight at once (the providers' webhooks arrive in parallel too). */
const CONCURRENCY = Number(process.env.BENCH_IDENTITY_CONCURRENCY ?? 8);
/** Time for every ingest and run to finish after the last delivery, or the bench reports what is left. */
const SETTLE_TIMEOUT_MS = Number(process.env.BENCH_IDENTITY_SETTLE_MS ?? 600_000);
const TARGET = { precision: 0.999, recall: 0.98 };

const BUSINESS = '+14155550100';
const TWILIO = { accountSid: `AC${'7'.repeat(32)}`, authToken: 'bench-twilio-token' };
const META = { accessToken: 'EAAG-bench', appSecret: 'bench-meta-secret', verifyToken: 'bench-verify' };
const PHONE_NUMBER_ID = '106540352242922';
const PAGE_ID = '106540352240001';
const IG_ID = '17841405822300001';

/** The contact a delivery's identities give under the documented rules, for the "covered by the rules" recall. */
const rulesKeys = (d: Delivery) =>
  d.written.flatMap((w) => {
    // A WhatsApp sender's phone is read from the id by WhatsApp's own rule (the ninth digit put back in Brazil).
    if (d.send.channel === 'whatsapp' && w.kind === 'phone') {
      const phone = whatsappPhone(d.send.waId);
      return phone ? [`phone:${phone}`] : [];
    }
    const r = resolveIdentity({ kind: w.kind, value: w.value }, w.defaultCountry);
    return r.valid ? [`${r.kind}:${r.key}`] : [];
  });

/** A merged contact's root (GET /api/contacts/<merged id> answers the row with `mergedInto`). */
function mergedInto(contact: Record<string, unknown>): string | undefined {
  const v = contact.mergedInto;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

async function main() {
  const started = Date.now();
  const data = generateIdentityData({ customers: CUSTOMERS, seed: SEED });
  const stack = await startBenchStack('identity');
  const fakes: FakeServer[] = [];
  let connection: Connection | undefined;
  try {
    const { api, call, base } = stack;
    connection = await Connection.connect({ address: stack.temporal.address });
    const temporal = new Client({ connection });

    // Providers' fakes and one account on each channel, created through the API.
    const [twilio, wa, messenger, instagram, tg, slack] = await Promise.all([
      startTwilioFake(TWILIO),
      startWhatsAppFake({ accessToken: META.accessToken, phoneNumberId: PHONE_NUMBER_ID, appSecret: META.appSecret }),
      startMessengerFake({ pageAccessToken: META.accessToken, appSecret: META.appSecret, pageId: PAGE_ID }),
      startInstagramFake({ accessToken: META.accessToken, appSecret: META.appSecret, igAccountId: IG_ID }),
      startTelegramFake({ token: '7200000001:AAH-bench-identity' }),
      startSlackFake({ botToken: 'xoxb-bench', signingSecret: 'bench-slack-signing' }),
    ]);
    fakes.push(twilio, wa, messenger, instagram, tg, slack);
    const account = (body: object) => api<{ id: string; inboundUrl: string }>('POST', '/api/channel-accounts', body);
    const accounts = {
      sms: await account({
        connector: 'sms',
        name: 'SMS',
        credentials: TWILIO,
        settings: { from: BUSINESS, apiBaseUrl: twilio.url },
      }),
      whatsapp: await account({
        connector: 'whatsapp',
        name: 'WhatsApp',
        credentials: META,
        settings: { phoneNumberId: PHONE_NUMBER_ID, apiBaseUrl: wa.url },
      }),
      messenger: await account({
        connector: 'messenger',
        name: 'Messenger',
        credentials: { pageAccessToken: META.accessToken, appSecret: META.appSecret, verifyToken: META.verifyToken },
        settings: { pageId: PAGE_ID, apiBaseUrl: messenger.url },
      }),
      instagram: await account({
        connector: 'instagram',
        name: 'Instagram',
        credentials: META,
        settings: { igAccountId: IG_ID, apiBaseUrl: instagram.url },
      }),
      telegram: await account({
        connector: 'telegram',
        name: 'Telegram',
        credentials: { botToken: tg.token },
        settings: { apiBaseUrl: tg.url },
      }),
      slack: await account({
        connector: 'slack',
        name: 'Slack',
        credentials: { botToken: slack.botToken, signingSecret: slack.signingSecret },
        settings: { apiBaseUrl: `${slack.url}/api` },
      }),
      webchat: await account({ connector: 'webchat', name: 'Website', credentials: {}, settings: {} }),
    };
    // Shop orders: a webhook flow whose one step files the buyer under their email and phone.
    const flow = await api('POST', '/api/flows', {
      name: 'Shop orders → contacts',
      definition: {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [
          {
            id: 'save',
            type: 'action',
            action: 'contacts.upsert',
            input: {
              email: '{{ trigger.body.email }}',
              phone: '{{ trigger.body.phone }}',
              name: '{{ trigger.body.name }}',
              defaultCountry: '{{ trigger.body.country }}',
            },
          },
        ],
        edges: [{ from: 'trigger', to: 'save' }],
      },
    });
    const shopHook = ((await api('POST', `/api/flows/${flow.id}/publish`)).webhookUrl as string).replace(
      /^https?:\/\/[^/]+/,
      base,
    );
    // One web chat visitor per customer that uses the chat (a returning browser keeps its visitor id).
    const visitors = await Promise.all(
      Array.from({ length: data.visitors }, async () => {
        const res = await fetch(`${base}/webchat/${accounts.webchat.id}/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: base },
          body: '{}',
        });
        if (!res.ok) throw new Error(`web chat session: ${res.status} ${await res.text()}`);
        return (await res.json()) as { visitorId: string; token: string };
      }),
    );

    // Send every delivery, shuffled across customers and channels.
    const pmid = new Map<string, string>(); // delivery id → provider message id (what the messages API shows)
    const runOf = new Map<string, string>(); // shop order delivery id → run id
    const refused: { id: string; channel: string; status: number; body: string }[] = [];
    const answerMs: number[] = [];
    let telegramMessage = 1;
    const text = (d: Delivery) => `Hello, about my order (${d.id})`;
    const send = async (d: Delivery): Promise<{ status: number; body: string }> => {
      const s = d.send;
      switch (s.channel) {
        case 'sms': {
          const r = await twilio.sendInboundSms({
            url: accounts.sms.inboundUrl,
            from: s.from,
            to: BUSINESS,
            body: text(d),
          });
          pmid.set(d.id, r.params.MessageSid!);
          return r;
        }
        case 'whatsapp': {
          const id = `wamid.bench_${d.id}`;
          pmid.set(d.id, id);
          return wa.sendInboundMessage(accounts.whatsapp.inboundUrl, { from: s.waId, text: text(d), name: s.name, id });
        }
        case 'messenger':
        case 'instagram': {
          const mid = `mid.bench_${d.id}`;
          pmid.set(d.id, mid);
          const fake = s.channel === 'messenger' ? messenger : instagram;
          const senderId = s.channel === 'messenger' ? s.psid : s.igsid;
          return fake.sendInboundMessage(accounts[s.channel].inboundUrl, { senderId, text: text(d), mid });
        }
        case 'slack': {
          const channel = `D${s.user.slice(1)}`;
          const r = await slack.sendMessageEvent(accounts.slack.inboundUrl, {
            user: s.user,
            channel,
            text: text(d),
            channel_type: 'im',
          });
          pmid.set(d.id, `${channel}:${r.payload.event.ts}`);
          return r;
        }
        case 'telegram': {
          const messageId = telegramMessage++;
          pmid.set(d.id, `${s.userId}:${messageId}`);
          const from = { id: s.userId, is_bot: false, first_name: s.firstName, last_name: s.lastName };
          return tg.sendUpdate({
            update_id: messageId,
            message: {
              message_id: messageId,
              date: Math.floor(Date.now() / 1000),
              chat: { id: s.userId, type: 'private', first_name: s.firstName },
              from,
              // The request_contact button sends the user's own contact card and no text.
              ...(s.sharedPhone
                ? {
                    contact: {
                      phone_number: s.sharedPhone,
                      first_name: s.firstName,
                      last_name: s.lastName,
                      user_id: s.userId,
                    },
                  }
                : { text: text(d) }),
            },
          });
        }
        case 'webchat': {
          const v = visitors[s.visitor]!;
          pmid.set(d.id, `${v.visitorId}:${d.id}`);
          const res = await fetch(accounts.webchat.inboundUrl, {
            method: 'POST',
            headers: { 'content-type': 'text/plain', origin: base },
            body: JSON.stringify({
              visitorId: v.visitorId,
              token: v.token,
              text: text(d),
              clientMessageId: d.id,
              name: s.name,
              ...(s.email !== undefined && { email: s.email }),
            }),
          });
          return { status: res.status, body: await res.text() };
        }
        case 'shop': {
          const res = await fetch(shopHook, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ orderId: d.id, email: s.email, phone: s.phone, name: s.name, country: s.country }),
          });
          const body = await res.text();
          if (res.status === 202) runOf.set(d.id, (JSON.parse(body) as { runId: string }).runId);
          return { status: res.status, body };
        }
      }
    };
    const t0 = performance.now();
    await forEachLimit(data.deliveries, CONCURRENCY, async (d) => {
      const s = performance.now();
      const r = await send(d).catch((err: unknown) => ({ status: 0, body: String(err) }));
      answerMs.push(performance.now() - s);
      if (r.status < 200 || r.status >= 300)
        refused.push({ id: d.id, channel: d.channel, status: r.status, body: r.body });
    });
    const sentMs = performance.now() - t0;
    console.log(`${data.deliveries.length} deliveries sent in ${(sentMs / 1000).toFixed(1)} s; waiting for ingests`);

    // Every ingest and run finished: nothing left running on this bench's own Temporal server (twice in a row).
    let quiet = 0;
    let running = -1;
    await waitFor(
      'ingests and runs to finish',
      async () => {
        running = (await temporal.workflow.count('ExecutionStatus="Running"')).count;
        quiet = running === 0 ? quiet + 1 : 0;
        return quiet >= 2;
      },
      SETTLE_TIMEOUT_MS,
      1000,
    ).catch((err: Error) => console.warn(`${err.message} (${running} still running): scoring what is there`));
    const settledMs = performance.now() - t0;
    const failedWorkflows = (await temporal.workflow.count('ExecutionStatus="Failed"')).count;

    // Read back: every inbound message, through the conversations API, by provider message id.
    const landed = new Map<string, string>();
    const conversations: string[] = [];
    for (let cursor: string | undefined, pages = 0; pages < 10_000; pages++) {
      const page = await api(
        'GET',
        `/api/conversations?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      conversations.push(...(page.items as { id: string }[]).map((c) => c.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    await forEachLimit(conversations, 8, async (id) => {
      for (let cursor: string | undefined, pages = 0; pages < 1000; pages++) {
        const page = await api(
          'GET',
          `/api/conversations/${id}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        for (const m of page.items as { direction: string; providerMessageId: string | null; contactId: string }[])
          if (m.direction === 'in' && m.providerMessageId) landed.set(m.providerMessageId, m.contactId);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
    });
    // Shop orders: the contact the run's contacts.upsert step answered.
    const runStatus = new Map<string, number>();
    await forEachLimit([...runOf.values()], 8, async (runId) => {
      const run = await call('GET', `/api/runs/${runId}`);
      const status = run.status === 200 ? (run.body.status as string) : `http ${run.status}`;
      runStatus.set(status, (runStatus.get(status) ?? 0) + 1);
      const step = (run.body?.steps as { nodeId: string; output?: { id?: string } }[] | undefined)?.find(
        (x) => x.nodeId === 'save',
      );
      if (step?.output?.id) landed.set(`run:${runId}`, step.output.id);
    });
    // The merged (root) contact, where the API reports one: a merge pointer, or another id answered for this one.
    const root = new Map<string, string>();
    let unreadable = 0;
    await forEachLimit([...new Set(landed.values())], 8, async (id) => {
      let at = id;
      for (let hop = 0; hop < 5; hop++) {
        const res = await call('GET', `/api/contacts/${at}`);
        if (res.status !== 200) {
          if (hop === 0) unreadable++;
          break;
        }
        const next = mergedInto(res.body) ?? (res.body.id !== at ? (res.body.id as string) : undefined);
        if (!next || next === at) break;
        at = next;
      }
      root.set(id, at);
    });
    const contactOf = (d: Delivery) => {
      const key = d.channel === 'shop' ? `run:${runOf.get(d.id)}` : pmid.get(d.id);
      const c = key === undefined ? undefined : landed.get(key);
      return c === undefined ? undefined : (root.get(c) ?? c);
    };
    // The best a resolver can do from what the deliveries tell (whatDeliveriesTell): the wrong pairs it makes too are
    // ones no delivery tells apart.
    const tell = whatDeliveriesTell(data.deliveries);
    const score = scorePairs(data.customers, data.deliveries, contactOf, rulesKeys, 10, tell);
    // What merging on any shared identifier would give, with the true keys and with the rules' keys.
    const reference = Object.fromEntries(
      (
        [
          ['trueIdentifiers', (d: Delivery) => d.truth],
          ['rulesKeys', rulesKeys],
        ] as const
      ).map(([name, keys]) => {
        const s = scorePairs(data.customers, data.deliveries, mergeOnAny(data.deliveries, keys), rulesKeys);
        return [name, { precision: s.precision, recall: s.recall, recallOfRules: s.recallOfRules }];
      }),
    );
    // Every customer known, but a nameless delivery from a shared phone could be anyone of the household (an upper
    // bound: it knows which phones are shared even where no delivery shows it); and what the deliveries tell.
    const best = scorePairs(data.customers, data.deliveries, knowsAllButNameless, rulesKeys);
    const told = scorePairs(data.customers, data.deliveries, tell, rulesKeys);
    const lostBy = new Map<string, number>();
    for (const d of data.deliveries)
      if (contactOf(d) === undefined) lostBy.set(d.channel, (lostBy.get(d.channel) ?? 0) + 1);

    const results = {
      machine: { cpus: cpus().length, node: process.version },
      config: { customers: CUSTOMERS, seed: SEED, concurrency: CONCURRENCY },
      data: {
        deliveries: data.deliveries.length,
        byChannel: Object.fromEntries(
          [...new Set(data.deliveries.map((d) => d.channel))].map((c) => [
            c,
            data.deliveries.filter((d) => d.channel === c).length,
          ]),
        ),
        households: data.customers.filter((c) => c.household).length,
      },
      targets: TARGET,
      score,
      mergeOnAnyIdentifier: reference,
      bestPossible: { precision: best.precision, recall: best.recall },
      whatDeliveriesTell: { precision: told.precision, recall: told.recall },
      contacts: new Set(root.values()).size,
      lostByChannel: Object.fromEntries(lostBy),
      refused: { count: refused.length, first: refused.slice(0, 10) },
      gatewayAnswerMs: latency(answerMs),
      runs: Object.fromEntries(runStatus),
      failedWorkflows,
      unreadableContacts: unreadable,
      sendSeconds: sentMs / 1000,
      settleSeconds: settledMs / 1000,
      deliveriesPerSecond: data.deliveries.length / (settledMs / 1000),
      seconds: (Date.now() - started) / 1000,
      measuredAt: new Date().toISOString(),
    };
    const file = join(REPO_ROOT, 'bench', 'results', 'identity.json');
    writeFileSync(file, JSON.stringify(results, null, 2));

    console.log(`\nIdentity resolution: ${CUSTOMERS} customers, ${data.deliveries.length} deliveries (seed ${SEED})\n`);
    console.table([
      { measure: 'pairwise precision', value: pct(score.precision), target: `≥ ${pct(TARGET.precision)}` },
      { measure: 'recall of discoverable pairs', value: pct(score.recall), target: `≥ ${pct(TARGET.recall)}` },
      { measure: "recall of the pairs today's rules cover", value: pct(score.recallOfRules), target: '' },
      { measure: 'recall of all true pairs', value: pct(score.recallOfAll), target: '(not all discoverable)' },
      {
        measure: 'precision over the pairs a resolver can tell apart',
        value: pct(score.tellablePrecision),
        target: '',
      },
      {
        measure: 'reference: knows which phones households share (an SMS from one: on the phone’s contact)',
        value: `${pct(best.precision)} / ${pct(best.recall)}`,
        target: 'precision / recall',
      },
      {
        measure: 'reference: the best from what deliveries tell (a phone is shared once two gave it by name)',
        value: `${pct(told.precision)} / ${pct(told.recall)}`,
        target: 'precision / recall',
      },
      {
        measure: 'reference: merge on any true identifier',
        value: `${pct(reference.trueIdentifiers!.precision)} / ${pct(reference.trueIdentifiers!.recall)}`,
        target: 'precision / recall',
      },
      {
        measure: "reference: merge on any of the rules' keys",
        value: `${pct(reference.rulesKeys!.precision)} / ${pct(reference.rulesKeys!.recall)}`,
        target: 'precision / recall',
      },
      {
        measure: 'pairs filed together / correct',
        value: `${score.predictedPairs} / ${score.correctPairs}`,
        target: '',
      },
      {
        measure: 'discoverable pairs / found',
        value: `${score.discoverablePairs} / ${score.discoverableFound}`,
        target: '',
      },
      { measure: 'contacts (customers)', value: `${results.contacts} (${CUSTOMERS})`, target: '' },
      { measure: 'deliveries lost / refused', value: `${score.lost} / ${refused.length}`, target: '0 / 0' },
      {
        measure: 'gateway answer p50 / p99 ms',
        value: `${results.gatewayAnswerMs.p50} / ${results.gatewayAnswerMs.p99}`,
        target: '',
      },
      { measure: 'deliveries/s to all ingested', value: results.deliveriesPerSecond.toFixed(1), target: '' },
    ]);
    const show = (title: string, t: Tally[]) => {
      console.log(title);
      console.table(t.map((x) => ({ pairs: x.pairs, reason: x.reason })));
    };
    show('Missed discoverable pairs, by cause', score.missesBy.cause);
    show(
      'Missed discoverable pairs, by cause and noise (of the deliveries whose identifiers the rules miss)',
      score.missesBy.labels,
    );
    show('Missed discoverable pairs, by each noise label', score.missesBy.label);
    show('Missed discoverable pairs, by channels', score.missesBy.channels);
    show('Wrong pairs (two customers on one contact), by cause', score.wrongBy.cause);
    show('Wrong pairs (two customers on one contact), by noise', score.wrongBy.labels);
    console.log(`written ${file} (${results.seconds.toFixed(0)} s)`);
  } finally {
    await connection?.close();
    await Promise.all(fakes.map((f) => f.close()));
    await stack.stop();
  }
}

await main();
