// The provider specs copied into specs/<provider>/ (with their licenses), read once from beside this file.
import { readFileSync } from 'node:fs';

const cache = new Map<string, unknown>();

/** A spec file under specs/, parsed as JSON and cached for the process. */
export function loadSpec<T = unknown>(relPath: string): T {
  let spec = cache.get(relPath);
  if (spec === undefined) {
    spec = JSON.parse(readFileSync(new URL(`./specs/${relPath}`, import.meta.url), 'utf8'));
    cache.set(relPath, spec);
  }
  return spec as T;
}
