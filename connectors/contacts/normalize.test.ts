import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../sdk/index.js';
import { normalizeCountry, normalizeEmail, normalizeIdentities, normalizePhone } from './normalize.js';

const invalidField = (fn: () => unknown, field: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e).toMatchObject({ kind: 'validation', retryable: false, code: 'INPUT_INVALID', details: { field } });
    expect((e as Error).message.startsWith(`${field}:`)).toBe(true);
    return;
  }
  throw new Error('expected a validation error');
};

describe('normalize', () => {
  it('trims and lower-cases emails, rejects non-emails', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    for (const bad of ['ada', 'ada@', '@example.com', 'a b@example.com', 'ada@example', 'a@@example.com'])
      invalidField(() => normalizeEmail(bad), 'email');
  });

  it('normalizes phones to E.164, with the default country for national numbers', () => {
    expect(normalizePhone('+1 (415) 555-0123')).toBe('+14155550123');
    expect(normalizePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalizePhone('06 12 34 56 78', 'FR')).toBe('+33612345678');
    invalidField(() => normalizePhone('020 7946 0958'), 'phone');
    invalidField(() => normalizePhone('+1 123'), 'phone');
    invalidField(() => normalizePhone('not a phone', 'US'), 'phone');
  });

  it('accepts ISO-3166 alpha-2 countries in any case', () => {
    expect(normalizeCountry('gb')).toBe('GB');
    expect(normalizeCountry(null)).toBeUndefined();
    expect(normalizeCountry('')).toBeUndefined();
    invalidField(() => normalizeCountry('XX'), 'defaultCountry');
  });

  it('builds de-duplicated identities, ignoring empty email and phone', () => {
    const kv = (r: ReturnType<typeof normalizeIdentities>) => r.identities.map(({ kind, value }) => ({ kind, value }));
    expect(
      kv(
        normalizeIdentities(
          {
            email: 'Ada@Example.com',
            phone: null,
            identities: [
              { kind: 'Telegram', value: ' 42 ' },
              { kind: 'email', value: 'ada@example.com' },
              { kind: 'phone', value: '07911 123456' },
            ],
          },
          'GB',
        ),
      ),
    ).toEqual([
      { kind: 'email', value: 'ada@example.com' },
      { kind: 'telegram', value: '42' },
      { kind: 'phone', value: '+447911123456' },
    ]);
    expect(kv(normalizeIdentities({ email: '', phone: '+14155550123' }))).toEqual([
      { kind: 'phone', value: '+14155550123' },
    ]);
  });

  it('names the field at fault', () => {
    invalidField(() => normalizeIdentities({ email: null, phone: '  ' }), 'email');
    invalidField(() => normalizeIdentities({ identities: [{ kind: 'email', value: 'x' }] }), 'identities/0/value');
    invalidField(
      () => normalizeIdentities({ email: 'a@b.co', identities: [{ kind: 'has space', value: 'x' }] }),
      'identities/0/kind',
    );
    invalidField(
      () => normalizeIdentities({ email: 'a@b.co', identities: [{ kind: 'wa', value: ' ' }] }),
      'identities/0/value',
    );
  });
});
