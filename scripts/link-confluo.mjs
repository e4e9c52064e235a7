// postinstall: node_modules/confluo -> this install, so plugin packages inside it (connectors/examples/*, or plugins
// installed by name into node_modules) import `confluo/sdk` and `confluo/testkit` from the running Confluo, the way
// npm links workspaces. Idempotent; without write access to node_modules it only warns.
import { lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const link = join(modules, 'confluo');
try {
  const st = lstatSync(link, { throwIfNoEntry: false });
  if (st?.isSymbolicLink() && resolve(modules, readlinkSync(link)) === root) process.exit(0);
  if (st?.isSymbolicLink()) unlinkSync(link);
  else if (st) rmSync(link, { recursive: true });
  mkdirSync(modules, { recursive: true });
  // A relative link survives moving the folder; Windows junctions need an absolute target.
  if (process.platform === 'win32') symlinkSync(root, link, 'junction');
  else symlinkSync('..', link, 'dir');
} catch (err) {
  console.warn(
    `could not link node_modules/confluo to ${root} (${err.message}): plugins inside Confluo cannot import confluo/sdk`,
  );
}
