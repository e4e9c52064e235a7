// Guards the sandbox boundary: everything runtime.ts reaches may import only its own modules (the data functions and
// the contacts identity rules included) and the pure-JS packages listed below.
// (ajv compiles schemas with `new Function`, which the Temporal workflow sandbox and a strict CSP forbid.)
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as runtime from './runtime.js';

const importsOf = (file: string) =>
  [
    ...readFileSync(new URL(file, import.meta.url), 'utf8').matchAll(
      /^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gm,
    ),
  ].map((m) => m[1]!);

describe('runtime barrel', () => {
  it('reaches no module outside the sandbox-safe set', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.'))
          visit(`./${posix.join(posix.dirname(file), spec).replace(/\.js$/, '.ts')}`.replace(/^\.\/\.\.\//, '../'));
        else external.add(spec);
      }
    };
    visit('./runtime.ts');
    expect([...seen].sort()).toEqual([
      '../contacts/identity.ts',
      './branches.ts',
      './budget.ts',
      './duration.ts',
      './functions/catalog.ts',
      './functions/checks.ts',
      './functions/implementations.ts',
      './functions/pipes.ts',
      './functions/time.ts',
      './logic.ts',
      './loop.ts',
      './plan.ts',
      './respond.ts',
      './runtime.ts',
      './template.ts',
      './types.ts',
    ]);
    expect([...external].sort()).toEqual([
      '@noble/hashes/hmac.js',
      '@noble/hashes/legacy.js',
      '@noble/hashes/sha2.js',
      '@noble/hashes/utils.js',
      'json-logic-js',
      'libphonenumber-js/max',
      'safe-regex2',
    ]);
  });

  it('exports the interpreter pieces and not validation', () => {
    expect(typeof runtime.planNext).toBe('function');
    expect(typeof runtime.resolveTemplates).toBe('function');
    expect('validateFlow' in runtime).toBe(false);
    expect(runtime.TRIGGER_ID).toBe('trigger');
  });
});
