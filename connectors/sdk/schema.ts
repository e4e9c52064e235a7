// The connectors' ajv setup: the flow model's one setup (`flow/ajv.ts`), re-exported for connectors and plugins.
export { createAjv, type Ajv } from '../flow/ajv.js';
