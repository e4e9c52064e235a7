// A flow as a file, so flows can live in git: `{ confluo: "flow", version: 1, name, definition }`, the definition
// exactly as the API takes it (POST /api/flows). Building one, and reading one back with readable refusals; the
// definition itself is checked by the server on import (a wrong shape is its 400).
import type { FlowDefinition } from './model.js';

export const FLOW_FILE_VERSION = 1;
/** The largest file read (the server's default body limit is the same 1 MB). */
export const FLOW_FILE_MAX_BYTES = 1024 * 1024;
/** The server's bound on a flow name. */
const NAME_MAX = 200;

export interface FlowFile {
  confluo: 'flow';
  version: typeof FLOW_FILE_VERSION;
  name: string;
  definition: FlowDefinition;
}

export type ParsedFlowFile = { ok: true; name: string; definition: unknown } | { ok: false; error: string };

export const flowFile = (name: string, definition: FlowDefinition): FlowFile => ({
  confluo: 'flow',
  version: FLOW_FILE_VERSION,
  name,
  definition,
});

/** The file's text: pretty-printed with a final newline, so diffs in git stay readable. */
export const flowFileText = (name: string, definition: FlowDefinition): string =>
  JSON.stringify(flowFile(name, definition), null, 2) + '\n';

/** `VIP signup (EU)` → `vip-signup-eu.confluo-flow.json`; a name without letters or digits → `flow.confluo-flow.json`. */
export function flowFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return `${slug || 'flow'}.confluo-flow.json`;
}

/** A refusal for a file too large to read, or null. */
export const fileTooLarge = (bytes: number): string | null =>
  bytes > FLOW_FILE_MAX_BYTES
    ? `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; a flow file is at most ${FLOW_FILE_MAX_BYTES / 1024 / 1024} MB.`
    : null;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON.parse's message, with the line and column when it names a position. */
function syntaxError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const at = /at position (\d+)/.exec(message);
  if (!at || /\(line \d+/.test(message)) return `The file is not valid JSON: ${message}.`;
  const before = text.slice(0, Number(at[1])).split('\n');
  return `The file is not valid JSON: ${message} (line ${before.length}, column ${before[before.length - 1]!.length + 1}).`;
}

/** Reads a flow file's text: its name and (unchecked) definition, or why it is not a flow file. */
export function parseFlowFile(text: string): ParsedFlowFile {
  const fail = (error: string): ParsedFlowFile => ({ ok: false, error });
  const large = fileTooLarge(new TextEncoder().encode(text).length);
  if (large) return fail(large);
  if (!text.trim()) return fail('The file is empty.');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail(syntaxError(text, err));
  }
  if (!isObject(data)) return fail('This is not a Confluo flow file: it holds no JSON object.');
  if (data.confluo !== 'flow') {
    if ('schemaVersion' in data && 'nodes' in data)
      return fail(
        'This is a bare flow definition, not a Confluo flow file: wrap it as { "confluo": "flow", "version": 1, "name": …, "definition": … }.',
      );
    return fail('This is not a Confluo flow file: it has no "confluo": "flow".');
  }
  if (data.version !== FLOW_FILE_VERSION)
    return fail(
      typeof data.version === 'number' && data.version > FLOW_FILE_VERSION
        ? `This flow file is version ${data.version}, made by a newer Confluo; this one reads version ${FLOW_FILE_VERSION}.`
        : `This flow file has no valid version (expected "version": ${FLOW_FILE_VERSION}).`,
    );
  if (typeof data.name !== 'string' || !data.name.trim()) return fail('The flow file has no name.');
  if (data.name.length > NAME_MAX) return fail(`The flow's name is longer than ${NAME_MAX} characters.`);
  if (!('definition' in data)) return fail('The flow file has no definition.');
  if (!isObject(data.definition)) return fail('The flow file’s definition is not a JSON object.');
  return { ok: true, name: data.name.trim(), definition: data.definition };
}
