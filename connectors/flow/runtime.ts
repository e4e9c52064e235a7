// The sandbox-safe flow model: what Temporal workflow code may import. No ajv here (it generates code at run time),
// nothing that touches I/O, clocks or randomness.
export * from './types.js';
export * from './branches.js';
export * from './budget.js';
export * from './duration.js';
export * from './logic.js';
export * from './template.js';
export * from './plan.js';
export * from './loop.js';
export * from './respond.js';
