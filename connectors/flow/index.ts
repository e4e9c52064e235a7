// The whole flow model: the sandbox-safe runtime plus the JSON Schema and definition validation (ajv).
export * from './runtime.js';
export * from './schema.js';
export * from './validate.js';
