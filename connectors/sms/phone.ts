// Phone numbers for SMS: E.164, through the CRM's normalizer so a number is spelled the same as on its contact.
import type { CountryCode } from 'libphonenumber-js';
import { normalizePhone } from '../contacts/normalize.js';
import { ConnectorError } from '../sdk/index.js';

const E164 = /^\+[1-9][0-9]{1,14}$/;

/**
 * `value` in E.164. A number already in E.164 shape that libphonenumber's metadata does not know (a range opened
 * after the library's release) is kept as is: Twilio is the judge of what it can reach.
 */
export function toE164(value: string, defaultCountry?: CountryCode, field = 'to'): string {
  try {
    return normalizePhone(value, defaultCountry, field);
  } catch (err) {
    const trimmed = value.trim();
    if (E164.test(trimmed)) return trimmed;
    throw err;
  }
}

/** E.164 for a number Twilio reports (From/To), or undefined when it is not a phone number (a short code, a name). */
export function reportedPhone(value: string): string | undefined {
  try {
    return toE164(value);
  } catch (err) {
    if (err instanceof ConnectorError) return undefined;
    throw err;
  }
}
