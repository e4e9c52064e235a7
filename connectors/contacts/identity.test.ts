import { describe, expect, it } from 'vitest';
import { checkIdentity, resolveIdentities, senderIdentities, whatsappPhone } from './identity.js';

describe('identity matching rules', () => {
  // [kind, written, default country, display value, match key] for valid ones; key null for invalid ones.
  const table: [string, string, string | undefined, string, string | null][] = [
    ['email', '  Ada@Example.COM ', undefined, 'ada@example.com', 'ada@example.com'],
    ['email', 'J.O.H.N+shop@googlemail.com', undefined, 'j.o.h.n+shop@googlemail.com', 'john@gmail.com'],
    ['email', 'john@gmail.com', undefined, 'john@gmail.com', 'john@gmail.com'],
    ['email', 'john+x@example.com', undefined, 'john+x@example.com', 'john+x@example.com'],
    ['email', 'j.ohn@example.com', undefined, 'j.ohn@example.com', 'j.ohn@example.com'],
    ['email', '+tag@gmail.com', undefined, '+tag@gmail.com', null],
    ['email', 'not-an-email', undefined, 'not-an-email', null],
    ['phone', '+1 (415) 555-0123', undefined, '+14155550123', '+14155550123'],
    ['phone', '(415) 555-0123', 'US', '+14155550123', '+14155550123'],
    // WhatsApp's Mexican mobiles: +52 1 + 10 digits is +52 + 10 digits.
    ['phone', '+5215512345678', undefined, '+525512345678', '+525512345678'],
    ['phone', '+52 55 1234 5678', undefined, '+525512345678', '+525512345678'],
    // Brazilian mobiles without the ninth digit (8 digits starting 6-9): the 9 is inserted.
    ['phone', '+551187654321', undefined, '+5511987654321', '+5511987654321'],
    ['phone', '+5511987654321', undefined, '+5511987654321', '+5511987654321'],
    ['phone', '+556187654321', undefined, '+5561987654321', '+5561987654321'],
    // A Brazilian landline (8 digits starting 2-5) is left alone.
    ['phone', '+551132345678', undefined, '+551132345678', '+551132345678'],
    // The obsolete Mexican 044 mobile prefix: not a number today.
    ['phone', '044 55 1234 5678', 'MX', '044 55 1234 5678', null],
    ['phone', '12', 'US', '12', null],
    ['phone', '020 7946 0958', undefined, '020 7946 0958', null],
    ['telegram', ' 42 ', undefined, '42', '42'],
  ];
  it.each(table)('%s %j (%s) → %j, key %j', (kind, written, country, value, key) => {
    const r = resolveIdentities([{ kind, value: written }], country as never)[0]!;
    expect(r).toMatchObject({ kind, value, valid: key !== null, verified: false });
    if (key !== null) expect(r.key).toBe(key);
    else expect(r.problem).toEqual(expect.any(String));
    expect(checkIdentity(kind, written, country as never).ok).toBe(key !== null);
  });

  it('reads the phone behind a WhatsApp id, the ninth digit put back even where the 8-digit form is still valid', () => {
    // +55 21 7654-3210 is a valid 8-digit MOBILE in the metadata (an old range), but WhatsApp only registers mobiles and
    // keeps the pre-2016 id of one: it is +55 21 97654-3210. Written by a person, the 8-digit number stays as it is.
    expect(checkIdentity('phone', '+552176543210')).toMatchObject({ ok: true, value: '+552176543210' });
    expect(whatsappPhone('552176543210')).toBe('+5521976543210');
    expect(whatsappPhone('551187654321')).toBe('+5511987654321');
    expect(whatsappPhone('5511987654321')).toBe('+5511987654321');
    // A landline (2-5) is no WhatsApp quirk; Mexico's 521 is repaired; an id that is no number has no phone.
    expect(whatsappPhone('551132345678')).toBe('+551132345678');
    expect(whatsappPhone('5215512345678')).toBe('+525512345678');
    expect(whatsappPhone('12')).toBeUndefined();
    expect(whatsappPhone('0123456789')).toBeUndefined();
  });

  it('keeps one identity per match key, the first spelling, verified when any copy is', () => {
    expect(
      resolveIdentities([
        { kind: 'email', value: 'john.doe@gmail.com' },
        { kind: 'email', value: 'johndoe+x@googlemail.com', verified: true },
        { kind: 'phone', value: 'bad' },
        { kind: 'phone', value: 'bad' },
      ]),
    ).toEqual([
      { kind: 'email', value: 'john.doe@gmail.com', key: 'johndoe@gmail.com', valid: true, verified: true },
      { kind: 'phone', value: 'bad', key: 'bad', valid: false, verified: false, problem: expect.any(String) },
    ]);
  });

  it('verifies the identity a provider delivered from, and only the others the channel says it vouches for', () => {
    expect(
      senderIdentities({
        identity: { kind: 'webchat', value: 'v1' },
        identities: [{ kind: 'email', value: 'Typed@Example.com' }],
      }).map((i) => [i.kind, i.value, i.verified]),
    ).toEqual([
      ['webchat', 'v1', true],
      ['email', 'typed@example.com', false],
    ]);
  });
});
