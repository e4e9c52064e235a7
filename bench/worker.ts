// A worker process for the benchmarks: Confluo's worker with the bench bundle (its workflows, the hand-written one and
// the ceiling's) and the ceiling's step.
import { NativeConnection } from '@temporalio/worker';
import { pino } from 'pino';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry } from '../connectors/sdk/index.js';
import { createPrisma } from '../prisma/client.js';
import { createContactsService } from '../prisma/contacts.js';
import { temporalSettings } from '../worker/temporal-config.js';
import { createWorker } from '../worker/worker.js';
import { ceilingActivities } from './ceiling-workflow.js';

const settings = temporalSettings();
const prisma = createPrisma(process.env.DATABASE_URL!, { max: 10 });
const connection = await NativeConnection.connect(settings.connectionOptions);
const worker = await createWorker({
  connection,
  namespace: settings.namespace,
  taskQueue: settings.taskQueue,
  workflowsPath: new URL('./workflows.ts', import.meta.url).pathname,
  deps: {
    registry: createRegistry(builtinConnectors()),
    services: { contacts: createContactsService(prisma) },
    logger: pino({ level: 'warn' }),
  },
  activities: () => ({ ...ceilingActivities }),
});
process.on('SIGTERM', () => worker.shutdown());
process.stdout.write('worker ready\n');
// Memory figures for the bench (one JSON line every 250 ms): RSS alone does not say what is heap and what is not.
const memTimer = setInterval(() => {
  const m = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}\n`,
  );
}, 250);
memTimer.unref();
await worker.run();
await connection.close();
await prisma.$disconnect();
