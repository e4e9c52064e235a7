// The functions table of connectors/flow/functions/README.md, rendered from the catalog; functions.test.ts fails when
// the README's table is not this (`UPDATE_DOCS=1 npx vitest run connectors/flow/functions` rewrites it).
import { FUNCTION_GROUPS, FUNCTIONS, type FunctionGroup, type FunctionSpec } from './catalog.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const args = (f: FunctionSpec) =>
  f.args.map((a) => (a.optional ? `[${a.name}]` : a.rest ? `${a.name}...` : a.name)).join(', ');

/** The example as a template pipe (`{{ "abc" | text.upper }}`) when its arguments are literals, else undefined. */
export function pipeExample(f: FunctionSpec): string | undefined {
  const call = f.example.call[f.name] ?? [];
  const literal = (v: unknown) => v === null || typeof v !== 'object';
  if (call.every(literal)) {
    const [first, ...rest] = call;
    const tail = rest.length > 0 ? `: ${rest.map((v) => JSON.stringify(v)).join(', ')}` : '';
    const text = f.args.length === 0 ? `{{ ${f.name} }}` : `{{ ${JSON.stringify(first)} | ${f.name}${tail} }}`;
    return text;
  }
  return undefined;
}

/** A pipe form of the example when there is one, else its json-logic. */
const example = (f: FunctionSpec) => `\`${pipeExample(f) ?? JSON.stringify(f.example.call)}\``;

export function functionsMarkdown(): string {
  const lines: string[] = [];
  for (const group of Object.keys(FUNCTION_GROUPS) as FunctionGroup[]) {
    lines.push(
      `### ${FUNCTION_GROUPS[group]}`,
      '',
      '| function | does | example | gives |',
      '| --- | --- | --- | --- |',
    );
    for (const f of FUNCTIONS.filter((x) => x.group === group))
      lines.push(
        `| \`${f.name}(${args(f)})\` | ${cell(f.description)} | ${cell(example(f))} | \`${cell(JSON.stringify(f.example.result))}\` |`,
      );
    lines.push('');
  }
  return lines.join('\n');
}
