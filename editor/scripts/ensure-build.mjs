// prestart: builds the editor when editor/dist is missing or older than its sources, so `npm start` stays fast once built.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const built = join(root, 'dist', 'index.html');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((f) => join(root, f)).filter(existsSync);
const stale = !existsSync(built) || statSync(built).mtimeMs < Math.max(...sources.map(newest));
if (stale) {
  console.log('building the editor (editor/dist is missing or older than editor/src)…');
  // Always a production build: run from vitest (NODE_ENV=test) Vite would otherwise bundle React's development build,
  // about twice as slow to open a 1,000-node flow (vite.config.ts forces it too).
  execSync('npm run build:editor', {
    stdio: 'inherit',
    cwd: resolve(root, '..'),
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
