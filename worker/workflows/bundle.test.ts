// The workflow sandbox forbids I/O and non-determinism. Two checks keep forbidden code out of it:
// - the SDK's bundler fails when workflow code (or anything it imports) reaches a Node built-in (node:fs, net, ...) or
//   @temporalio/client, worker or activity: bundleWorkflows() below then throws;
// - pure-JS modules pass the SDK's check, so this test lists the bundle's modules and asserts that none is ajv,
//   ajv-formats, pg, @prisma/* or our prisma/ folder (the Node-side validation and database code); and it does the
//   same for every module webpack built on the way (`modules`), so an import whose code tree shaking drops (a bare
//   `import 'ajv'`: ajv is marked side-effect free) fails it too. ESLint refuses the same imports in the source.
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../bundle.js';

// The ids of the modules in the bundle, paths from the repo root: webpack heads each module with a line `/***/ "<id>"`.
const modulesOf = (code: string) => [...code.matchAll(/^\/\*{3}\/ "([^"]+)"/gm)].map((m) => m[1]!);

describe('workflow bundle', () => {
  it('bundles runFlow with the flow runtime (json-logic-js included) and no forbidden imports', async () => {
    const { code, modules: built } = await bundleWorkflows();
    expect(code).toContain('runFlow');
    // json-logic-js made it into the bundle (conditions and $logic need it at run time).
    expect(code).toMatch(/json-logic-js/);

    expect(code).not.toMatch(/node_modules\/(ajv|ajv-formats|pg|@prisma)\//);
    const modules = modulesOf(code);
    // The listing itself works: the workflows and the sandbox-safe flow runtime are in it.
    expect(modules).toEqual(expect.arrayContaining(['./worker/workflows/run-flow.ts', './connectors/flow/runtime.ts']));
    expect(modules.filter((m) => /node_modules\/(ajv|ajv-formats|pg|pg-[a-z-]+|@prisma\/[^/]+)\//.test(m))).toEqual([]);
    expect(modules.filter((m) => /^\.\/prisma\//.test(m))).toEqual([]);
    expect(modules.filter((m) => /^node:|^external /.test(m))).toEqual([]);
    expect(modules.filter((m) => /node_modules\/@temporalio\/(client|worker|activity)\//.test(m))).toEqual([]);

    // Everything webpack resolved from the workflow code, before tree shaking.
    expect(built).toEqual(expect.arrayContaining(['worker/workflows/run-flow.ts', 'connectors/flow/runtime.ts']));
    const forbidden =
      /node_modules\/(ajv|ajv-formats|pg|pg-[a-z-]+|@prisma\/[^/]+|@temporalio\/(client|worker|activity))\/|^prisma\//;
    expect(built.filter((m) => forbidden.test(m))).toEqual([]);
  }, 120_000);
});
