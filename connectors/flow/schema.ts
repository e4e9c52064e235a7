// The JSON Schema (draft 2020-12, like the connector schemas) of flow definition v1, mirroring types.ts. Served as-is
// at GET /api/schemas/flow.json; validate.ts runs it with ajv and adds the checks a schema cannot express (graph,
// templates, action inputs). Plain data: no ajv import here.
import { DURATION_PATTERN } from './duration.js';
import { LOOP_LIMITS } from './loop.js';
import { RESPOND_STATUS } from './respond.js';
import { CONTACT_EVENT_TYPES, PLATFORM_EVENT_TYPES, SCHEDULE_OVERLAPS } from './types.js';

export const FLOW_SCHEMA_ID = 'https://confluo.dev/schemas/flow.json';
export const NODE_ID_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]{0,63}$';
export const ACTION_ID_PATTERN = '^[a-z][a-z0-9_-]*\\.[a-zA-Z][a-zA-Z0-9_]*$';

const base = {
  id: { $ref: '#/$defs/nodeId' },
  name: { type: 'string' },
  position: {
    type: 'object',
    required: ['x', 'y'],
    additionalProperties: false,
    properties: { x: { type: 'number' }, y: { type: 'number' } },
  },
  join: {
    enum: ['all', 'first'],
    description:
      'Where branches meet: `all` (default) waits until every incoming edge is decided; `first` starts on the first taken one',
  },
};

// One schema per node type, chosen by `type` with if/then (not oneOf), so errors name the real problem instead of
// "must match exactly one schema" plus every other type's complaints.
const nodeTypes = {
  action: {
    required: ['id', 'type', 'action'],
    properties: {
      action: {
        type: 'string',
        pattern: ACTION_ID_PATTERN,
        description: '`<connector>.<action>`, e.g. `http.request`',
      },
      connection: { type: 'string', minLength: 1 },
      input: { type: 'object', description: 'Templated input: `{{ path }}` strings and `{ "$logic": rule }` values' },
      retry: {
        type: 'object',
        additionalProperties: false,
        properties: {
          maxAttempts: { type: 'integer', minimum: 1, maximum: 20 },
          initialInterval: { $ref: '#/$defs/duration' },
          backoffCoefficient: { type: 'number', minimum: 1 },
          maximumInterval: { $ref: '#/$defs/duration' },
        },
      },
      timeout: { $ref: '#/$defs/duration' },
      onError: { enum: ['fail', 'continue'] },
      sample: { description: 'An output kept from a step test: the data picker offers its fields; ignored by runs' },
    },
  },
  condition: { required: ['id', 'type', 'rule'], properties: { rule: { description: 'A json-logic rule' } } },
  switch: {
    required: ['id', 'type', 'cases'],
    properties: {
      cases: {
        type: 'array',
        minItems: 1,
        description:
          'Ordered cases: the first truthy rule gives the branch (its `id`, else `case<index>`); else `default`',
        items: {
          type: 'object',
          required: ['rule'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: NODE_ID_PATTERN, not: { const: 'default' } },
            name: { type: 'string' },
            rule: { description: 'A json-logic rule' },
          },
        },
      },
    },
  },
  delay: { required: ['id', 'type', 'duration'], properties: { duration: { $ref: '#/$defs/duration' } } },
  set: { required: ['id', 'type', 'values'], properties: { values: { type: 'object' } } },
  wait: {
    required: ['id', 'type', 'for', 'timeout'],
    properties: {
      for: {
        const: 'reply',
        description: 'What to wait for: `reply`, the next inbound message from the contact on any channel',
      },
      timeout: { $ref: '#/$defs/duration' },
      contact: {
        type: 'string',
        minLength: 1,
        description: 'Whose reply: a template resolving to a contact id (default `{{ contact.id }}`)',
      },
    },
  },
  subflow: {
    required: ['id', 'type', 'flow'],
    properties: {
      flow: { type: 'string', minLength: 1, description: 'The id of a published flow of the workspace' },
      version: {
        type: 'integer',
        minimum: 1,
        description: 'A published version of it; absent: the latest one when the run reaches the node',
      },
      input: { type: 'object', description: "Templated, like an action's input: the child run's `trigger.input`" },
      timeout: { $ref: '#/$defs/duration' },
      onError: { enum: ['fail', 'continue'] },
    },
  },
  loop: {
    required: ['id', 'type', 'items'],
    properties: {
      // Any JSON: a non-array that is known at publish is validate.ts's `loop_items` issue, which says more.
      items: { description: 'A template or `{ "$logic": rule }` giving an array, or a literal array' },
      concurrency: { type: 'integer', minimum: 1, maximum: LOOP_LIMITS.maxConcurrency, description: 'Default 1' },
      maxItems: {
        type: 'integer',
        minimum: 1,
        maximum: LOOP_LIMITS.maxItems,
        description: `More items fail the step; default ${LOOP_LIMITS.defaultMaxItems}`,
      },
      onError: { enum: ['fail', 'continue'] },
    },
  },
  respond: {
    // Header names and values, a body with a 204/304, and the trigger it needs are validate.ts's (respond.ts).
    required: ['id', 'type'],
    properties: {
      status: { type: 'integer', minimum: RESPOND_STATUS.min, maximum: RESPOND_STATUS.max, description: 'Default 200' },
      headers: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'Response headers; values are templated strings',
      },
      body: { description: 'Templated JSON: a string is sent as text, anything else as JSON; absent: no body' },
    },
  },
} as const;

export const NODE_TYPES = Object.keys(nodeTypes) as Array<keyof typeof nodeTypes>;

export const flowSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: FLOW_SCHEMA_ID,
  title: 'Confluo flow definition, version 1',
  type: 'object',
  required: ['schemaVersion', 'trigger', 'nodes', 'edges'],
  additionalProperties: false,
  properties: {
    schemaVersion: { const: 1 },
    trigger: {
      type: 'object',
      required: ['type'],
      properties: {
        type: {
          enum: ['webhook', 'channel.message', ...CONTACT_EVENT_TYPES, ...PLATFORM_EVENT_TYPES, 'schedule', 'poll'],
        },
      },
      allOf: [
        {
          if: { required: ['type'], properties: { type: { const: 'webhook' } } },
          then: {
            additionalProperties: false,
            properties: {
              type: { const: 'webhook' },
              sample: { description: 'A sample event ({ body, headers, query })' },
              respond: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  timeout: {
                    $ref: '#/$defs/duration',
                    description: 'With a respond node: how long the caller waits for it (PT1S–PT30S, default PT10S)',
                  },
                },
              },
            },
          },
        },
        {
          if: { required: ['type'], properties: { type: { const: 'channel.message' } } },
          then: {
            additionalProperties: false,
            properties: {
              type: { const: 'channel.message' },
              channels: {
                type: 'array',
                items: { type: 'string', minLength: 1 },
                uniqueItems: true,
                description: 'Channel names; absent: all',
              },
              accounts: {
                type: 'array',
                items: { type: 'string', minLength: 1 },
                uniqueItems: true,
                description: 'Channel account ids; absent: all',
              },
              filter: {
                description: 'A json-logic rule over `trigger` and `contact`; the run starts only when it is truthy',
              },
              sample: { description: 'A sample message event' },
            },
          },
        },
        ...CONTACT_EVENT_TYPES.map((type) => ({
          if: { required: ['type'], properties: { type: { const: type } } },
          then: {
            additionalProperties: false,
            properties: {
              type: { const: type },
              ...(type === 'contact.updated' && {
                fields: {
                  type: 'array',
                  items: { type: 'string', pattern: '^(name|tags|attributes\\.[^.\\s]+)$' },
                  uniqueItems: true,
                  minItems: 1,
                  description:
                    'Start only when one of these changed: `name`, `attributes.<key>`, `tags`; absent: any change',
                },
              }),
              ...(type === 'identity.added' && {
                kinds: {
                  type: 'array',
                  items: { type: 'string', minLength: 1 },
                  uniqueItems: true,
                  minItems: 1,
                  description: 'Identity kinds (`email`, `phone`, ...); absent: all',
                },
              }),
              filter: {
                description: 'A json-logic rule over `trigger` and `contact`; the run starts only when it is truthy',
              },
              sample: { description: 'A sample contact event' },
            },
          },
        })),
        ...PLATFORM_EVENT_TYPES.map((type) => ({
          if: { required: ['type'], properties: { type: { const: type } } },
          then: {
            additionalProperties: false,
            properties: {
              type: { const: type },
              ...(type === 'run.failed'
                ? {
                    flows: {
                      type: 'array',
                      items: { type: 'string', minLength: 1 },
                      uniqueItems: true,
                      minItems: 1,
                      description: 'Flow ids: start only for their failed runs; absent: any flow',
                    },
                  }
                : {
                    channels: {
                      type: 'array',
                      items: { type: 'string', minLength: 1 },
                      uniqueItems: true,
                      minItems: 1,
                      description: 'Channel names; absent: all',
                    },
                  }),
              filter: {
                description: 'A json-logic rule over `trigger` and `contact`; the run starts only when it is truthy',
              },
              sample: { description: 'A sample event' },
            },
          },
        })),
        {
          // Cron syntax, the time zone, the interval's floor and "exactly one of cron and every" are validate.ts's
          // (schedule.ts): their issues say more than a schema's.
          if: { required: ['type'], properties: { type: { const: 'schedule' } } },
          then: {
            additionalProperties: false,
            properties: {
              type: { const: 'schedule' },
              cron: {
                anyOf: [
                  { type: 'string', minLength: 1 },
                  { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: 10 },
                ],
                description: 'Five-field cron (`0 9 * * 1-5`) or `@daily`-style shorthands; a list fires on any',
              },
              every: { type: 'string', description: 'An ISO-8601 duration of at least PT1M, e.g. PT15M' },
              timezone: {
                type: 'string',
                minLength: 1,
                description: 'IANA time zone the cron is read in; default UTC',
              },
              overlap: {
                enum: SCHEDULE_OVERLAPS,
                description: 'A tick while the previous run is still open: skip (default), buffer_one or allow_all',
              },
              sample: { description: 'A sample schedule event' },
            },
          },
        },
        {
          // The source, its input against the source's schema, and the interval's floor are validate.ts's (poll.ts).
          if: { required: ['type'], properties: { type: { const: 'poll' } } },
          then: {
            additionalProperties: false,
            required: ['source', 'every'],
            properties: {
              type: { const: 'poll' },
              source: {
                type: 'string',
                pattern: ACTION_ID_PATTERN,
                description: "A connector's poll trigger, `<connector>.<trigger>`, e.g. `http.poll`",
              },
              connection: { type: 'string', minLength: 1, description: 'Id of a stored connection (credentials)' },
              input: { type: 'object', description: "The source's settings: plain JSON, no templates" },
              every: { type: 'string', description: 'An ISO-8601 duration of at least PT1M between polls, e.g. PT5M' },
              firstPoll: {
                enum: ['baseline', 'run'],
                description: 'The first poll records what is there (`baseline`, default) or starts a run per item',
              },
              sample: { description: 'A sample poll event ({ key, item })' },
            },
          },
        },
      ],
    },
    nodes: { type: 'array', items: { $ref: '#/$defs/node' } },
    edges: { type: 'array', items: { $ref: '#/$defs/edge' } },
  },
  $defs: {
    nodeId: { type: 'string', pattern: NODE_ID_PATTERN, not: { const: 'trigger' } },
    duration: {
      type: 'string',
      pattern: DURATION_PATTERN,
      description: 'ISO-8601 duration without years/months, e.g. PT30S, P1DT2H',
    },
    node: {
      type: 'object',
      required: ['id', 'type'],
      properties: { type: { enum: NODE_TYPES } },
      allOf: NODE_TYPES.map((t) => ({
        if: { required: ['type'], properties: { type: { const: t } } },
        then: {
          additionalProperties: false,
          required: nodeTypes[t].required,
          properties: { ...base, type: { const: t }, ...nodeTypes[t].properties },
        },
      })),
    },
    edge: {
      type: 'object',
      required: ['from', 'to'],
      additionalProperties: false,
      properties: {
        from: { type: 'string', pattern: NODE_ID_PATTERN, description: 'A node id, or `trigger`' },
        to: { type: 'string', pattern: NODE_ID_PATTERN },
        branch: {
          type: 'string',
          description:
            "Required on edges leaving a condition (`true`/`false`), a wait (`received`/`timeout`) or a switch (a case, `default`); `error` on an action's or a sub-flow's error edge",
        },
      },
    },
  },
};

/** The loose shape every saved draft must have; drafts may be incomplete, so contents are not checked. */
export const draftShapeSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://confluo.dev/schemas/flow-draft.json',
  type: 'object',
  required: ['schemaVersion', 'trigger', 'nodes', 'edges'],
  properties: {
    schemaVersion: { const: 1 },
    trigger: { type: 'object' },
    nodes: { type: 'array' },
    edges: { type: 'array' },
  },
};
