// The one ajv setup (draft 2020-12, formats): flow validation, defineConnector, account readers, the worker's input
// checks and the server all compile schemas with it, so they agree on every schema. Uses ajv (it generates code), so
// only non-sandbox modules import it: never runtime.ts or workflow code.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = addFormatsModule.default;

export type { Ajv2020 as Ajv } from 'ajv/dist/2020.js';

/**
 * strict: false so connector schemas may carry UI hints (`x-ui`, ...); every error at once; no type coercion.
 * `useDefaults` fills schema defaults into the value being validated.
 */
export function createAjv(opts: { useDefaults?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    useDefaults: opts.useDefaults ?? false,
    coerceTypes: false,
  });
  addFormats(ajv);
  return ajv;
}
