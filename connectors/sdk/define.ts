// defineConnector: checks a connector definition once, when the module loads, so a broken plugin fails at startup
// with a message naming the connector, the action and the problem, never in the middle of a run.
import { createAjv } from './schema.js';
import type { ActionManifest, Connector, ConnectorDefinition, ConnectorManifest, JsonSchema } from './types.js';

const CONNECTOR_ID = /^[a-z][a-z0-9_-]*$/;
const ACTION_ID = /^[a-zA-Z][a-zA-Z0-9_]*$/;

export function defineConnector(def: ConnectorDefinition): Connector {
  const problems = definitionProblems(def);
  if (problems.length > 0) throw new Error(`connector ${JSON.stringify(def.id)} is invalid: ${problems.join('; ')}`);
  const manifest: ConnectorManifest = {
    id: def.id,
    name: def.name,
    version: def.version,
    ...(def.description !== undefined && { description: def.description }),
    ...(def.auth !== undefined && { auth: def.auth }),
    actions: def.actions.map(
      (a): ActionManifest => ({ id: `${def.id}.${a.id}`, name: a.name, description: a.description, input: a.input, output: a.output }),
    ),
    triggers: [],
  };
  // A deep, function-free copy: the editor and `GET /api/connectors` get data, and later edits to `def` don't leak.
  return { ...def, manifest: JSON.parse(JSON.stringify(manifest)) as ConnectorManifest };
}

/** Every problem of a definition (empty when valid). */
export function definitionProblems(def: ConnectorDefinition): string[] {
  const problems: string[] = [];
  if (typeof def.id !== 'string' || !CONNECTOR_ID.test(def.id)) problems.push(`id must match ${CONNECTOR_ID}`);
  if (!def.name) problems.push('name is required');
  if (!def.version) problems.push('version is required');
  const ajv = createAjv();
  const checkSchema = (where: string, schema: JsonSchema | undefined, objectRequired = false) => {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return void problems.push(`${where} must be a JSON Schema object`);
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
    if (typeof action.id !== 'string' || !ACTION_ID.test(action.id)) problems.push(`${where}: id must match ${ACTION_ID}`);
    else if (seen.has(action.id)) problems.push(`${where}: duplicate id`);
    seen.add(action.id);
    if (!action.name) problems.push(`${where}: name is required`);
    if (typeof action.run !== 'function') problems.push(`${where}: run must be a function`);
    checkSchema(`${where}: input schema`, action.input, true);
    checkSchema(`${where}: output schema`, action.output);
  }
  return problems;
}
