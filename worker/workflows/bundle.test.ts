// The workflow sandbox forbids I/O and non-determinism: bundling fails when workflow code (or anything it imports)
// reaches for a disallowed module such as node:fs. This test is that check.
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../bundle.js';

describe('workflow bundle', () => {
  it('bundles runFlow with the flow runtime (json-logic-js included) and no forbidden imports', async () => {
    const { code } = await bundleWorkflows();
    expect(code).toContain('runFlow');
    // json-logic-js made it into the bundle (conditions and $logic need it at run time).
    expect(code).toMatch(/json-logic-js/);
  }, 120_000);
});
