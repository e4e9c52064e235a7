// Workflow bundling: webpack over worker/workflows/index.ts, with the SDK's check for modules the sandbox forbids.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

/** The workflow entry point the bundler starts from. */
export const WORKFLOWS_PATH = join(dirname(fileURLToPath(import.meta.url)), 'workflows', 'index.ts');

/** Bundles the workflow code once (a few seconds), e.g. to share between workers or to check it in CI. */
export async function bundleWorkflows(): Promise<{ code: string }> {
  // The bundler resolves our `.js` import suffixes to the `.ts` sources itself (resolve.extensionAlias).
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
}

const noop = () => undefined;
/** The bundler logs every build at info; keep warnings and errors. */
const quietBundlerLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
};
