// Input checks of the built-in CRM: throwing normalizers for the actions that need one valid address (a send's `to`),
// and contacts.upsert's identities, through the matching rules of identity.ts.
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { ConnectorError, type ContactIdentityInput, type ResolvedIdentity } from '../sdk/index.js';
import { checkEmail, checkPhone, resolveIdentities, resolveIdentity } from './identity.js';

const invalid = (field: string, message: string) =>
  new ConnectorError('validation', `${field}: ${message}`, {
    code: 'INPUT_INVALID',
    retryable: false,
    details: { field },
  });

const KIND = /^[a-z][a-z0-9_.:-]*$/;

/** The display value of an email (trimmed, lower-cased); throws naming the field when it is not one. */
export function normalizeEmail(value: string, field = 'email'): string {
  const checked = checkEmail(value);
  if (!checked.ok) throw invalid(field, checked.problem);
  return checked.value;
}

export function normalizeCountry(value: string | null | undefined, field = 'defaultCountry'): CountryCode | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const code = value.trim().toUpperCase();
  if (!isSupportedCountry(code))
    throw invalid(field, `${JSON.stringify(value)} is not an ISO-3166 alpha-2 country code`);
  return code;
}

/** E.164 (`+14155550123`), providers' quirks repaired (identity.ts); a national number needs a default country. */
export function normalizePhone(value: string, defaultCountry?: CountryCode, field = 'phone'): string {
  const checked = checkPhone(value, defaultCountry);
  if (!checked.ok) throw invalid(field, checked.problem);
  return checked.value;
}

export interface IdentityFields {
  email?: string | null;
  phone?: string | null;
  identities?: ContactIdentityInput[] | null;
}

const blank = (v: string | null | undefined): v is null | undefined => v === undefined || v === null || v.trim() === '';

/** An identity the input could not use: stored flagged (`valid: false`), reported by contacts.upsert. */
export interface InvalidIdentity {
  field: string;
  kind: string;
  value: string;
  reason: string;
}

/**
 * The input's identities through the matching rules (identity.ts), one per match key. Empty or null email/phone are
 * ignored (a template of a missing path resolves to null). An email or phone that is not one does not fail the input:
 * it comes back `valid: false` (and in `invalid`, with its field), so the valid ones are still kept. Throws when the
 * input is malformed (a bad kind, an empty value) or has no valid identity at all.
 */
export function normalizeIdentities(
  input: IdentityFields,
  defaultCountry?: CountryCode,
): { identities: ResolvedIdentity[]; invalid: InvalidIdentity[] } {
  const given: { field: string; identity: ContactIdentityInput }[] = [];
  if (!blank(input.email)) given.push({ field: 'email', identity: { kind: 'email', value: input.email } });
  if (!blank(input.phone)) given.push({ field: 'phone', identity: { kind: 'phone', value: input.phone } });
  (input.identities ?? []).forEach((identity, i) => {
    const field = `identities/${i}`;
    const kind = typeof identity?.kind === 'string' ? identity.kind.trim().toLowerCase() : '';
    if (!KIND.test(kind))
      throw invalid(`${field}/kind`, `${JSON.stringify(identity?.kind)} is not a valid identity kind`);
    if (typeof identity.value !== 'string' || blank(identity.value))
      throw invalid(`${field}/value`, 'must be a non-empty string');
    given.push({ field: `${field}/value`, identity: { kind, value: identity.value } });
  });
  if (given.length === 0)
    throw invalid('email', 'at least one of email, phone or identities must be given (all were empty)');
  const bad: InvalidIdentity[] = given.flatMap(({ field, identity }) => {
    const r = resolveIdentity(identity, defaultCountry);
    return r.valid ? [] : [{ field, kind: r.kind, value: r.value, reason: r.problem ?? 'invalid' }];
  });
  const identities = resolveIdentities(
    given.map((g) => g.identity),
    defaultCountry,
  );
  if (!identities.some((i) => i.valid))
    throw invalid(bad[0]!.field, bad.map((b) => (b === bad[0] ? b.reason : `${b.field}: ${b.reason}`)).join('; '));
  return { identities, invalid: bad };
}
