// The identity matching rules, in one place: what an email or phone is shown as (`value`), what it matches on (`key`),
// and whether it is valid at all. Ingest (worker/ingest-activities.ts), contacts.upsert and the contacts search
// (server/routes/contacts.ts) all go through here, so a person found one way is found every way. README.md says why.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { ContactIdentityInput, MessageReceived, ResolvedIdentity } from '../sdk/index.js';

// Deliberately loose (one @, a dot in the domain, no spaces): the provider is the final judge of deliverability.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
/** Google: dots and anything after a `+` in the local part do not matter, and googlemail.com is gmail.com. */
const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

export type Checked = { ok: true; value: string; key: string } | { ok: false; problem: string };

/** Trimmed and lower-cased; the key of a Gmail address is its mailbox (`j.o.hn+shop@googlemail.com` → `john@gmail.com`). */
export function checkEmail(written: string): Checked {
  const value = written.trim().toLowerCase();
  if (!EMAIL.test(value)) return { ok: false, problem: `${JSON.stringify(written)} is not an email address` };
  const at = value.lastIndexOf('@');
  const domain = value.slice(at + 1);
  if (!GMAIL_DOMAINS.has(domain)) return { ok: true, value, key: value };
  const mailbox = value.slice(0, at).split('+')[0]!.replaceAll('.', '');
  if (mailbox === '') return { ok: false, problem: `${JSON.stringify(written)} names no Gmail mailbox` };
  return { ok: true, value, key: `${mailbox}@gmail.com` };
}

const E164 = /^\+[1-9][0-9]{1,14}$/;
const valid = (e164: string) => parsePhoneNumberFromString(e164)?.isValid() === true;

/**
 * Providers' known misreports, tried only on a number libphonenumber (full metadata) finds invalid:
 * - Mexico: WhatsApp reports mobiles with the `1` Mexico dropped in 2019 (`+521` + 10 digits): drop it.
 * - Brazil: mobiles reported without the ninth digit (`+55` + 2-digit area + 8 digits starting 6–9): insert the `9`,
 *   kept only when libphonenumber types the result MOBILE.
 */
function quirk(e164: string): string | undefined {
  const mx = /^\+521(\d{10})$/.exec(e164);
  if (mx && valid(`+52${mx[1]}`)) return `+52${mx[1]}`;
  const br = /^\+55(\d{2})([6-9]\d{7})$/.exec(e164);
  if (br) {
    const fixed = parsePhoneNumberFromString(`+55${br[1]}9${br[2]}`);
    if (fixed?.isValid() && fixed.getType() === 'MOBILE') return fixed.number;
  }
  return undefined;
}

/**
 * The phone behind a WhatsApp id (digits, no `+`), or undefined when it is none. WhatsApp keeps the id a Brazilian
 * mobile registered with before the ninth digit came in (2012–2016), so `55` + area + 8 digits starting 6–9 is that
 * mobile with the `9` put back whenever the result is a MOBILE, even where the 8-digit form is still a valid number in
 * libphonenumber's metadata (some areas keep old 8-digit ranges): WhatsApp only registers mobiles. Other ids go
 * through checkPhone (the Mexican `521…` repair included).
 */
export function whatsappPhone(waId: string): string | undefined {
  if (!/^[1-9][0-9]{5,14}$/.test(waId)) return undefined;
  const br = /^55(\d{2})([6-9]\d{7})$/.exec(waId);
  if (br) {
    const fixed = parsePhoneNumberFromString(`+55${br[1]}9${br[2]}`);
    if (fixed?.isValid() && fixed.getType() === 'MOBILE') return fixed.number;
  }
  const checked = checkPhone(`+${waId}`);
  return checked.ok ? checked.value : undefined;
}

/** E.164 for value and key (`+14155550123`); a national number needs a default country. */
export function checkPhone(written: string, defaultCountry?: CountryCode): Checked {
  const phone = parsePhoneNumberFromString(written.trim(), defaultCountry);
  const e164 = phone?.isValid() ? phone.number : phone && quirk(phone.number);
  if (e164) return { ok: true, value: e164, key: e164 };
  const hint = defaultCountry
    ? ` for country ${defaultCountry}`
    : ' (give it in international form, +<country code>..., or set defaultCountry)';
  return { ok: false, problem: `${JSON.stringify(written)} is not a valid phone number${hint}` };
}

/** Any identity: emails and phones by their rules, other kinds trimmed (their value is their key). */
export function checkIdentity(kind: string, written: string, defaultCountry?: CountryCode): Checked {
  if (kind === 'email') return checkEmail(written);
  if (kind === 'phone') return checkPhone(written, defaultCountry);
  const value = written.trim();
  return value === '' ? { ok: false, problem: 'an empty identity' } : { ok: true, value, key: value };
}

/** One identity through the rules. An invalid one is kept as written (trimmed) with `valid: false` and its problem. */
export function resolveIdentity(identity: ContactIdentityInput, defaultCountry?: CountryCode): ResolvedIdentity {
  const verified = identity.verified === true;
  const checked = checkIdentity(identity.kind, identity.value, defaultCountry);
  if (checked.ok) return { kind: identity.kind, value: checked.value, key: checked.key, valid: true, verified };
  const value = identity.value.trim();
  return { kind: identity.kind, value, key: value, valid: false, verified, problem: checked.problem };
}

/**
 * The identities through the rules, one per match key (the first spelling is kept; verified if any copy is). Invalid
 * ones are kept too, one per written value: the store records them, flagged, and never matches on them.
 */
export function resolveIdentities(
  identities: ContactIdentityInput[],
  defaultCountry?: CountryCode,
): ResolvedIdentity[] {
  const out = new Map<string, ResolvedIdentity>();
  for (const identity of identities) {
    const r = resolveIdentity(identity, defaultCountry);
    const id = `${r.kind}\u0000${r.valid ? 'key' : 'value'}\u0000${r.key}`;
    const seen = out.get(id);
    if (!seen) out.set(id, r);
    else if (r.verified) seen.verified = true;
  }
  return [...out.values()];
}

/**
 * A delivery's sender through the rules: the identity the provider delivered from is verified (a WhatsApp id, an
 * SMS sender's phone, a Telegram user); the others are as verified as the channel says (a WhatsApp sender's phone and
 * a Telegram user's own shared number are, an email typed into a web chat is not). Channels give E.164 phones.
 */
export function senderIdentities(sender: MessageReceived['sender']): ResolvedIdentity[] {
  const [first, ...rest] = resolveIdentities([{ ...sender.identity, verified: true }, ...(sender.identities ?? [])]);
  // The number a provider delivered from exists, whatever the metadata says (a range opened after the library's
  // release, kept in E.164 by the SMS parser): it stays valid, so the delivery always has a contact to file under.
  if (first && !first.valid && first.kind === 'phone' && E164.test(first.value))
    return [{ kind: first.kind, value: first.value, key: first.value, valid: true, verified: true }, ...rest];
  return first ? [first, ...rest] : [];
}
