// Confluo's process entry point: `all` (npm start: embedded defaults, server + worker in one process), `server` or
// `worker` (one role each, for containers; both need DATABASE_URL and TEMPORAL_ADDRESS).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { pino, type Logger } from 'pino';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry, loadPlugins, PluginLoadError } from '../connectors/sdk/index.js';
import { createPrisma } from '../prisma/client.js';
import { startEmbeddedPostgres } from '../prisma/embedded.js';
import { applyMigrations } from '../prisma/migrate.js';
import { loadSecretKey, SecretKeyError } from '../prisma/secrets.js';
import { clientConnectionOptions, ensureSearchAttributes, temporalSettings } from '../worker/temporal-config.js';
import { startTemporalDevServer } from '../worker/temporal-dev-server.js';
import { createWorkflowClient } from '../worker/client.js';
import { createWorkerDeps } from '../worker/deps.js';
import { createWorker } from '../worker/worker.js';
import { ensureApiKey, ensureDefaultWorkspace } from './api-keys.js';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

const ROLES = ['all', 'server', 'worker'] as const;
type Role = (typeof ROLES)[number];
const EDITOR_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'editor', 'dist');

type Cleanup = { name: string; fn: () => Promise<unknown> };

export async function start(role: Role, log: Logger): Promise<() => Promise<void>> {
  const config = loadConfig();
  // Plugins first: a broken one stops start-up before any database or Temporal server is started.
  const builtins = builtinConnectors();
  const loaded = await loadPlugins(config.plugins, { cwd: process.cwd(), builtins });
  for (const p of loaded.plugins)
    log.info(
      { plugin: p.spec, package: p.packageName, version: p.packageVersion, connectors: p.connectorIds },
      'connector plugin loaded',
    );
  const registry = createRegistry([...builtins, ...loaded.connectors]);
  const cleanups: Cleanup[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) {
      await c.fn().catch((err) => log.error({ err }, `stopping ${c.name} failed`));
    }
  };
  try {
    const embeddedDb = !config.databaseUrl;
    const devTemporal = !config.temporalAddress;
    if (role !== 'all' && (embeddedDb || devTemporal)) {
      throw new ConfigError(
        `the ${role} role needs ${[embeddedDb && 'DATABASE_URL', devTemporal && 'TEMPORAL_ADDRESS'].filter(Boolean).join(' and ')}: ` +
          'embedded PostgreSQL and the Temporal dev server live inside one process; use `npm start` for them',
      );
    }
    // The key for stored credentials (the server encrypts them; workers decrypt them to send and poll).
    const secret = loadSecretKey({ configured: config.secretKey, dataDir: config.dataDir, embedded: embeddedDb });
    if (secret.source === 'generated')
      log.warn({ path: secret.path }, 'generated a secret key for stored credentials: back it up with the data');
    if (secret.source === 'none') log.warn(secret.warning);
    // The embedded database and the Temporal dev server start side by side: together they are most of the boot time.
    const [databaseUrl, temporalAddress] = await Promise.all([
      (async () => {
        if (config.databaseUrl) return config.databaseUrl;
        const pg = await startEmbeddedPostgres(join(config.dataDir, 'pgdata'));
        cleanups.push({ name: 'embedded PostgreSQL', fn: pg.stop });
        log.info({ dataDir: config.dataDir }, 'embedded PostgreSQL (PGlite) started');
        return pg.url;
      })(),
      (async () => {
        if (config.temporalAddress) return config.temporalAddress;
        const dev = await startTemporalDevServer({
          dbFile: join(config.dataDir, 'temporal.db'),
          logFile: join(config.dataDir, 'temporal.log'),
        });
        cleanups.push({ name: 'Temporal dev server', fn: dev.stop });
        log.info({ address: dev.address }, 'Temporal dev server started');
        return dev.address;
      })(),
    ]);
    if (config.migrate) {
      const res = await applyMigrations(databaseUrl, { log: (m) => log.info(m) });
      log.info({ applied: res.applied.length, alreadyApplied: res.alreadyApplied }, 'database migrated');
    }
    const prisma = createPrisma(databaseUrl, { max: embeddedDb ? 1 : 10 });
    cleanups.push({ name: 'database client', fn: () => prisma.$disconnect() });
    const temporal = temporalSettings(process.env, temporalAddress);

    // Search attributes: a cluster may need them added (Temporal Cloud refuses this API: add them there by hand, see
    // README). The dev server gets them by flag only when its database is new, so one kept in DATA_DIR from an
    // earlier version is given the ones added since (ConfluoContactId) here too.
    const connection = await Connection.connect(clientConnectionOptions(temporal.connectionOptions));
    cleanups.push({ name: 'Temporal client', fn: () => connection.close() });
    await ensureSearchAttributes(connection, temporal.namespace).catch((err) =>
      log.warn(
        { err: (err as Error).message },
        'could not register search attributes; runs cannot be listed until they exist',
      ),
    );

    // The HTTP server first: webhooks are accepted (made durable in PostgreSQL, relayed to Temporal) while the worker
    // still bundles its workflow code.
    if (role === 'all' || role === 'server') {
      const workspaceId = await ensureDefaultWorkspace(prisma);
      const key = await ensureApiKey(prisma, { key: config.apiKey, workspaceId });
      const client = new Client({ connection, namespace: temporal.namespace });
      const app = await buildApp({
        prisma,
        temporal: {
          client,
          taskQueue: temporal.taskQueue,
          namespace: temporal.namespace,
          deadlineMs: config.temporalDeadlineMs,
        },
        workflows: createWorkflowClient({
          client,
          taskQueue: temporal.taskQueue,
          deadlineMs: config.temporalDeadlineMs,
        }),
        registry,
        logger: log.child({ component: 'server' }),
        publicUrl: config.publicUrl,
        bodyLimit: config.bodyLimit,
        editorDir: existsSync(EDITOR_DIR) ? EDITOR_DIR : undefined,
        secretKey: secret.key,
        ...(!config.contactEvents && { contactEvents: false }),
        inbound: {
          backlogMax: config.inboundBacklogMax,
          relay: config.inboundRelay,
          concurrency: config.inboundRelayConcurrency,
        },
      });
      cleanups.push({ name: 'HTTP server', fn: () => app.close() });
      await app.listen({ port: config.port, host: config.host });
      if (key.created && key.key) {
        // Printed once, on stdout, so it can be copied; only its hash is stored.
        process.stdout.write(
          `\nA new API key was created (shown only now; set CONFLUO_API_KEY to choose your own):\n\n  ${key.key}\n\n`,
        );
      }
      log.info({ url: config.publicUrl, docs: `${config.publicUrl}/docs` }, 'Confluo is up');
    }
    if (role === 'all' || role === 'worker') {
      const native = await NativeConnection.connect(temporal.connectionOptions);
      const worker = await createWorker({
        connection: native,
        namespace: temporal.namespace,
        taskQueue: temporal.taskQueue,
        deps: createWorkerDeps({
          prisma,
          registry,
          logger: log.child({ component: 'worker' }),
          publicUrl: config.publicUrl,
          ...(secret.key && { secretKey: secret.key }),
        }),
      });
      const running = worker.run();
      cleanups.push({
        name: 'worker',
        fn: async () => {
          // Not running any more when it failed (logged below); then there is only the connection to close.
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running.catch(() => undefined);
          await native.close();
        },
      });
      running.catch((err) => {
        log.fatal({ err }, 'worker stopped');
        process.exitCode = 1;
        process.kill(process.pid, 'SIGTERM');
      });
      log.info({ taskQueue: temporal.taskQueue, namespace: temporal.namespace }, 'worker polling');
    }

    return stop;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function main() {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const role = (positionals[0] ?? 'all') as Role;
  if (!ROLES.includes(role)) {
    console.error(`usage: tsx server/main.ts [${ROLES.join('|')}]`);
    process.exit(2);
  }
  const level = process.env.LOG_LEVEL || 'info';
  const log = pino({
    level,
    base: { role },
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } } : {}),
  });
  let starting: Promise<() => Promise<void>> | undefined;
  let stoppingSince = 0;
  const shutdown = async (signal: string) => {
    // Ctrl-C reaches us twice (from the terminal and forwarded by npm): only a later, deliberate one forces exit.
    if (stoppingSince) {
      if (Date.now() - stoppingSince < 1000) return;
      log.warn('second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info({ signal }, 'shutting down');
    // A signal during start-up waits for it to finish (or fail, which cleans up by itself): exiting now would leave
    // the Temporal dev server and the embedded database running.
    const stop = await starting?.catch(() => undefined);
    await stop?.();
    process.exit(process.exitCode ?? 0);
  };
  // This process owns its signals: `stop` shuts the worker down (once, first) and then the rest. The SDK's runtime
  // would otherwise shut every worker down on the same signals itself, and `stop` would find it already draining.
  Runtime.install({ shutdownSignals: [] });
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    starting = start(role, log);
    await starting;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SecretKeyError || err instanceof PluginLoadError)
      log.fatal(err.message);
    else log.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
