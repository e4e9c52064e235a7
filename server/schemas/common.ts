// Shapes shared by every route: the error body, JSON values, paging.
import { Type, type Static } from 'typebox';
import type { FlowDefinition } from '../../connectors/flow/types.js';

export const Issue = Type.Object({
  path: Type.String({ description: 'JSON Pointer to the offending value' }),
  code: Type.String(),
  message: Type.String(),
  nodeId: Type.Optional(Type.String()),
});
export type Issue = Static<typeof Issue>;

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      issues: Type.Optional(Type.Array(Issue)),
    }),
  },
  { description: 'Every error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Response entries for the error statuses a route can answer with. */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

/** Any JSON value (definitions, trigger payloads, step inputs): documented as free-form, serialized as-is. */
export const Json = Type.Unknown();

/**
 * A flow definition in a response: served as free-form JSON like `Json` (its own JSON Schema is the flow model's,
 * `GET /api/schemas/flow.json`), typed `FlowDefinition` for the code that builds or reads it (the editor included).
 */
export const Definition = Type.Unsafe<FlowDefinition>(Json);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export type IdParams = Static<typeof IdParams>;

export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 50 });

export const Nothing = Type.Null({ description: 'No content' });

export const RunIdBody = Type.Object({ runId: Type.String() });
export type RunIdBody = Static<typeof RunIdBody>;

export const DateTime = Type.String({ format: 'date-time' });
