// Contacts at scale, through the real server process over HTTP: identity lookups, free-text search (where the server
// has `?q=`) and list paging over 100,000 contacts with 300,000 identities seeded by SQL; and identity resolution at
// ingest (SMS and WhatsApp deliveries, new and existing senders) on the empty database vs the seeded one.
// Writes bench/results/contacts.json. README.md says what exactly is measured.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import pg from 'pg';
import { startTwilioFake, startWhatsAppFake } from '../connectors/testkit/index.js';
import { checkEmail, checkPhone } from '../connectors/contacts/identity.js';
import { newId } from '../prisma/ids.js';
import { REPO_ROOT, waitFor } from '../test/processes.js';
import { forEachLimit, latency, startBenchStack } from './bench-processes.js';
import { mobileNumber, rng, stripAccents, type Country } from './identity-data.js';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const SEED = Number(process.env.BENCH_SEED ?? 1);
/** Identity lookups measured (a quarter each: phone existing/missing, email existing/missing). */
const LOOKUPS = Number(process.env.BENCH_CONTACTS_LOOKUPS ?? 1000);
const SEARCHES = Number(process.env.BENCH_CONTACTS_SEARCHES ?? 400);
const PAGES = Number(process.env.BENCH_CONTACTS_PAGES ?? 200);
/** Deliveries per ingest phase (half SMS, half WhatsApp; half from senders already known). */
const INGEST = Number(process.env.BENCH_CONTACTS_INGEST ?? 600);
const INGEST_CONCURRENCY = Number(process.env.BENCH_CONTACTS_INGEST_CONCURRENCY ?? 8);
const WORKSPACE = 'ws_default'; // the workspace `npm run server` ensures and its API key belongs to
const TARGET = { lookupP99Ms: 50, searchP99Ms: 200, ingestWithin: 0.1 };

const BUSINESS = '+14155550100';
const TWILIO = { accountSid: `AC${'5'.repeat(32)}`, authToken: 'bench-twilio-token' };
const META = { accessToken: 'EAAG-bench', appSecret: 'bench-meta-secret', verifyToken: 'bench-verify' };
const PHONE_NUMBER_ID = '106540352242999';

const FIRST = ['Ada', 'José', 'María', 'João', 'Zoë', 'Lucas', 'Emma', 'Noah', 'Sofía', 'Mateo', 'Léa', 'Hannah'];
const LAST = ['Pérez', 'García', 'Müller', 'Silva', 'Smith', 'Jones', 'Núñez', 'López', 'Brown', 'Dubois', 'Costa'];
const COUNTRIES: Country[] = ['US', 'US', 'GB', 'MX', 'BR', 'DE', 'ES'];

interface SeedContact {
  id: string;
  name: string;
  email: string;
  phone: string;
  other: { kind: 'whatsapp' | 'telegram'; value: string };
}

/** The seeded contacts: each an email, a phone and a WhatsApp id (60 %) or a Telegram id (40 %). */
function seedContacts(r: () => number, n: number, usedPhones: Set<string>): SeedContact[] {
  const out: SeedContact[] = [];
  for (let i = 0; i < n; i++) {
    const first = FIRST[Math.floor(r() * FIRST.length)]!;
    const last = LAST[Math.floor(r() * LAST.length)]!;
    const local = stripAccents(`${first}.${last}`).toLowerCase();
    const email = r() < 0.4 ? `${local.replace('.', '')}${i}@gmail.com` : `${local}${i}@example.com`;
    const phone = mobileNumber(r, COUNTRIES[Math.floor(r() * COUNTRIES.length)]!, usedPhones);
    out.push({
      id: newId('ct'),
      name: `${first} ${last}`,
      email,
      phone,
      other: r() < 0.6 ? { kind: 'whatsapp', value: phone.slice(1) } : { kind: 'telegram', value: String(5e8 + i) },
    });
  }
  return out;
}

/** Rows straight into the tables, with the columns and match keys the store writes (keys from identity.ts). */
async function seed(db: pg.Client, contacts: SeedContact[]): Promise<{ identities: number; seconds: number }> {
  const t0 = performance.now();
  const BATCH = 5000;
  let identities = 0;
  for (let at = 0; at < contacts.length; at += BATCH) {
    const batch = contacts.slice(at, at + BATCH);
    await db.query(
      `INSERT INTO contacts (id, workspace_id, name, attributes, created_at, updated_at)
       SELECT id, $1, name, '{}'::jsonb, t, t
         FROM unnest($2::text[], $3::text[], $4::int[]) AS s(id, name, ago), LATERAL (SELECT now() - ago * interval '1 second' AS t) x`,
      [WORKSPACE, batch.map((c) => c.id), batch.map((c) => c.name), batch.map((_, k) => contacts.length - at - k)],
    );
    const rows: { contact: string; kind: string; value: string; key: string; verified: boolean; ago: number }[] = [];
    batch.forEach((c, k) => {
      const ago = contacts.length - at - k;
      const email = checkEmail(c.email);
      const phone = checkPhone(c.phone);
      if (!email.ok || !phone.ok) throw new Error(`seed identity not valid: ${c.email} ${c.phone}`);
      rows.push(
        { contact: c.id, kind: 'email', value: email.value, key: email.key, verified: false, ago },
        { contact: c.id, kind: 'phone', value: phone.value, key: phone.key, verified: true, ago },
        { contact: c.id, kind: c.other.kind, value: c.other.value, key: c.other.value, verified: true, ago },
      );
    });
    await db.query(
      `INSERT INTO identities (id, workspace_id, contact_id, kind, value, key, valid, verified, source, created_at)
       SELECT id, $1, contact, kind, value, key, true, verified, '{"type":"api","ref":"bench-seed"}'::jsonb,
              now() - ago * interval '1 second'
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::int[])
           AS s(id, contact, kind, value, key, verified, ago)`,
      [
        WORKSPACE,
        rows.map(() => newId('idn')),
        rows.map((x) => x.contact),
        rows.map((x) => x.kind),
        rows.map((x) => x.value),
        rows.map((x) => x.key),
        rows.map((x) => x.verified),
        rows.map((x) => x.ago),
      ],
    );
    identities += rows.length;
  }
  await db.query('VACUUM ANALYZE contacts');
  await db.query('VACUUM ANALYZE identities');
  return { identities, seconds: (performance.now() - t0) / 1000 };
}

/** The database's own figures per statement (pg_stat_statements), where the server preloads it; else nothing. */
async function statementFigures(db: pg.Client) {
  const available = await db
    .query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    .then(() => db.query('SELECT pg_stat_statements_reset()'))
    .then(
      () => true,
      () => false,
    );
  return {
    reset: async () => {
      if (available) await db.query('SELECT pg_stat_statements_reset()');
    },
    /** The 12 statements that took the most time since the reset: calls, total and mean ms, rows. */
    top: async () =>
      available
        ? (
            await db.query<{ query: string; calls: string; total: number; mean: number; rows: string }>(
              `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 240) AS query, calls,
                      round(total_exec_time::numeric, 1)::float AS total, round(mean_exec_time::numeric, 2)::float AS mean, rows
                 FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                ORDER BY total_exec_time DESC LIMIT 12`,
            )
          ).rows.map((x) => ({ ...x, calls: Number(x.calls), rows: Number(x.rows) }))
        : 'not measured: pg_stat_statements is not preloaded',
  };
}

/** A phone as people write it in international form (the lookup has no default country). */
function anyFormat(r: () => number, e164: string): string {
  const p = parsePhoneNumberFromString(e164)!;
  const intl = p.formatInternational();
  const forms = [e164, intl, intl.replaceAll(' ', '-'), `+${p.countryCallingCode} ${p.formatNational()}`];
  return forms[Math.floor(r() * forms.length)]!;
}

async function main() {
  const started = Date.now();
  const r = rng(SEED);
  const stack = await startBenchStack('contacts');
  const db = new pg.Client({ connectionString: stack.database.url });
  const [twilio, wa] = await Promise.all([
    startTwilioFake(TWILIO),
    startWhatsAppFake({ accessToken: META.accessToken, phoneNumberId: PHONE_NUMBER_ID, appSecret: META.appSecret }),
  ]);
  try {
    await db.connect();
    const { api, call } = stack;
    const q = (path: string) => call('GET', path);
    const timed = async (path: string) => {
      const t = performance.now();
      const res = await q(path);
      return { ms: performance.now() - t, ...res };
    };
    const sms = await api('POST', '/api/channel-accounts', {
      connector: 'sms',
      name: 'SMS',
      credentials: TWILIO,
      settings: { from: BUSINESS, apiBaseUrl: twilio.url },
    });
    const whatsapp = await api('POST', '/api/channel-accounts', {
      connector: 'whatsapp',
      name: 'WhatsApp',
      credentials: META,
      settings: { phoneNumberId: PHONE_NUMBER_ID, apiBaseUrl: wa.url },
    });

    const usedPhones = new Set<string>();
    /** Numbers no seeded contact has (new senders, missing lookups). */
    /** Each sender's own name, which WhatsApp deliveries carry as the profile name (seeded contacts' too). */
    const nameOf = new Map<string, string>();
    const freshPhone = () => {
      const phone = mobileNumber(r, COUNTRIES[Math.floor(r() * COUNTRIES.length)]!, usedPhones);
      nameOf.set(phone, `${FIRST[Math.floor(r() * FIRST.length)]!} ${LAST[Math.floor(r() * LAST.length)]!}`);
      return phone;
    };

    // Ingest: `INGEST` deliveries, half SMS and half WhatsApp, half from `known` senders, posted `INGEST_CONCURRENCY`
    // at a time; done when every message is in the database (polled by SQL: cheap, not through the API under test).
    // Every phase first has its known senders write once (not counted: they are then known the same way in every
    // phase, with a conversation, and it warms the processes up), and reads the database's own statement figures
    // (pg_stat_statements, where the server preloads it) for the phase.
    let phaseNo = 0;
    const count = async (like: string) =>
      Number(
        (
          await db.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE direction = 'in' AND text LIKE $1`, [
            like,
          ])
        ).rows[0]!.n,
      );
    const statements = await statementFigures(db);
    const ingest = async (label: string, knownFrom: () => string) => {
      const tag = `p${phaseNo++}`;
      const known = [...new Set(Array.from({ length: Math.ceil(INGEST / 2) }, knownFrom))];
      await forEachLimit(known, INGEST_CONCURRENCY, async (phone, i) => {
        await twilio.sendInboundSms({ url: sms.inboundUrl, from: phone, to: BUSINESS, body: `${tag} known ${i}` });
      });
      await waitFor(
        `${label}: known senders`,
        async () => (await count(`${tag} known %`)) >= known.length,
        300_000,
        100,
      );
      const senders = Array.from({ length: INGEST }, (_, i) =>
        i % 2 === 0 ? known[Math.floor(r() * known.length)]! : freshPhone(),
      );
      await statements.reset();
      const answers: number[] = [];
      let refused = 0;
      const t0 = performance.now();
      await forEachLimit(senders, INGEST_CONCURRENCY, async (phone, i) => {
        const text = `${tag} delivery ${i}`;
        const t = performance.now();
        const res =
          i % 4 < 2
            ? await twilio.sendInboundSms({ url: sms.inboundUrl, from: phone, to: BUSINESS, body: text })
            : await wa.sendInboundMessage(whatsapp.inboundUrl, {
                from: phone.slice(1),
                text,
                id: `wamid.${tag}_${i}`,
                name: nameOf.get(phone)!,
              });
        answers.push(performance.now() - t);
        if (res.status < 200 || res.status >= 300) refused++;
      });
      const sentMs = performance.now() - t0;
      let ingested = 0;
      await waitFor(
        `${label} ingests`,
        async () => {
          ingested = await count(`${tag} delivery %`);
          return ingested >= INGEST - refused;
        },
        300_000,
        100,
      ).catch((err: Error) => console.warn(err.message));
      const doneMs = performance.now() - t0;
      const phase = {
        deliveries: INGEST,
        knownSenders: known.length,
        refused,
        ingested,
        gatewayAnswerMs: latency(answers),
        acceptedPerSecond: INGEST / (sentMs / 1000),
        deliveriesPerSecond: ingested / (doneMs / 1000),
        statements: await statements.top(),
      };
      console.log(
        `${label}: ${phase.deliveriesPerSecond.toFixed(1)} deliveries/s, gateway p99 ${phase.gatewayAnswerMs.p99} ms`,
      );
      return phase;
    };

    // (1) The empty database.
    const emptyBefore = await ingest('empty database', freshPhone);

    // (2) Seed 100,000 contacts and 300,000 identities.
    const contacts = seedContacts(r, CONTACTS, usedPhones);
    const seeded = await seed(db, contacts);
    for (const c of contacts) nameOf.set(c.phone, c.name);
    const counts = (
      await db.query<{ contacts: string; identities: string }>(
        `SELECT (SELECT count(*) FROM contacts WHERE workspace_id = $1) AS contacts,
                (SELECT count(*) FROM identities WHERE workspace_id = $1) AS identities`,
        [WORKSPACE],
      )
    ).rows[0]!;
    console.log(
      `seeded ${counts.contacts} contacts, ${counts.identities} identities in ${seeded.seconds.toFixed(1)} s`,
    );
    const anyContact = () => contacts[Math.floor(r() * contacts.length)]!;

    // (3) Identity lookups, one at a time: existing and missing phones (any international format) and emails.
    const kinds = ['phone existing', 'phone missing', 'email existing', 'email missing'] as const;
    const lookup = async (kind: (typeof kinds)[number]) => {
      const c = anyContact();
      const identity =
        kind === 'phone existing'
          ? `phone:${anyFormat(r, c.phone)}`
          : kind === 'phone missing'
            ? `phone:${anyFormat(r, freshPhone())}`
            : kind === 'email existing'
              ? `email:${r() < 0.5 ? c.email.toUpperCase() : c.email}`
              : `email:nobody${Math.floor(r() * 1e9)}@example.com`;
      const res = await timed(`/api/contacts?identity=${encodeURIComponent(identity)}`);
      const items = (res.body?.items ?? []) as { id: string }[];
      const right = kind.endsWith('existing') ? items.length === 1 && items[0]!.id === c.id : items.length === 0;
      return { ms: res.ms, status: res.status, right, identity };
    };
    for (let i = 0; i < 50; i++) await lookup(kinds[i % 4]!); // warm-up
    const byKind = new Map<string, number[]>(kinds.map((k) => [k, []]));
    const wrong: string[] = [];
    let lookupErrors = 0;
    for (let i = 0; i < LOOKUPS; i++) {
      const kind = kinds[Math.floor(r() * kinds.length)]!;
      const l = await lookup(kind);
      byKind.get(kind)!.push(l.ms);
      if (l.status !== 200) lookupErrors++;
      else if (!l.right) wrong.push(`${kind}: ${l.identity}`);
    }
    const lookups = {
      all: latency([...byKind.values()].flat()),
      ...Object.fromEntries([...byKind].map(([k, ms]) => [k, latency(ms)])),
      errors: lookupErrors,
      wrongAnswers: wrong.length,
      firstWrong: wrong.slice(0, 5),
    };

    // (4) Free-text search, where the server documents `q` on GET /api/contacts.
    const openapi = (await q('/api/openapi.json')).body as {
      paths?: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
    };
    const hasQ = (openapi.paths?.['/api/contacts']?.get?.parameters ?? []).some(
      (p) => p.name === 'q' && p.in === 'query',
    );
    let search: Record<string, unknown> = { measured: false, reason: 'not measured: no ?q= on this server' };
    if (hasQ) {
      const terms = [
        () => anyContact().name, // a full name (many share it)
        () => anyContact().name.split(' ')[1]!, // a last name
        () => stripAccents(anyContact().name.split(' ')[0]!), // a first name without its accent
        () => anyContact().email.split('@')[0]!, // an email's local part
        () => anyContact().email, // a whole email
        () => anyContact().phone.slice(-7), // the end of a phone number
        () => `nobody${Math.floor(r() * 1e6)}`, // nothing matches
      ];
      const ms: number[] = [];
      const results: number[] = [];
      let errors = 0;
      for (let i = 0; i < 20; i++) await q(`/api/contacts?q=${encodeURIComponent(terms[i % terms.length]!())}`);
      for (let i = 0; i < SEARCHES; i++) {
        const term = terms[i % terms.length]!();
        const res = await timed(`/api/contacts?q=${encodeURIComponent(term)}&limit=50`);
        ms.push(res.ms);
        if (res.status !== 200) errors++;
        else results.push((res.body.items as unknown[]).length);
      }
      search = {
        measured: true,
        ...latency(ms),
        errors,
        meanResults: results.reduce((a, b) => a + b, 0) / results.length,
      };
    }

    // (5) Paging: the newest-first list page by page, and pages from random points (a contact id as the cursor).
    const walk: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < PAGES; i++) {
      const res = await timed(`/api/contacts?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      walk.push(res.ms);
      cursor = res.body?.nextCursor;
      if (!cursor) break;
    }
    const jumps: number[] = [];
    for (let i = 0; i < PAGES; i++) jumps.push((await timed(`/api/contacts?limit=50&cursor=${anyContact().id}`)).ms);
    const paging = { walk: latency(walk), fromRandomCursor: latency(jumps) };

    // (6) Ingest again, now beside 100,000 contacts: known senders are seeded contacts.
    const seededIngest = await ingest('seeded database', () => anyContact().phone);

    // (7) Empty again (every contact removed, then VACUUM ANALYZE), so that the processes' drift over the run (the
    // dev server's history grows) weighs on both sides: the empty figures are the two empty phases' means.
    await db.query('TRUNCATE contacts CASCADE');
    await db.query('VACUUM ANALYZE');
    const emptyAfter = await ingest('empty database again', freshPhone);
    const emptyIngest = {
      deliveriesPerSecond: (emptyBefore.deliveriesPerSecond + emptyAfter.deliveriesPerSecond) / 2,
      gatewayP99: (emptyBefore.gatewayAnswerMs.p99 + emptyAfter.gatewayAnswerMs.p99) / 2,
    };
    const ratio = {
      deliveriesPerSecond: seededIngest.deliveriesPerSecond / emptyIngest.deliveriesPerSecond,
      gatewayP99: seededIngest.gatewayAnswerMs.p99 / emptyIngest.gatewayP99,
    };

    const results = {
      machine: { cpus: cpus().length, node: process.version },
      config: { contacts: CONTACTS, seed: SEED, lookups: LOOKUPS, searches: SEARCHES, pages: PAGES, ingest: INGEST },
      targets: TARGET,
      seeded: { contacts: Number(counts.contacts), identities: Number(counts.identities), seconds: seeded.seconds },
      lookups,
      search,
      paging,
      ingest: { empty: emptyBefore, seeded: seededIngest, emptyAgain: emptyAfter, emptyMean: emptyIngest, ratio },
      seconds: (Date.now() - started) / 1000,
      measuredAt: new Date().toISOString(),
    };
    const file = join(REPO_ROOT, 'bench', 'results', 'contacts.json');
    writeFileSync(file, JSON.stringify(results, null, 2));

    const row = (measure: string, l: { p50: number; p99: number; n: number }, target: string) => ({
      measure,
      n: l.n,
      'p50 ms': l.p50,
      'p99 ms': l.p99,
      target,
    });
    console.log(`\nContacts at scale: ${counts.contacts} contacts, ${counts.identities} identities (targets beside)\n`);
    console.table([
      row('identity lookup, all', lookups.all, `p99 ≤ ${TARGET.lookupP99Ms}`),
      ...kinds.map((k) => row(`  ${k}`, latency(byKind.get(k)!), '')),
      hasQ
        ? row('free-text ?q=', search as never, `p99 ≤ ${TARGET.searchP99Ms}`)
        : { measure: 'free-text ?q=', n: 0, 'p50 ms': '-', 'p99 ms': '-', target: search.reason },
      row('list, page by page (50)', paging.walk, ''),
      row('list, from a random cursor', paging.fromRandomCursor, ''),
    ]);
    console.log(`lookups answered wrong: ${wrong.length}, errors: ${lookupErrors}`);
    console.table(
      (['empty', 'seeded', 'emptyAgain'] as const).map((k) => {
        const x = results.ingest[k];
        return {
          database: k,
          deliveries: x.deliveries,
          ingested: x.ingested,
          'accepted/s': x.acceptedPerSecond.toFixed(1),
          'ingested/s': x.deliveriesPerSecond.toFixed(1),
          'gateway p50 ms': x.gatewayAnswerMs.p50,
          'gateway p99 ms': x.gatewayAnswerMs.p99,
        };
      }),
    );
    console.log(
      `seeded/empty: deliveries/s ×${ratio.deliveriesPerSecond.toFixed(2)} [≥ 0.90], gateway p99 ×${ratio.gatewayP99.toFixed(2)} [≤ 1.10]`,
    );
    console.log(`written ${file} (${results.seconds.toFixed(0)} s)`);
  } finally {
    await db.end().catch(() => undefined);
    await Promise.all([twilio.close(), wa.close()]);
    await stack.stop();
  }
}

await main();
