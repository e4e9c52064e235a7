// The one ajv setup for connector schemas (draft 2020-12, formats), shared by defineConnector and by whoever
// validates action inputs (the worker's executeStep, the server's flow validation) so they agree on every schema.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = addFormatsModule.default;

export type { Ajv2020 as Ajv } from 'ajv/dist/2020.js';

export function createAjv(opts: { useDefaults?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, useDefaults: opts.useDefaults ?? false });
  addFormats(ajv);
  return ajv;
}
