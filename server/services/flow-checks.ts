// Flow definition checks the routes share: the v1 top-level shape a draft must have to be saved at all, and the full
// validation (schema, graph, action inputs) whose issues the editor shows and publish enforces.
import { draftShapeSchema, validateFlow } from '../../connectors/flow/index.js';
import type { ValidationIssue } from '../../connectors/flow/types.js';
import { createAjv } from '../../connectors/sdk/index.js';
import { HttpError, schemaIssues } from '../errors.js';
import type { Registry } from '../types.js';

const checkShape = createAjv().compile(draftShapeSchema);

/** A draft may be incomplete, but it must be an object with the v1 top-level shape; otherwise 400. */
export function assertDraftShape(definition: unknown, pathPrefix = '/body/definition'): void {
  if (checkShape(definition)) return;
  throw new HttpError(400, 'validation_failed', 'definition is not a version 1 flow definition', schemaIssues(pathPrefix, checkShape.errors ?? []));
}

export function flowIssues(registry: Registry, definition: unknown): ValidationIssue[] {
  return validateFlow(definition, { actions: registry.actionInputs(), channels: registry.channelNames() });
}

/** 422 with every issue when the definition cannot run. */
export function assertRunnable(registry: Registry, definition: unknown): void {
  const issues = flowIssues(registry, definition);
  if (issues.length > 0) throw new HttpError(422, 'flow_invalid', `the flow has ${issues.length} issue(s)`, issues);
}

export const DEFAULT_DEFINITION = { schemaVersion: 1, trigger: { type: 'webhook' }, nodes: [], edges: [] } as const;
