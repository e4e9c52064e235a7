// Generates the Prisma client (prisma/generated). `prisma generate` only checks that a schema-engine binary
// exists; where the native engine cannot be downloaded (offline machines), point it at a harmless file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const env = { ...process.env };
const engine = env.PRISMA_SCHEMA_ENGINE_BINARY;
if (!engine || !existsSync(engine)) env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(import.meta.url);
const r = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
