// HubSpot webhooks: a POST whose body is a JSON array of events (up to 100 per request), signed v3
// (X-HubSpot-Signature-v3 over method + the public URI + body + X-HubSpot-Request-Timestamp; sdk/signatures.ts).
// Event fields, from HubSpot's webhooks docs and its changelog "New subscription types for webhooks": eventId,
// subscriptionId, portalId, appId, occurredAt (ms), subscriptionType (`contact.creation`, `contact.propertyChange`
// with propertyName/propertyValue, `contact.deletion`, `contact.privacyDeletion`, `contact.restore`,
// `contact.merge` with primaryObjectId/mergedObjectIds/newObjectId, `contact.associationChange`), attemptNumber,
// objectId, changeSource, changeFlag. Apps on the new developer platform send `object.*` with objectTypeId `0-1`
// for contacts. HubSpot says eventId alone is not guaranteed unique, so the dedupe key adds the subscription.
import {
  InboundPayloadError,
  verifyHubSpotV3,
  type CrmChange,
  type CrmInbound,
  type InboundContext,
} from '../sdk/index.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An id HubSpot sends as a number (or, in places, a decimal string). */
const idOf = (v: unknown): string | undefined =>
  (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^[0-9]{1,20}$/.test(v))
    ? String(v)
    : undefined;

/** More than HubSpot's 100 per request, so a real batch always fits; a bigger body is not HubSpot's. */
export const MAX_EVENTS = 1_000;

const VERIFY_REASONS = {
  missing: 'X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp is missing',
  stale: 'X-HubSpot-Request-Timestamp is more than 5 minutes old (replay?)',
  bad_signature: 'X-HubSpot-Signature-v3 does not match',
} as const;

const CONTACT_OBJECT_TYPE = '0-1';

/** `contact.<kind>`, or `object.<kind>` about a contact, as `<kind>`; undefined for other objects. */
function contactKind(e: Obj): string | undefined {
  const type = e.subscriptionType;
  if (typeof type !== 'string') return undefined;
  const [object, kind] = type.split('.', 2);
  if (object === 'contact') return kind;
  if (object === 'object' && String(e.objectTypeId) === CONTACT_OBJECT_TYPE) return kind;
  return undefined;
}

function change(e: Obj, i: number, portal: string | undefined): CrmChange | undefined {
  const eventId = idOf(e.eventId);
  const subscriptionId = idOf(e.subscriptionId) ?? '0';
  const occurred = e.occurredAt;
  if (eventId === undefined || typeof e.subscriptionType !== 'string' || typeof occurred !== 'number')
    throw new InboundPayloadError(`HubSpot event ${i} needs eventId, subscriptionType and occurredAt`);
  if (portal !== undefined && idOf(e.portalId) !== portal) return undefined;
  const kind = contactKind(e);
  if (kind === undefined) return undefined; // deals, companies, conversations: not people
  // Made through the API by the app this webhook belongs to (the private app whose token the sync writes with).
  const own = e.changeSource === 'INTEGRATION' && e.sourceId !== undefined && idOf(e.sourceId) === idOf(e.appId);
  const base = {
    dedupeKey: `${subscriptionId}:${eventId}`,
    occurredAt: new Date(occurred).toISOString(),
    ...(own && { ownWrite: true }),
  };
  if (kind === 'merge') {
    const primary = idOf(e.primaryObjectId);
    const merged = Array.isArray(e.mergedObjectIds) ? e.mergedObjectIds.map(idOf) : [];
    if (primary === undefined || merged.length === 0 || merged.some((m) => m === undefined))
      throw new InboundPayloadError(`HubSpot merge event ${i} needs primaryObjectId and mergedObjectIds`);
    // newObjectId: the record the merge produced, when it is not the primary one (then the primary is merged too).
    const survivor = idOf(e.newObjectId) ?? primary;
    const mergedIds = [...new Set([...(merged as string[]), ...(survivor !== primary ? [primary] : [])])];
    return { ...base, type: 'person.merged', recordId: survivor, mergedIds };
  }
  const recordId = idOf(e.objectId);
  if (recordId === undefined) throw new InboundPayloadError(`HubSpot event ${i} needs an objectId`);
  switch (kind) {
    case 'creation':
      return { ...base, type: 'person.created', recordId };
    case 'deletion':
    case 'privacyDeletion':
      return { ...base, type: 'person.deleted', recordId };
    case 'propertyChange': {
      const property = typeof e.propertyName === 'string' && e.propertyName !== '' ? e.propertyName : undefined;
      return { ...base, type: 'person.updated', recordId, ...(property && { properties: [property] }) };
    }
    case 'restore':
    case 'associationChange':
      return { ...base, type: 'person.updated', recordId };
    default:
      return undefined;
  }
}

/** Read directly, not through readHubspotSettings: a bad apiBaseUrl must not turn every delivery into a 500. */
const portalSetting = (ctx: InboundContext) => {
  const v = ctx.account.settings.portalId;
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export const hubspotInbound: CrmInbound = {
  verify(req, ctx) {
    const secret = ctx.account.credentials.clientSecret;
    if (typeof secret !== 'string' || secret === '') return { ok: false, reason: 'the account has no client secret' };
    if (req.method !== 'POST') return { ok: false, reason: 'HubSpot webhooks are POSTs' };
    const result = verifyHubSpotV3(
      secret,
      { method: req.method, uri: req.url, rawBody: req.rawBody },
      req.headers['x-hubspot-request-timestamp'],
      req.headers['x-hubspot-signature-v3'],
      ctx.now,
    );
    return result.ok ? result : { ok: false, reason: VERIFY_REASONS[result.reason] };
  },

  parse(req, ctx) {
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      throw new InboundPayloadError('the HubSpot webhook body is not JSON');
    }
    if (!Array.isArray(body)) throw new InboundPayloadError('a HubSpot webhook body is an array of events');
    if (body.length > MAX_EVENTS)
      throw new InboundPayloadError(`a HubSpot webhook carries at most ${MAX_EVENTS} events`);
    const portal = portalSetting(ctx);
    const out: CrmChange[] = [];
    body.forEach((e: unknown, i) => {
      if (!isObject(e)) throw new InboundPayloadError(`HubSpot event ${i} is not an object`);
      const c = change(e, i, portal);
      if (c) out.push(c);
    });
    if (portal !== undefined && out.length === 0 && body.some((e) => isObject(e) && idOf(e.portalId) !== portal))
      ctx.logger.warn({ accountId: ctx.account.id, portalId: portal }, 'hubspot events from another portal ignored');
    return out;
  },
};
