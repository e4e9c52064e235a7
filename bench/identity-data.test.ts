import { describe, expect, it } from 'vitest';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { resolveIdentity } from '../connectors/contacts/identity.js';
import {
  components,
  generateIdentityData,
  mailbox,
  knowsAllButNameless,
  whatDeliveriesTell,
  mergeOnAny,
  rng,
  scorePairs,
  writtenEmail,
  writtenPhone,
  type Customer,
  type Delivery,
} from './identity-data.js';

const rulesKeys = (d: Delivery) =>
  d.written
    .map((w) => resolveIdentity({ kind: w.kind, value: w.value }, w.defaultCountry))
    .filter((r) => r.valid)
    .map((r) => `${r.kind}:${r.key}`);

describe('the identity benchmark data', () => {
  const data = generateIdentityData({ customers: 1000, seed: 7 });

  it('is the same for a seed and different for another', () => {
    const again = generateIdentityData({ customers: 1000, seed: 7 });
    expect(again.deliveries.map((d) => [d.id, d.customer, d.channel, d.send])).toEqual(
      data.deliveries.map((d) => [d.id, d.customer, d.channel, d.send]),
    );
    const other = generateIdentityData({ customers: 1000, seed: 8 });
    expect(other.deliveries.map((d) => d.send)).not.toEqual(data.deliveries.map((d) => d.send));
  });

  it('has every customer write on 2 to 4 channels, with unique delivery ids, shuffled', () => {
    const channels = new Map<number, Set<string>>();
    for (const d of data.deliveries) channels.set(d.customer, (channels.get(d.customer) ?? new Set()).add(d.channel));
    expect(channels.size).toBe(1000);
    expect(new Set([...channels.values()].map((set) => set.size))).toEqual(new Set([2, 3, 4]));
    expect(new Set(data.deliveries.map((d) => d.id)).size).toBe(data.deliveries.length);
    expect(data.deliveries.length).toBeGreaterThan(4000);
    expect(data.deliveries.length).toBeLessThan(8000);
    // Not grouped by customer: the first 20 deliveries come from many customers.
    expect(new Set(data.deliveries.slice(0, 20).map((d) => d.customer)).size).toBeGreaterThan(15);
  });

  it('carries every kind of noise the benchmark is about', () => {
    const labels = new Set(data.deliveries.flatMap((d) => d.noise));
    for (const l of [
      'phone-national',
      'phone-international-spaces',
      'phone-dashes',
      'phone-00-prefix',
      'phone-missing-plus',
      'wa-mx-521',
      'wa-br-no-ninth',
      'gmail-dots',
      'gmail-plus-tag',
      'googlemail',
      'email-upper',
      'tg-shared-contact',
      'mx-044',
      'name-no-accents',
      'webchat-email',
      'household-shared-email',
      'household-shared-phone',
    ])
      expect(labels, l).toContain(l);
    expect(new Set(data.deliveries.map((d) => d.channel))).toEqual(
      new Set(['sms', 'whatsapp', 'telegram', 'messenger', 'instagram', 'slack', 'webchat', 'shop']),
    );
  });

  it('makes about 3 % of customers housemates who truly share an email or a phone under another name', () => {
    const guests = data.customers.filter((c) => c.household);
    expect(guests.length).toBeGreaterThan(10);
    expect(guests.length).toBeLessThan(60);
    for (const g of guests) {
      const host = data.customers[g.household!.with]!;
      expect(host.household).toBeUndefined();
      expect(g.name).not.toBe(host.name);
      expect(g[g.household!.shares]).toBe(host[g.household!.shares]);
    }
    // Other customers' emails and phones are their own.
    const own = data.customers.filter((c) => !c.household);
    expect(new Set(own.map((c) => c.phone)).size).toBe(own.length);
    expect(new Set(own.map((c) => c.email)).size).toBe(own.length);
  });

  it("states each delivery's true identifiers: the customer's own phone and mailbox however they were written", () => {
    for (const d of data.deliveries) {
      const c = data.customers[d.customer]!;
      for (const t of d.truth) {
        if (t.startsWith('phone:')) expect(t).toBe(`phone:${c.phone}`);
        if (t.startsWith('email:')) expect(t).toBe(`email:${mailbox(c.email)}`);
      }
      if (d.send.channel === 'whatsapp' && d.noise.includes('wa-mx-521'))
        expect(d.send.waId).toBe(`521${c.phone.slice(3)}`);
      if (d.send.channel === 'whatsapp' && d.noise.includes('wa-br-no-ninth')) {
        expect(d.send.waId).toHaveLength(c.phone.length - 2);
        expect(`+${d.send.waId}`).not.toBe(c.phone);
      }
    }
    // Every written email is the customer's mailbox under Google's rule (what the rules compute too).
    for (const d of data.deliveries)
      for (const w of d.written.filter((x) => x.kind === 'email')) {
        expect(mailbox(w.value)).toBe(mailbox(data.customers[d.customer]!.email));
        expect(rulesKeys({ ...d, written: [w] })).toEqual([`email:${mailbox(w.value)}`]);
      }
  });

  it('writes phones in forms that mean the same number, and 044 as no number today', () => {
    const r = rng(3);
    for (const [e164, country] of [
      ['+14155552671', 'US'],
      ['+447911123456', 'GB'],
      ['+525512345678', 'MX'],
      ['+5511987654321', 'BR'],
    ] as const)
      for (let i = 0; i < 40; i++) {
        const w = writtenPhone(r, e164, country);
        if (w.label === 'mx-044') {
          expect(w.value).toMatch(/^044/);
          expect(resolveIdentity({ kind: 'phone', value: w.value }, country).valid).toBe(false);
          continue;
        }
        if (w.label !== 'phone-missing-plus')
          expect(parsePhoneNumberFromString(w.value, country)?.number, `${w.label} ${w.value}`).toBe(e164);
        if (w.label === 'phone-00-prefix') expect(['GB', 'MX']).toContain(country);
      }
    expect(writtenEmail(rng(1), 'ada@example.com').value.trim().toLowerCase()).toBe('ada@example.com');
  });
});

describe('pairwise precision and recall', () => {
  const customers: Customer[] = [
    { index: 0, name: 'Ana', country: 'US', phone: '+14155550001', email: 'ana@example.com' },
    { index: 1, name: 'Bo', country: 'US', phone: '+14155550002', email: 'bo@example.com' },
    {
      index: 2,
      name: 'Cy',
      country: 'US',
      phone: '+14155550002',
      email: 'cy@example.com',
      household: { with: 1, shares: 'phone' },
    },
  ];
  const d = (
    id: string,
    customer: number,
    truth: string[],
    written: string[] = truth,
    noise: string[] = [],
  ): Delivery => ({
    id,
    customer,
    channel: 'sms',
    send: { channel: 'sms', from: '+1' },
    noise,
    written: written.map((w) => ({ kind: w.split(':')[0]!, value: w.slice(w.indexOf(':') + 1) })),
    truth,
  });
  // Ana: a1-a2 share a phone, a3 has only a Messenger id (not discoverable with the others).
  // Bo: b1-b2 through the phone; Cy (Bo's housemate) c1 writes from the same phone.
  const deliveries = [
    d('a1', 0, ['phone:+14155550001']),
    d('a2', 0, ['phone:+14155550001', 'email:ana@example.com']),
    d('a3', 0, ['messenger:9']),
    d('b1', 1, ['phone:+14155550002'], undefined, ['household-shared-phone']),
    d('b2', 1, ['phone:+14155550002', 'email:bo@example.com'], undefined, ['household-shared-phone']),
    d('c1', 2, ['phone:+14155550002'], undefined, ['household-shared-phone']),
  ];
  const keys = (x: Delivery) => x.written.map((w) => `${w.kind}:${w.value}`);
  const filed = (map: Record<string, string | undefined>) => (x: Delivery) => map[x.id];

  it("groups a customer's deliveries by chains of shared identifiers, never across customers", () => {
    const comp = components(deliveries, (x) => x.truth);
    expect(comp[0]).toBe(comp[1]);
    expect(comp[2]).not.toBe(comp[0]);
    expect(comp[3]).toBe(comp[4]);
    expect(comp[5]).not.toBe(comp[3]);
  });

  it('is perfect for a resolver that files each discoverable group on its own contact', () => {
    const s = scorePairs(customers, deliveries, filed({ a1: 'A', a2: 'A', a3: 'A3', b1: 'B', b2: 'B', c1: 'C' }), keys);
    expect(s).toMatchObject({
      predictedPairs: 2,
      correctPairs: 2,
      truePairs: 4, // a1a2, a1a3, a2a3, b1b2
      discoverablePairs: 2,
      discoverableFound: 2,
      precision: 1,
      recall: 1,
      recallOfAll: 0.5,
      lost: 0,
    });
  });

  it('counts the wrong pairs of a resolver that merges on any shared identifier, by household', () => {
    const s = scorePairs(customers, deliveries, filed({ a1: 'A', a2: 'A', a3: 'A3', b1: 'B', b2: 'B', c1: 'B' }), keys);
    expect(s.predictedPairs).toBe(4); // a1a2 + b1b2, b1c1, b2c1
    expect(s.correctPairs).toBe(2);
    expect(s.precision).toBe(0.5);
    expect(s.recall).toBe(1);
    expect(s.wrongBy.labels).toEqual([{ reason: 'one household + household-shared-phone', pairs: 2 }]);
  });

  it("scores the merge-on-any-identifier reference: every discoverable pair, and the household's wrong ones", () => {
    const s = scorePairs(
      customers,
      deliveries,
      mergeOnAny(deliveries, (x) => x.truth),
      keys,
    );
    expect(s).toMatchObject({ recall: 1, predictedPairs: 4, correctPairs: 2, precision: 0.5 });
  });

  it('scores the best any resolver can do: nameless deliveries from a shared phone on that phone’s own contact', () => {
    expect(deliveries.map(knowsAllButNameless)).toEqual([
      'customer:0',
      'customer:0',
      'customer:0',
      'shared:+1',
      'shared:+1',
      'shared:+1',
    ]);
    const s = scorePairs(customers, deliveries, knowsAllButNameless, keys);
    // Ana's three are one contact; on the phone's contact b1-b2 is right, b1-c1 and b2-c1 are not.
    expect(s).toMatchObject({ predictedPairs: 6, correctPairs: 4 });
  });

  it('tells wrong pairs no delivery tells apart (a nameless SMS from a line only one person named) from the rest', () => {
    const p2 = 'phone:+14155550002';
    const named = (id: string, customer: number, name: string): Delivery => ({
      ...d(id, customer, [p2]),
      channel: 'shop',
      send: { channel: 'shop', email: `${id}@example.com`, phone: '+14155550002', name, country: 'US' },
    });
    const sms = (id: string, customer: number): Delivery => ({
      ...d(id, customer, [p2]),
      send: { channel: 'sms', from: '+14155550002' },
    });
    const ana = [d('a1', 0, ['phone:+14155550001']), d('a2', 0, ['phone:+14155550001'])];
    // Only Bo gives the phone under a name: Cy's SMS from it is Bo's as far as any delivery tells (Ana's SMS, from a
    // phone nobody named, are on that phone's own contact).
    const quiet = [...ana, named('b1', 1, 'Bo Lee'), sms('c1', 2)];
    expect(quiet.map(whatDeliveriesTell(quiet))).toEqual(['line:+1', 'line:+1', 'customer:1', 'customer:1']);
    const onBo = filed({ a1: 'A', a2: 'A', b1: 'B', c1: 'B' });
    const s = scorePairs(customers, quiet, onBo, keys, 10, whatDeliveriesTell(quiet));
    expect(s).toMatchObject({ predictedPairs: 2, correctPairs: 1, precision: 0.5, tellablePrecision: 1 });
    expect(s.wrongBy.cause).toEqual([{ reason: 'no delivery tells them apart', pairs: 1 }]);
    // Cy gives it under her name too: the line is shared, and the SMS belongs on its own contact.
    const told = [...quiet, named('c2', 2, 'Cy Lee')];
    expect(told.map(whatDeliveriesTell(told)).slice(2)).toEqual(['customer:1', 'line:+14155550002', 'customer:2']);
    const t = scorePairs(
      customers,
      told,
      filed({ a1: 'A', a2: 'A', b1: 'B', c1: 'B', c2: 'C' }),
      keys,
      10,
      whatDeliveriesTell(told),
    );
    expect(t).toMatchObject({ precision: 0.5, tellablePrecision: 0.5 });
    expect(t.wrongBy.cause).toEqual([{ reason: 'a resolver can tell them apart', pairs: 1 }]);
    // Without a reference every wrong pair counts.
    expect(scorePairs(customers, quiet, onBo, keys).tellablePrecision).toBe(0.5);
  });

  it('tells misses the rules cannot link from those they link and the resolver split, and lost deliveries', () => {
    // a2's phone is written so the rules find no key: a1-a2 cannot be linked by them.
    const noisy = deliveries.map((x) =>
      x.id === 'a2' ? { ...x, written: [{ kind: 'email', value: 'ana@example.com' }], noise: ['mx-044'] } : x,
    );
    const s = scorePairs(
      customers,
      noisy,
      filed({ a1: 'A', a2: 'A2', a3: 'A3', b1: 'B', b2: 'B2', c1: undefined }),
      keys,
    );
    expect(s.lost).toBe(1);
    expect(s.discoverablePairs).toBe(2);
    expect(s.discoverableFound).toBe(0);
    expect(s.recall).toBe(0);
    expect(s.rulesPairs).toBe(1); // only b1-b2
    expect(s.recallOfRules).toBe(0);
    expect(s.precision).toBe(1); // nothing filed together
    expect(s.missesBy.cause).toEqual([
      { reason: 'the rules cannot link them', pairs: 1 },
      { reason: 'the rules link them, kept apart anyway', pairs: 1 },
    ]);
    expect(s.missesBy.labels).toEqual([
      { reason: 'rules cannot link + mx-044', pairs: 1 },
      { reason: 'rules link, split + household-shared-phone', pairs: 1 },
    ]);
    // A lost delivery of a discoverable pair is a miss of its own cause.
    const lost = scorePairs(customers, deliveries, filed({ a1: 'A', b1: 'B', b2: 'B', c1: 'C' }), keys);
    expect(lost.missesBy.cause).toEqual([{ reason: 'a delivery lost', pairs: 1 }]);
    expect(lost.lost).toBe(2);
  });
});
