// Schemas the HubSpot actions share: the account input, property maps, and a record as the actions return it.
import { Type, type Static } from '../sdk/index.js';

/** The CRM account (like the channels' ACCOUNT_INPUT): picked among the workspace's HubSpot accounts. */
export const HUBSPOT_ACCOUNT_INPUT = Type.String({
  minLength: 1,
  title: 'HubSpot account',
  description: 'The id of the HubSpot CRM account to use',
  'x-ui': { widget: 'channel-account' },
});

export const HUBSPOT_ID = Type.String({ pattern: '^[0-9]{1,20}$', description: 'A HubSpot record id' });

/** Properties to write, by HubSpot's internal names; numbers and booleans are sent as strings, as HubSpot takes them. */
export const PROPERTIES_INPUT = Type.Record(
  Type.String({ pattern: '^[a-z0-9_]{1,100}$' }),
  Type.Union([Type.String({ maxLength: 65_536 }), Type.Number(), Type.Boolean()]),
  {
    maxProperties: 100,
    additionalProperties: false,
    title: 'Properties',
    description: 'HubSpot property names (internal names) and values.',
  },
);
export type PropertiesInput = Static<typeof PROPERTIES_INPUT>;

export const HUBSPOT_RECORD = Type.Object({
  id: HUBSPOT_ID,
  properties: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
  createdAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
});

export const asStrings = (p: PropertiesInput | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, String(v)]));

/** The record as an action returns it. */
export const recordOut = (o: {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
}) => ({
  id: o.id,
  properties: o.properties,
  ...(o.createdAt !== undefined && { createdAt: o.createdAt }),
  ...(o.updatedAt !== undefined && { updatedAt: o.updatedAt }),
});
