import { describe, expect, it } from 'vitest';
import { FLOW_FILE_MAX_BYTES, fileTooLarge, flowFileName, flowFileText, parseFlowFile } from './file.js';
import type { FlowDefinition } from './model.js';

const definition: FlowDefinition = {
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [{ id: 'greet', type: 'set', values: { hello: 'Ünïcode ✓' }, position: { x: 10, y: 20 } }],
  edges: [{ from: 'trigger', to: 'greet' }],
} as FlowDefinition;

const refusal = (text: string) => {
  const r = parseFlowFile(text);
  if (r.ok) throw new Error('expected a refusal');
  return r.error;
};
const file = (o: Record<string, unknown>) => JSON.stringify({ confluo: 'flow', version: 1, name: 'F', ...o });

describe('flow files', () => {
  it('writes the wrapper around the exact definition and reads it back', () => {
    const text = flowFileText('VIP signup', definition);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({ confluo: 'flow', version: 1, name: 'VIP signup', definition });
    expect(parseFlowFile(text)).toEqual({ ok: true, name: 'VIP signup', definition });
  });

  it('names the file after a slug of the flow name', () => {
    expect(flowFileName('VIP signup (EU)')).toBe('vip-signup-eu.confluo-flow.json');
    expect(flowFileName('  Crème brûlée — order #42 ')).toBe('creme-brulee-order-42.confluo-flow.json');
    expect(flowFileName('✓✓✓')).toBe('flow.confluo-flow.json');
    expect(flowFileName('a'.repeat(79) + ' b').length).toBeLessThanOrEqual(80 + '.confluo-flow.json'.length);
    expect(flowFileName('a'.repeat(79) + ' b')).toBe('a'.repeat(79) + '.confluo-flow.json');
  });

  it('refuses JSON syntax errors with where they are', () => {
    expect(refusal('')).toBe('The file is empty.');
    expect(refusal('{\n  "confluo": "flow",\n}')).toMatch(/^The file is not valid JSON: .*line 3/);
  });

  it('refuses what is not a flow file, or a version it cannot read', () => {
    expect(refusal('[1]')).toBe('This is not a Confluo flow file: it holds no JSON object.');
    expect(refusal('{"name":"x"}')).toBe('This is not a Confluo flow file: it has no "confluo": "flow".');
    expect(refusal(JSON.stringify(definition))).toMatch(/^This is a bare flow definition/);
    expect(refusal(file({ confluo: 'contact' }))).toMatch(/no "confluo": "flow"/);
    expect(refusal(file({ version: 2 }))).toBe(
      'This flow file is version 2, made by a newer Confluo; this one reads version 1.',
    );
    expect(refusal(file({ version: '1' }))).toBe('This flow file has no valid version (expected "version": 1).');
  });

  it('refuses a missing name or definition', () => {
    expect(refusal(file({ name: '  ', definition }))).toBe('The flow file has no name.');
    expect(refusal(file({ name: 3, definition }))).toBe('The flow file has no name.');
    expect(refusal(file({ name: 'x'.repeat(201), definition }))).toMatch(/longer than 200/);
    expect(refusal(file({}))).toBe('The flow file has no definition.');
    expect(refusal(file({ definition: [] }))).toBe('The flow file’s definition is not a JSON object.');
    // The definition's own shape is the server's to check.
    expect(parseFlowFile(file({ name: ' Kept ', definition: { nodes: 'x' } }))).toEqual({
      ok: true,
      name: 'Kept',
      definition: { nodes: 'x' },
    });
  });

  it('bounds the size', () => {
    expect(fileTooLarge(FLOW_FILE_MAX_BYTES)).toBeNull();
    expect(fileTooLarge(3 * 1024 * 1024)).toBe('The file is 3.0 MB; a flow file is at most 1 MB.');
    const big = file({ definition: { ...definition, pad: 'é'.repeat(FLOW_FILE_MAX_BYTES / 2) } });
    expect(refusal(big)).toMatch(/a flow file is at most 1 MB/);
  });
});
