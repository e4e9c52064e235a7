// Builds the Temporal CLI (whose `server start-dev` is a real Temporal server) into .tools/bin when it is needed and
// missing. Runs before `npm start` and `npm test`; does nothing when TEMPORAL_ADDRESS points at a server, when
// TEMPORAL_CLI is set, or when `temporal` is already on PATH or in .tools/bin.
// Later tags than the pinned one carry replace directives and cannot be `go install`ed.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = 'v1.5.1';
const optional = process.argv.includes('--optional');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, '.tools', 'bin');
const target = join(bin, 'temporal');

const executable = (p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
if (optional && (process.env.TEMPORAL_ADDRESS || process.env.TEMPORAL_CLI)) process.exit(0);
const onPath = (process.env.PATH ?? '').split(delimiter).some((d) => d && executable(join(d, 'temporal')));
if (executable(target) || onPath) process.exit(0);

const go = spawnSync('go', ['version'], { encoding: 'utf8' });
if (go.status !== 0) {
  const msg =
    'The Temporal CLI is missing and Go is not installed to build it. Install Go (https://go.dev/dl/) and run ' +
    '`npm run temporal:install`, or put `temporal` on PATH / set TEMPORAL_CLI, or set TEMPORAL_ADDRESS to a running server.';
  console.error(msg);
  process.exit(optional ? 0 : 1);
}
console.log(`building the Temporal CLI ${VERSION} into ${bin} (a few minutes, once)...`);
const r = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${VERSION}`], {
  stdio: 'inherit',
  env: { ...process.env, GOBIN: bin },
});
process.exit(r.status ?? 1);
