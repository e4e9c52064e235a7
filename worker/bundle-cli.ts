// Child process of ensureWorkflowBundle: bundles <workflowsPath> into <outFile> and exits.
import { writeFileSync } from 'node:fs';
import { bundleWorkflows } from './bundle.js';

const [workflowsPath, outFile] = process.argv.slice(2);
if (!workflowsPath || !outFile) {
  console.error('usage: bundle-cli <workflowsPath> <outFile>');
  process.exit(2);
}
const { code } = await bundleWorkflows(workflowsPath);
writeFileSync(outFile, code);
