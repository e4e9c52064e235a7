// Identity normalization for the built-in CRM: one spelling per identity, so the same person found twice is one row.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { ConnectorError, type ContactIdentityInput } from '../sdk/index.js';

const invalid = (field: string, message: string) =>
  new ConnectorError('validation', `${field}: ${message}`, {
    code: 'INPUT_INVALID',
    retryable: false,
    details: { field },
  });

// Deliberately loose (one @, a dot in the domain, no spaces): the provider is the final judge of deliverability.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const KIND = /^[a-z][a-z0-9_.:-]*$/;

export function normalizeEmail(value: string, field = 'email'): string {
  const email = value.trim().toLowerCase();
  if (!EMAIL.test(email)) throw invalid(field, `${JSON.stringify(value)} is not an email address`);
  return email;
}

export function normalizeCountry(value: string | null | undefined, field = 'defaultCountry'): CountryCode | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const code = value.trim().toUpperCase();
  if (!isSupportedCountry(code))
    throw invalid(field, `${JSON.stringify(value)} is not an ISO-3166 alpha-2 country code`);
  return code;
}

/** E.164 (`+14155550123`); a national number needs a default country. */
export function normalizePhone(value: string, defaultCountry?: CountryCode, field = 'phone'): string {
  const phone = parsePhoneNumberFromString(value.trim(), defaultCountry);
  if (!phone?.isValid()) {
    const hint = defaultCountry
      ? ` for country ${defaultCountry}`
      : ' (give it in international form, +<country code>..., or set defaultCountry)';
    throw invalid(field, `${JSON.stringify(value)} is not a valid phone number${hint}`);
  }
  return phone.number;
}

export interface IdentityFields {
  email?: string | null;
  phone?: string | null;
  identities?: ContactIdentityInput[] | null;
}

const blank = (v: string | null | undefined): v is null | undefined => v === undefined || v === null || v.trim() === '';

/**
 * The normalized, de-duplicated identities of an input. Empty or null email/phone are ignored (a template of a
 * missing path resolves to null); explicit identities of kind email/phone are normalized the same way.
 */
export function normalizeIdentities(input: IdentityFields, defaultCountry?: CountryCode): ContactIdentityInput[] {
  const out = new Map<string, ContactIdentityInput>();
  const add = (kind: string, value: string) => out.set(`${kind}\u0000${value}`, { kind, value });
  if (!blank(input.email)) add('email', normalizeEmail(input.email));
  if (!blank(input.phone)) add('phone', normalizePhone(input.phone, defaultCountry));
  (input.identities ?? []).forEach((identity, i) => {
    const field = `identities/${i}`;
    const kind = typeof identity?.kind === 'string' ? identity.kind.trim().toLowerCase() : '';
    if (!KIND.test(kind))
      throw invalid(`${field}/kind`, `${JSON.stringify(identity?.kind)} is not a valid identity kind`);
    if (typeof identity.value !== 'string' || blank(identity.value))
      throw invalid(`${field}/value`, 'must be a non-empty string');
    if (kind === 'email') add(kind, normalizeEmail(identity.value, `${field}/value`));
    else if (kind === 'phone') add(kind, normalizePhone(identity.value, defaultCountry, `${field}/value`));
    else add(kind, identity.value.trim());
  });
  if (out.size === 0)
    throw invalid('email', 'at least one of email, phone or identities must be given (all were empty)');
  return [...out.values()];
}
