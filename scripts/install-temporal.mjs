// Builds the Temporal CLI (whose `server start-dev` is a real Temporal server) into .tools/bin when missing.
// Later tags carry replace directives and cannot be `go install`ed, hence the pinned version.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = 'v1.5.1';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, '.tools', 'bin');
const target = join(bin, 'temporal');
if (existsSync(target)) {
  console.log(`temporal CLI present: ${target}`);
  process.exit(0);
}
const go = spawnSync('go', ['version'], { encoding: 'utf8' });
if (go.status !== 0) {
  console.error('Go is needed to build the Temporal CLI (https://go.dev/dl/), or install `temporal` yourself and set TEMPORAL_CLI.');
  process.exit(1);
}
console.log(`building the Temporal CLI ${VERSION} into ${bin} (takes a few minutes the first time)...`);
const r = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${VERSION}`], {
  stdio: 'inherit',
  env: { ...process.env, GOBIN: bin },
});
process.exit(r.status ?? 1);
