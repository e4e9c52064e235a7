// The `to` of the WhatsApp actions: a WhatsApp id (as inbound messages' sender identity has it, usually digits) or a
// phone number in international form (`+…`, normalized to E.164).
import { normalizePhone } from '../contacts/normalize.js';
import { ConnectorError, Type, type ContactIdentityInput } from '../sdk/index.js';

export const TO_INPUT = Type.String({
  minLength: 1,
  title: 'To',
  description:
    'A WhatsApp id (usually digits, e.g. {{ trigger.sender.identity.value }}) or a phone number in international form (+14155550123).',
});

export function toIdentity(to: string): ContactIdentityInput {
  const value = to.trim();
  if (value.startsWith('+')) return { kind: 'phone', value: normalizePhone(value, undefined, 'to') };
  if (/^[A-Za-z0-9._-]{1,64}$/.test(value)) return { kind: 'whatsapp', value };
  throw new ConnectorError(
    'validation',
    `to: ${JSON.stringify(to)} is neither a WhatsApp id nor a phone number starting with +`,
    {
      code: 'INPUT_INVALID',
      retryable: false,
      details: { field: 'to' },
    },
  );
}
