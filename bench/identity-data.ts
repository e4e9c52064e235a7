// The identity benchmark's data and scoring, pure (no I/O, deterministic for a seed): customers who write on 2-4
// channels each with the noise real deliveries carry, what each delivery truly carries, and pairwise precision and
// recall of where a resolver filed the deliveries. bench/identity.ts sends the deliveries and reads the answer back.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type Channel = 'sms' | 'whatsapp' | 'telegram' | 'messenger' | 'instagram' | 'slack' | 'webchat' | 'shop';
export const CHANNELS: readonly Channel[] = [
  'sms',
  'whatsapp',
  'telegram',
  'messenger',
  'instagram',
  'slack',
  'webchat',
  'shop',
];

/** mulberry32: a small seeded generator, so a seed always gives the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (r: Rand, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
function weighted<T>(r: Rand, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table.at(-1)![0];
}
function shuffle<T>(r: Rand, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

export type Country = 'US' | 'GB' | 'MX' | 'BR' | 'DE' | 'ES';
const COUNTRIES: readonly (readonly [Country, number])[] = [
  ['US', 35],
  ['GB', 15],
  ['MX', 20],
  ['BR', 15],
  ['DE', 10],
  ['ES', 5],
];
/** National mobile number shapes, checked against libphonenumber's full metadata (kept only when valid). */
const MOBILE: Record<Country, (r: Rand) => string> = {
  US: (r) =>
    `+1${pick(r, ['212', '305', '312', '415', '512', '617', '702', '917'])}${2 + Math.floor(r() * 8)}${digits(r, 6)}`,
  GB: (r) => `+447${1 + Math.floor(r() * 9)}${digits(r, 8)}`,
  MX: (r) => `+52${pick(r, ['55', '33', '81'])}${digits(r, 8)}`,
  // The 8 digits after the ninth digit start 6-9, as the mobiles WhatsApp reports without it do.
  BR: (r) =>
    `+55${pick(r, ['11', '21', '31', '41', '51', '61', '71', '81'])}9${6 + Math.floor(r() * 4)}${digits(r, 7)}`,
  DE: (r) => `+49${pick(r, ['151', '160', '170', '171', '176'])}${digits(r, 7)}`,
  ES: (r) => `+34${pick(r, ['6', '7'])}${digits(r, 8)}`,
};

/** A valid mobile number of the country (E.164) not in `used`; adds it to `used`. */
export function mobileNumber(r: Rand, country: Country, used: Set<string>): string {
  for (let i = 0; i < 1000; i++) {
    const e164 = MOBILE[country](r);
    if (used.has(e164)) continue;
    const p = parsePhoneNumberFromString(e164);
    const type = p?.getType();
    if (p?.isValid() && (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE')) {
      used.add(e164);
      return e164;
    }
  }
  throw new Error(`no valid ${country} mobile number in 1000 tries`);
}

const FIRST = ['José', 'María', 'João', 'Zoë', 'Renée', 'Jürgen', 'Inés', 'Ana', 'Lucas', 'Emma', 'Olivia', 'Noah'];
const FIRST2 = ['Liam', 'Sofía', 'Mateo', 'Chloé', 'André', 'Björn', 'Ángel', 'Léa', 'Tomás', 'Hannah', 'Raúl'];
const LAST = ['Pérez', 'García', 'Müller', 'Schröder', 'Silva', 'Gonçalves', 'Smith', 'Jones', 'Núñez', 'López'];
const LAST2 = ['Martín', 'Brown', 'Taylor', 'Dubois', 'Lefèvre', 'Açar', 'Olsen', 'Costa', 'Fernández', 'Ward'];
export const stripAccents = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');
const ascii = (s: string) =>
  stripAccents(s)
    .toLowerCase()
    .replace(/[^a-z]/g, '');

/** Google's mailbox for gmail.com and googlemail.com (dots and +tags do not matter); other addresses lower-cased. */
export function mailbox(email: string): string {
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf('@');
  const domain = e.slice(at + 1);
  if (domain !== 'gmail.com' && domain !== 'googlemail.com') return e;
  return `${e.slice(0, at).split('+')[0]!.replaceAll('.', '')}@gmail.com`;
}

export interface Customer {
  index: number;
  name: string;
  country: Country;
  /** E.164. */
  phone: string;
  /** As the customer owns it (lower case; a Gmail address without dots). */
  email: string;
  /** Lives with an earlier customer and truly shares one identifier with them (a family email or phone). */
  household?: { with: number; shares: 'email' | 'phone' };
}

/** What the bench sends for a delivery, per channel. */
export type Send =
  | { channel: 'sms'; from: string }
  | { channel: 'whatsapp'; waId: string; name: string }
  | { channel: 'telegram'; userId: number; firstName: string; lastName: string; sharedPhone?: string }
  | { channel: 'messenger'; psid: string }
  | { channel: 'instagram'; igsid: string }
  | { channel: 'slack'; user: string }
  | { channel: 'webchat'; visitor: number; name: string; email?: string }
  | { channel: 'shop'; email: string; phone: string; name: string; country: Country };

/** An identity as the delivery writes it (what the platform's rules get). */
export interface Written {
  kind: string;
  value: string;
  defaultCountry?: Country;
}

export interface Delivery {
  /** `d000123`: also in the message text. */
  id: string;
  customer: number;
  channel: Channel;
  send: Send;
  /** Why this delivery is hard (labels for the misses and wrong pairs report). */
  noise: string[];
  /** Its identities as written. */
  written: Written[];
  /**
   * Its identities as they truly are, `kind:key`: the customer's own E.164 phone however the delivery wrote it (a
   * WhatsApp `521…` or nine-digit-less id, a `044 …` or national number), the Gmail mailbox, the channel ids.
   */
  truth: string[];
}

export interface IdentityData {
  customers: Customer[];
  /** In the order they are to be sent (shuffled across customers and channels). */
  deliveries: Delivery[];
  /** One web chat visitor per customer that uses web chat (index = `send.visitor`). */
  visitors: number;
}

const CHANNEL_WEIGHTS: readonly (readonly [Channel, number])[] = [
  ['sms', 50],
  ['whatsapp', 50],
  ['telegram', 30],
  ['messenger', 30],
  ['instagram', 25],
  ['slack', 10],
  ['webchat', 35],
  ['shop', 60],
];

/** How a shop's checkout form may have the phone written; each one only where a customer of that country would. */
export function writtenPhone(r: Rand, e164: string, country: Country): { value: string; label: string } {
  const p = parsePhoneNumberFromString(e164)!;
  const national = p.formatNational();
  const intl = p.formatInternational();
  const forms: [string, string][] = [
    ['phone-e164', e164],
    ['phone-national', national],
    ['phone-international-spaces', intl],
    ['phone-dashes', intl.replaceAll(' ', '-')],
    ['phone-missing-plus', e164.slice(1)],
  ];
  // "00" is the international prefix in Europe and Mexico (the US dials 011, Brazil 00 + a carrier code).
  if (country !== 'US' && country !== 'BR') forms.push(['phone-00-prefix', `00${e164.slice(1)}`]);
  // Mexico's mobile prefix for local calls until 2019: 044 + the 10 digits.
  if (country === 'MX') forms.push(['mx-044', `044 ${national}`], ['mx-044', `044${e164.slice(3)}`]);
  const [label, value] = pick(r, forms);
  return { value, label };
}

/** How an email may be typed: upper case, spaces, and for Gmail dots, +tags and googlemail.com. */
export function writtenEmail(r: Rand, email: string): { value: string; labels: string[] } {
  const [local, domain] = email.split('@') as [string, string];
  const labels: string[] = [];
  let l = local;
  let d = domain;
  if (domain === 'gmail.com') {
    if (r() < 0.3 && l.length > 3) {
      const at = 1 + Math.floor(r() * (l.length - 2));
      l = `${l.slice(0, at)}.${l.slice(at)}`;
      labels.push('gmail-dots');
    }
    if (r() < 0.2) {
      l = `${l}+${pick(r, ['shop', 'orders', 'news'])}`;
      labels.push('gmail-plus-tag');
    }
    if (r() < 0.15) {
      d = 'googlemail.com';
      labels.push('googlemail');
    }
  }
  let value = `${l}@${d}`;
  if (r() < 0.2) {
    value = value.replace(/(^|[.@])([a-z])/g, (_, p: string, c: string) => p + c.toUpperCase());
    labels.push('email-upper');
  }
  if (r() < 0.05) {
    value = ` ${value} `;
    labels.push('email-spaces');
  }
  return { value, labels };
}

/**
 * The id WhatsApp reports for a number, the same for every message from it: Mexican mobiles with the `1` Mexico
 * dropped in 2019 (`521…`), and some Brazilian mobiles (4 in 10, by the number's last digit) without the ninth digit.
 */
export function whatsappId(c: Pick<Customer, 'phone' | 'country'>): string {
  if (c.country === 'MX') return `521${c.phone.slice(3)}`;
  if (c.country === 'BR' && Number(c.phone.at(-1)) < 4) return `55${c.phone.slice(3, 5)}${c.phone.slice(6)}`;
  return c.phone.slice(1);
}

/**
 * `customers` customers, each writing on 2-4 channels 1-3 times (a shop order 1-2 times). About 3 % live with an
 * earlier customer and share that customer's email or phone under their own name.
 */
export function generateIdentityData(opts: { customers: number; seed: number }): IdentityData {
  const r = rng(opts.seed);
  const usedPhones = new Set<string>();
  const usedEmails = new Set<string>();
  const customers: Customer[] = [];
  for (let i = 0; i < opts.customers; i++) {
    const first = pick(r, [...FIRST, ...FIRST2]);
    const last = pick(r, [...LAST, ...LAST2]);
    const country = weighted(r, COUNTRIES);
    const phone = mobileNumber(r, country, usedPhones);
    let email: string;
    do {
      const n = Math.floor(r() * 1000);
      email =
        r() < 0.45
          ? `${ascii(first)}${ascii(last)}${n}@gmail.com`
          : `${ascii(first)}.${ascii(last)}${n}@${pick(r, ['example.com', 'example.org', 'example.net', 'posteo.example'])}`;
    } while (usedEmails.has(email));
    usedEmails.add(email);
    const c: Customer = { index: i, name: `${first} ${last}`, country, phone, email };
    const hosts = customers.filter((x) => !x.household);
    if (hosts.length > 0 && r() < 0.03) {
      const host = pick(r, hosts);
      const shares = r() < 0.5 ? 'email' : 'phone';
      // A housemate: the host's last name, another first name, the shared identifier.
      const other = pick(
        r,
        [...FIRST, ...FIRST2].filter((f) => f !== host.name.split(' ')[0]),
      );
      c.name = `${other} ${host.name.split(' ').slice(1).join(' ')}`;
      c.household = { with: host.index, shares };
      if (shares === 'email') c.email = host.email;
      else {
        c.phone = host.phone;
        c.country = host.country;
      }
    }
    customers.push(c);
  }
  // Both sides of a household carry the label on the deliveries that hold the shared identifier.
  const sharing = new Map<number, Set<string>>();
  for (const c of customers)
    if (c.household)
      for (const i of [c.index, c.household.with])
        sharing.set(i, new Set([...(sharing.get(i) ?? []), c.household.shares]));
  const shared = (c: Customer, what: 'email' | 'phone') =>
    sharing.get(c.index)?.has(what) ? [`household-shared-${what}`] : [];

  const deliveries: Delivery[] = [];
  let visitors = 0;
  const ids = { telegram: 0, psid: 0, igsid: 0, slack: 0 };
  for (const c of customers) {
    const channels = new Set<Channel>();
    const want = 2 + Math.floor(r() * 3);
    while (channels.size < want) channels.add(weighted(r, CHANNEL_WEIGHTS));
    const nameFor = () =>
      r() < 0.3 ? { name: stripAccents(c.name), noise: ['name-no-accents'] } : { name: c.name, noise: [] };
    const phoneTruth = `phone:${c.phone}`;
    const emailTruth = `email:${mailbox(c.email)}`;
    const telegramId = 100_000_000 + ids.telegram++ * 7;
    const psid = `24${String(ids.psid++).padStart(14, '0')}`;
    const igsid = `178${String(ids.igsid++).padStart(14, '0')}`;
    const slackUser = `U${(0x10000000 + ids.slack++).toString(16).toUpperCase()}`;
    const visitor = channels.has('webchat') ? visitors++ : -1;
    for (const channel of channels) {
      const times =
        channel === 'shop'
          ? 1 + Math.floor(r() * 2)
          : weighted(r, [
              [1, 40],
              [2, 35],
              [3, 25],
            ] as const);
      // A Telegram user shares their own contact (the request_contact button) in one of their messages, sometimes.
      const shareAt = channel === 'telegram' && r() < 0.4 ? Math.floor(r() * times) : -1;
      for (let k = 0; k < times; k++) {
        const d = { customer: c.index, channel } as Omit<Delivery, 'id' | 'send' | 'noise' | 'written' | 'truth'>;
        const noise: string[] = [];
        let send: Send;
        let written: Written[];
        let truth: string[];
        switch (channel) {
          case 'sms':
            // Twilio delivers the sender in E.164.
            send = { channel, from: c.phone };
            written = [{ kind: 'phone', value: c.phone }];
            truth = [phoneTruth];
            noise.push(...shared(c, 'phone'));
            break;
          case 'whatsapp': {
            const waId = whatsappId(c);
            if (c.country === 'MX') noise.push('wa-mx-521');
            else if (waId !== c.phone.slice(1)) noise.push('wa-br-no-ninth');
            const n = nameFor();
            noise.push(...n.noise, ...shared(c, 'phone'));
            send = { channel, waId, name: n.name };
            written = [
              { kind: 'whatsapp', value: waId },
              { kind: 'phone', value: `+${waId}` },
            ];
            truth = [`whatsapp:${waId}`, phoneTruth];
            break;
          }
          case 'telegram': {
            const n = nameFor();
            const [f, ...l] = n.name.split(' ') as [string, ...string[]];
            send = { channel, userId: telegramId, firstName: f, lastName: l.join(' ') };
            written = [{ kind: 'telegram', value: String(telegramId) }];
            truth = [`telegram:${telegramId}`];
            noise.push(...n.noise);
            if (k === shareAt) {
              // Telegram gives the shared number in digits, without the +.
              send.sharedPhone = c.phone.slice(1);
              written.push({ kind: 'phone', value: `+${send.sharedPhone}` });
              truth.push(phoneTruth);
              noise.push('tg-shared-contact', ...shared(c, 'phone'));
            }
            break;
          }
          case 'messenger':
            send = { channel, psid };
            written = [{ kind: 'messenger', value: psid }];
            truth = [`messenger:${psid}`];
            break;
          case 'instagram':
            send = { channel, igsid };
            written = [{ kind: 'instagram', value: igsid }];
            truth = [`instagram:${igsid}`];
            break;
          case 'slack':
            send = { channel, user: slackUser };
            written = [{ kind: 'slack', value: slackUser }];
            truth = [`slack:${slackUser}`];
            break;
          case 'webchat': {
            const n = nameFor();
            noise.push(...n.noise);
            send = { channel, visitor, name: n.name };
            written = [{ kind: 'webchat', value: `v${visitor}` }];
            truth = [`webchat:v${visitor}`];
            // The first message always has the email the visitor typed into the chat's form, later ones sometimes.
            if (k === 0 || r() < 0.6) {
              const e = writtenEmail(r, c.email);
              send.email = e.value;
              written.push({ kind: 'email', value: e.value });
              truth.push(emailTruth);
              noise.push('webchat-email', ...e.labels, ...shared(c, 'email'));
            }
            break;
          }
          case 'shop': {
            const e = writtenEmail(r, c.email);
            const p = writtenPhone(r, c.phone, c.country);
            const n = nameFor();
            send = { channel, email: e.value, phone: p.value, name: n.name, country: c.country };
            written = [
              { kind: 'email', value: e.value },
              { kind: 'phone', value: p.value, defaultCountry: c.country },
            ];
            truth = [emailTruth, phoneTruth];
            noise.push(...e.labels, p.label, ...n.noise, ...shared(c, 'email'), ...shared(c, 'phone'));
            break;
          }
        }
        deliveries.push({ ...d, id: '', send, noise: [...new Set(noise)].sort(), written, truth });
      }
    }
  }
  shuffle(r, deliveries).forEach((d, i) => (d.id = `d${String(i).padStart(6, '0')}`));
  return { customers, deliveries, visitors };
}

// ---------------------------------------------------------------------------------------------------------------
// Scoring

/** Groups of deliveries (indexes) of one customer connected by a chain of shared keys, within that customer's own. */
export function components(deliveries: readonly Delivery[], keysOf: (d: Delivery) => readonly string[]): number[] {
  const parent = deliveries.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const owner = new Map<string, number>();
  deliveries.forEach((d, i) => {
    for (const k of keysOf(d)) {
      const key = `${d.customer}\u0000${k}`;
      const o = owner.get(key);
      if (o === undefined) owner.set(key, i);
      else parent[find(i)] = find(o);
    }
  });
  return deliveries.map((_, i) => find(i));
}

/**
 * A reference resolver: files deliveries sharing any key on one contact, across customers (what "merge on any shared
 * identifier" gives). With the true keys it shows what the data allows, households' wrong pairs included.
 */
export function mergeOnAny(deliveries: readonly Delivery[], keysOf: (d: Delivery) => readonly string[]) {
  const parent = deliveries.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const owner = new Map<string, number>();
  deliveries.forEach((d, i) => {
    for (const k of keysOf(d)) {
      const o = owner.get(k);
      if (o === undefined) owner.set(k, i);
      else parent[find(i)] = find(o);
    }
  });
  const at = new Map(deliveries.map((d, i) => [d.id, `g${find(i)}`]));
  return (d: Delivery) => at.get(d.id);
}

/**
 * A reference resolver that knows every delivery's customer except a delivery that carries no name and reaches a
 * person only through an identifier a household shares (an SMS from the family phone): that is filed on the
 * identifier's own contact. It knows which phones are shared even when no delivery shows it, so it is an upper bound
 * no resolver reaches; `whatDeliveriesTell` is the best one can do.
 */
export function knowsAllButNameless(d: Delivery): string {
  const shared = d.noise.some((n) => n.startsWith('household-shared-'));
  return !isNamed(d) && shared && d.send.channel === 'sms' ? `shared:${d.send.from}` : `customer:${d.customer}`;
}

const isNamed = (d: Delivery) => 'name' in d.send || 'firstName' in d.send;

/**
 * The best a resolver can do from what the deliveries tell: every delivery that names its sender filed on its
 * customer, and a nameless SMS as the deliveries allow: with the one customer who ever gave its phone in a named
 * delivery (nobody tells the line is shared), else on the phone's own contact (two people gave it under their names:
 * a shared line; or nobody did).
 */
export function whatDeliveriesTell(deliveries: readonly Delivery[]): (d: Delivery) => string {
  const namedBy = new Map<string, Set<number>>();
  for (const d of deliveries)
    if (isNamed(d))
      for (const t of d.truth.filter((k) => k.startsWith('phone:')))
        namedBy.set(t, (namedBy.get(t) ?? new Set()).add(d.customer));
  return (d) => {
    if (isNamed(d) || d.send.channel !== 'sms') return `customer:${d.customer}`;
    const by = [...(namedBy.get(`phone:${d.send.from}`) ?? [])];
    return by.length === 1 ? `customer:${by[0]}` : `line:${d.send.from}`;
  };
}

const pairs = (n: number) => (n * (n - 1)) / 2;
function countBy<T>(xs: readonly T[], key: (x: T) => string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) {
    const k = key(x);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
const sumPairs = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + pairs(n), 0);

export interface Tally {
  reason: string;
  pairs: number;
}
const top = (m: Map<string, number>, n: number): Tally[] =>
  [...m]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([reason, p]) => ({ reason, pairs: p }));

export interface PairScore {
  deliveries: number;
  /** Deliveries the bench could not find on any contact (failed, not ingested). */
  lost: number;
  /** Pairs filed on one contact, and of those the pairs of one customer. */
  predictedPairs: number;
  correctPairs: number;
  /** Pairs of one customer: all of them, those connected by a chain of true identifiers, by the rules' keys. */
  truePairs: number;
  discoverablePairs: number;
  discoverableFound: number;
  rulesPairs: number;
  rulesFound: number;
  precision: number;
  /** Precision counting only the wrong pairs a resolver can tell apart (with a reference; else all). */
  tellablePrecision: number;
  /** Over the discoverable pairs: the headline recall. */
  recall: number;
  recallOfRules: number;
  recallOfAll: number;
  /** Discoverable pairs missed: by cause, by cause and noise labels, by each label, and by channels. */
  missesBy: { cause: Tally[]; labels: Tally[]; label: Tally[]; channels: Tally[] };
  /** Pairs of two customers on one contact, likewise. */
  wrongBy: { cause: Tally[]; labels: Tally[]; label: Tally[]; channels: Tally[] };
}

/**
 * Pairwise precision and recall. `contactOf(delivery)` is the (root) contact a delivery was filed on, undefined when
 * it was lost. A pair is predicted when both deliveries are on one contact and true when they are of one customer;
 * "discoverable" when the customer's own deliveries connect the two by a chain of true identifiers (`truth`: two
 * deliveries carrying one key are linked, links chain), and "covered by the rules" likewise with `rulesKeysOf`.
 */
export function scorePairs(
  customers: readonly Customer[],
  deliveries: readonly Delivery[],
  contactOf: (d: Delivery) => string | undefined,
  rulesKeysOf: (d: Delivery) => readonly string[],
  topN = 10,
  /** The best possible filing (whatDeliveriesTell): a wrong pair it files together too, no delivery tells apart. */
  reference?: (d: Delivery) => string,
): PairScore {
  const contact = deliveries.map(contactOf);
  const truthComp = components(deliveries, (d) => d.truth);
  const rulesComp = components(deliveries, rulesKeysOf);
  const idx = deliveries.map((_, i) => i);
  const c = (i: number) => contact[i];
  const withContact = (i: number, k: string) => (c(i) === undefined ? undefined : `${c(i)}\u0000${k}`);
  const predictedPairs = sumPairs(countBy(idx, (i) => c(i)));
  const correctPairs = sumPairs(countBy(idx, (i) => withContact(i, String(deliveries[i]!.customer))));
  const truePairs = sumPairs(countBy(idx, (i) => String(deliveries[i]!.customer)));
  const discoverablePairs = sumPairs(countBy(idx, (i) => String(truthComp[i])));
  const discoverableFound = sumPairs(countBy(idx, (i) => withContact(i, String(truthComp[i]))));
  const rulesPairs = sumPairs(countBy(idx, (i) => String(rulesComp[i])));
  const rulesFound = sumPairs(countBy(idx, (i) => withContact(i, String(rulesComp[i]))));

  const labelsOf = (a: number, b: number) => {
    const l = [...new Set([...deliveries[a]!.noise, ...deliveries[b]!.noise])].sort();
    return l;
  };
  const channelsOf = (a: number, b: number) => [deliveries[a]!.channel, deliveries[b]!.channel].sort().join('↔');
  const tally = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const miss = {
    labels: new Map<string, number>(),
    label: new Map<string, number>(),
    channels: new Map<string, number>(),
  };
  const wrong = {
    labels: new Map<string, number>(),
    label: new Map<string, number>(),
    channels: new Map<string, number>(),
  };
  const record = (t: typeof miss, a: number, b: number, extra: string[]) => {
    const labels = [...extra, ...labelsOf(a, b)];
    tally(t.labels, labels.length ? labels.join(' + ') : 'no noise');
    for (const l of labels.length ? labels : ['no noise']) tally(t.label, l);
    tally(t.channels, channelsOf(a, b));
  };
  // Misses: within each customer's deliveries (a few each), by cause: a delivery lost; the documented rules cannot
  // link the two (a true identifier of a delivery on the way has no valid key, or another one: its noise is the
  // reason); or the rules link them and the resolver kept them apart anyway (conflicts left unmerged, races).
  const gap = deliveries.map((d) => {
    const keys = new Set(rulesKeysOf(d));
    return d.truth.some((k) => !keys.has(k));
  });
  const cause = new Map<string, number>();
  const byCustomer = new Map<number, number[]>();
  idx.forEach((i) => byCustomer.set(deliveries[i]!.customer, [...(byCustomer.get(deliveries[i]!.customer) ?? []), i]));
  for (const group of byCustomer.values())
    for (let x = 0; x < group.length; x++)
      for (let y = x + 1; y < group.length; y++) {
        const [a, b] = [group[x]!, group[y]!];
        if (truthComp[a] !== truthComp[b]) continue;
        if (c(a) !== undefined && c(a) === c(b)) continue;
        if (c(a) === undefined || c(b) === undefined) {
          tally(cause, 'a delivery lost');
          record(miss, a, b, ['lost']);
        } else if (rulesComp[a] !== rulesComp[b]) {
          tally(cause, 'the rules cannot link them');
          const broken = [a, b].filter((i) => gap[i]);
          const labels = [...new Set(broken.flatMap((i) => deliveries[i]!.noise))].sort();
          const reason = ['rules cannot link', ...(broken.length ? labels : ['a delivery between them'])];
          tally(miss.labels, reason.join(' + '));
          for (const l of reason) tally(miss.label, l);
          tally(miss.channels, channelsOf(a, b));
        } else {
          tally(cause, 'the rules link them, kept apart anyway');
          record(miss, a, b, ['rules link, split']);
        }
      }
  /** Two customers on one contact: of one household (a guest and its host, or two guests), or not related at all. */
  const home = (x: number) => customers[x]?.household?.with ?? x;
  const relation = (x: number, y: number) => (home(x) === home(y) ? 'one household' : 'unrelated customers');
  // Wrong pairs: within each contact, pairs of different customers (enumerated up to a budget, then counted only).
  const byContact = new Map<string, number[]>();
  idx.forEach((i) => c(i) !== undefined && byContact.set(c(i)!, [...(byContact.get(c(i)!) ?? []), i]));
  const ref = reference ? deliveries.map(reference) : undefined;
  const wrongCause = new Map<string, number>();
  let budget = 2_000_000;
  for (const group of byContact.values())
    for (let x = 0; x < group.length; x++)
      for (let y = x + 1; y < group.length; y++) {
        const [a, b] = [group[x]!, group[y]!];
        if (deliveries[a]!.customer === deliveries[b]!.customer) continue;
        if (ref)
          tally(wrongCause, ref[a] === ref[b] ? 'no delivery tells them apart' : 'a resolver can tell them apart');
        if (budget-- > 0) record(wrong, a, b, [relation(deliveries[a]!.customer, deliveries[b]!.customer)]);
        else tally(wrong.labels, 'not enumerated (budget)');
      }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    deliveries: deliveries.length,
    lost: contact.filter((x) => x === undefined).length,
    predictedPairs,
    correctPairs,
    truePairs,
    discoverablePairs,
    discoverableFound,
    rulesPairs,
    rulesFound,
    precision: ratio(correctPairs, predictedPairs),
    recall: ratio(discoverableFound, discoverablePairs),
    recallOfRules: ratio(rulesFound, rulesPairs),
    recallOfAll: ratio(correctPairs, truePairs),
    missesBy: {
      cause: top(cause, topN),
      labels: top(miss.labels, topN),
      label: top(miss.label, topN),
      channels: top(miss.channels, topN),
    },
    wrongBy: {
      cause: top(wrongCause, topN),
      labels: top(wrong.labels, topN),
      label: top(wrong.label, topN),
      channels: top(wrong.channels, topN),
    },
    tellablePrecision: ref
      ? ratio(correctPairs, correctPairs + (wrongCause.get('a resolver can tell them apart') ?? 0))
      : ratio(correctPairs, predictedPairs),
  };
}
