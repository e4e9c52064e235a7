// defineConnector: checks a connector definition once, when the module loads, so a broken plugin fails at startup
// with a message naming the connector, the action and the problem, never in the middle of a run.
import type { Static, TSchema } from 'typebox';
import { MESSAGE_EVENT_SCHEMA } from './channel-schemas.js';
import type { ChannelManifest } from './channel.js';
import type { CrmDefinition } from './crm.js';
import { createAjv } from './schema.js';
import type { JsonObject, JsonValue } from '../flow/types.js';
import type {
  ActionContext,
  ActionDefinition,
  ActionManifest,
  Connector,
  ConnectorDefinition,
  ConnectorManifest,
  CrmManifest,
  JsonSchema,
  PollTriggerContext,
  PollResult,
  SchemaLike,
  TriggerDefinition,
  TriggerManifest,
} from './types.js';

const CONNECTOR_ID = /^[a-z][a-z0-9_-]*$/;
const ACTION_ID = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const CHANNEL_NAME = /^[a-z][a-z0-9_-]*$/;

/** The plain JSON Schema a declared one is (a TypeBox schema is one). */
const json = (schema: SchemaLike): JsonSchema => schema as JsonSchema;

/** The trigger every channel connector gets: a message arrived on one of its accounts. */
export const MESSAGE_TRIGGER_ID = 'message';

/** An action as a connector declares it: TypeBox schemas (JSON Schema), and `run` typed by them. */
export interface ActionSpec<I extends TSchema, O extends TSchema> {
  /** Short id within the connector, e.g. `request`; the flow names it `<connector>.<id>`. */
  id: string;
  name: string;
  description: string;
  input: I;
  output: O;
  /** Hints for the editor's form (plain data), e.g. `{ "group": "Messages" }`. Field hints go in the schemas as `x-ui`. */
  ui?: ActionDefinition['ui'];
  /** Gets the input checked against `input` (defaults filled in); returns what `output` describes. */
  run(ctx: ActionContext, input: Static<I>): Promise<Static<O>>;
}

/**
 * An action whose input and output types are inferred from its schemas (TypeBox: `Type.Object({ ... })` is JSON
 * Schema). The schemas stay plain data in the manifest: TypeBox's own markers are not enumerable, so they don't reach
 * the JSON the editor and the validator see.
 */
export function defineAction<I extends TSchema, O extends TSchema>(
  spec: ActionSpec<I, O>,
): ActionDefinition<Static<I>, Static<O>> {
  return { ...spec, input: json(spec.input), output: json(spec.output) };
}

/** A poll trigger as a connector declares it: its settings schema types `ctx.input` (see README.md "Poll triggers"). */
export interface PollTriggerSpec<I extends TSchema, O extends TSchema> {
  /** Short id within the connector (letters, digits, `_`), e.g. `newDeal`; the flow names it `<connector>.<id>`. */
  id: string;
  name: string;
  description: string;
  /** The trigger's settings in a flow (`trigger.input`), checked at publish. */
  input: I;
  /** One item's `data` (what a run sees as `trigger.item`). */
  output: O;
  ui?: JsonObject;
  poll(ctx: PollTriggerContext<Static<I>>, cursor: JsonValue | null): Promise<PollResult>;
}

/** A polling trigger whose `ctx.input` type is inferred from its `input` schema. */
export function definePollTrigger<I extends TSchema, O extends TSchema>(
  spec: PollTriggerSpec<I, O>,
): TriggerDefinition & { poll(ctx: PollTriggerContext, cursor: JsonValue | null): Promise<PollResult> } {
  return { ...spec, input: json(spec.input), output: json(spec.output) };
}

export function defineConnector(def: ConnectorDefinition): Connector {
  const problems = definitionProblems(def);
  if (problems.length > 0) throw new Error(`connector ${JSON.stringify(def.id)} is invalid: ${problems.join('; ')}`);
  const triggers: TriggerManifest[] = [
    ...(def.channel
      ? [
          {
            id: `${def.id}.${MESSAGE_TRIGGER_ID}`,
            name: `${def.name} message`,
            description: `A message arrives on a ${def.name} account`,
            output: json(MESSAGE_EVENT_SCHEMA),
          },
        ]
      : []),
    ...(def.triggers ?? []).map(({ input, output, poll, ...t }): TriggerManifest => ({
      ...t,
      id: `${def.id}.${t.id}`,
      ...(input !== undefined && { input: json(input) }),
      output: json(output),
      ...(poll !== undefined && { poll: true as const }),
    })),
  ];
  const channel = def.channel;
  const manifest: ConnectorManifest = {
    id: def.id,
    name: def.name,
    version: def.version,
    ...(def.description !== undefined && { description: def.description }),
    ...(def.auth !== undefined && { auth: json(def.auth) }),
    actions: def.actions.map((a): ActionManifest => ({
      id: `${def.id}.${a.id}`,
      name: a.name,
      description: a.description,
      input: a.input,
      output: a.output,
      ...(a.ui !== undefined && { ui: a.ui }),
    })),
    triggers,
    ...(channel && {
      channel: {
        name: channel.name,
        addressKinds: channel.addressKinds,
        ...(channel.settings !== undefined && { settings: json(channel.settings) }),
        inbound: channel.inbound ? 'webhook' : channel.poll ? 'poll' : 'none',
        handshake: typeof channel.inbound?.handshake === 'function',
        ...(channel.rateLimit !== undefined && { rateLimit: channel.rateLimit }),
      } satisfies ChannelManifest,
    }),
    ...(def.crm && {
      crm: {
        ...(def.crm.settings !== undefined && { settings: json(def.crm.settings) }),
        inbound: def.crm.inbound !== undefined,
        merge: typeof def.crm.client.mergePersons === 'function',
        ...(def.crm.rateLimit !== undefined && { rateLimit: def.crm.rateLimit }),
        ...(def.crm.defaultFieldMap !== undefined && { defaultFieldMap: def.crm.defaultFieldMap }),
      } satisfies CrmManifest,
    }),
  };
  // A deep, function-free copy: the editor and `GET /api/connectors` get data, and later edits to `def` don't leak.
  return { ...def, manifest: JSON.parse(JSON.stringify(manifest)) as ConnectorManifest };
}

/** Every problem of a definition (empty when valid). */
export function definitionProblems(def: ConnectorDefinition): string[] {
  const problems: string[] = [];
  if (typeof def !== 'object' || def === null) return ['the definition must be an object'];
  if (typeof def.id !== 'string' || !CONNECTOR_ID.test(def.id)) problems.push(`id must match ${CONNECTOR_ID}`);
  if (!def.name) problems.push('name is required');
  if (!def.version) problems.push('version is required');
  const ajv = createAjv();
  const checkSchema = (where: string, declared: SchemaLike | undefined, objectRequired = false) => {
    const schema = declared as JsonSchema | undefined;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
      return void problems.push(`${where} must be a JSON Schema object`);
    if (objectRequired && schema.type !== 'object') problems.push(`${where} must have type "object"`);
    try {
      ajv.compile(schema);
    } catch (err) {
      problems.push(`${where} does not compile: ${(err as Error).message}`);
    }
  };
  if (def.auth !== undefined) checkSchema('auth schema', def.auth, true);
  if (!Array.isArray(def.actions)) return [...problems, 'actions must be an array'];
  const seen = new Set<string>();
  for (const action of def.actions) {
    const where = `action ${JSON.stringify(action.id)}`;
    if (typeof action.id !== 'string' || !ACTION_ID.test(action.id))
      problems.push(`${where}: id must match ${ACTION_ID}`);
    else if (seen.has(action.id)) problems.push(`${where}: duplicate id`);
    seen.add(action.id);
    if (!action.name) problems.push(`${where}: name is required`);
    if (typeof action.run !== 'function') problems.push(`${where}: run must be a function`);
    checkSchema(`${where}: input schema`, action.input, true);
    checkSchema(`${where}: output schema`, action.output);
  }
  if (def.triggers !== undefined) {
    if (!Array.isArray(def.triggers)) problems.push('triggers must be an array');
    else
      for (const t of def.triggers) {
        const where = `trigger ${JSON.stringify(t.id)}`;
        if (typeof t.id !== 'string' || !ACTION_ID.test(t.id)) problems.push(`${where}: id must match ${ACTION_ID}`);
        else if (t.id === MESSAGE_TRIGGER_ID && def.channel)
          problems.push(`${where}: "message" is the channel's own trigger`);
        if (!t.name) problems.push(`${where}: name is required`);
        if (t.input !== undefined) checkSchema(`${where}: input schema`, t.input, true);
        checkSchema(`${where}: output schema`, t.output);
        if (t.poll !== undefined && typeof t.poll !== 'function') problems.push(`${where}: poll must be a function`);
      }
  }
  const ch = def.channel;
  if (ch !== undefined) {
    if (typeof ch !== 'object' || ch === null) return [...problems, 'channel must be an object'];
    if (typeof ch.name !== 'string' || !CHANNEL_NAME.test(ch.name))
      problems.push(`channel name must match ${CHANNEL_NAME}`);
    if (
      !Array.isArray(ch.addressKinds) ||
      ch.addressKinds.length === 0 ||
      !ch.addressKinds.every((k) => typeof k === 'string' && k)
    )
      problems.push('channel addressKinds must list at least one identity kind');
    if (typeof ch.send !== 'function') problems.push('channel send must be a function');
    if (ch.settings !== undefined) checkSchema('channel settings schema', ch.settings, true);
    if (ch.inbound !== undefined) {
      if (typeof ch.inbound.verify !== 'function') problems.push('channel inbound.verify must be a function');
      if (typeof ch.inbound.parse !== 'function') problems.push('channel inbound.parse must be a function');
      if (ch.inbound.handshake !== undefined && typeof ch.inbound.handshake !== 'function')
        problems.push('channel inbound.handshake must be a function');
    }
    if (ch.poll !== undefined && typeof ch.poll !== 'function') problems.push('channel poll must be a function');
    for (const fn of ['register', 'unregister', 'normalizeAddress'] as const)
      if (ch[fn] !== undefined && typeof ch[fn] !== 'function') problems.push(`channel ${fn} must be a function`);
    const rl = ch.rateLimit;
    if (
      rl !== undefined &&
      !(Number.isInteger(rl.limit) && rl.limit > 0 && Number.isFinite(rl.intervalMs) && rl.intervalMs > 0)
    )
      problems.push('channel rateLimit needs a positive integer limit and a positive intervalMs');
  }
  if (def.crm !== undefined) problems.push(...crmProblems(def.crm));
  return problems;
}

const CRM_CLIENT_CALLS = [
  'scope',
  'getPerson',
  'findPerson',
  'createPerson',
  'updatePerson',
  'addNote',
  'changedSince',
];

function crmProblems(crm: CrmDefinition): string[] {
  if (typeof crm !== 'object' || crm === null) return ['crm must be an object'];
  const problems: string[] = [];
  const client = crm.client as unknown as Record<string, unknown> | undefined;
  if (typeof client !== 'object' || client === null) problems.push('crm client must be an object');
  else {
    for (const fn of CRM_CLIENT_CALLS)
      if (typeof client[fn] !== 'function') problems.push(`crm client.${fn} must be a function`);
    if (client.mergePersons !== undefined && typeof client.mergePersons !== 'function')
      problems.push('crm client.mergePersons must be a function');
  }
  if (crm.inbound !== undefined) {
    if (typeof crm.inbound.verify !== 'function') problems.push('crm inbound.verify must be a function');
    if (typeof crm.inbound.parse !== 'function') problems.push('crm inbound.parse must be a function');
  }
  if (crm.settings !== undefined) {
    const s = crm.settings as JsonSchema;
    if (typeof s !== 'object' || s === null || s.type !== 'object')
      problems.push('crm settings schema must have type "object"');
  }
  const rl = crm.rateLimit;
  if (
    rl !== undefined &&
    !(Number.isInteger(rl.limit) && rl.limit > 0 && Number.isFinite(rl.intervalMs) && rl.intervalMs > 0)
  )
    problems.push('crm rateLimit needs a positive integer limit and a positive intervalMs');
  return problems;
}
