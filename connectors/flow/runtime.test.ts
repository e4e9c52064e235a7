// Guards the sandbox boundary: everything runtime.ts reaches may import only sibling modules and json-logic-js.
// (ajv compiles schemas with `new Function`, which the Temporal workflow sandbox and a strict CSP forbid.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as runtime from './runtime.js';

const importsOf = (file: string) =>
  [
    ...readFileSync(new URL(file, import.meta.url), 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm),
  ].map((m) => m[1]!);

describe('runtime barrel', () => {
  it('reaches no module outside the sandbox-safe set', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('./')) visit(spec.replace(/\.js$/, '.ts'));
        else external.add(spec);
      }
    };
    visit('./runtime.ts');
    expect([...seen].sort()).toEqual([
      './budget.ts',
      './duration.ts',
      './logic.ts',
      './plan.ts',
      './runtime.ts',
      './template.ts',
      './types.ts',
    ]);
    expect([...external]).toEqual(['json-logic-js']);
  });

  it('exports the interpreter pieces and not validation', () => {
    expect(typeof runtime.planNext).toBe('function');
    expect(typeof runtime.resolveTemplates).toBe('function');
    expect('validateFlow' in runtime).toBe(false);
    expect(runtime.TRIGGER_ID).toBe('trigger');
  });
});
