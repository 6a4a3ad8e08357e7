import { DevStack } from '../devstack/dev-stack';
import { loadConfig } from '../providers/provider-config';
import { twilioSettings } from '../providers/twilio/twilio.settings';
import { deleteKafkaState, deleteRedisKeys } from './bench.cleanup';
import type { BenchDatabase } from './bench.database';
import type { BenchOptions } from './bench.options';
import { measureFloors } from './floor';

// kafkajs partitionsConsumedConcurrently in the ingest (src/kafka/batch-consumer.ts).
const INGEST_PARTITIONS_AT_ONCE = 3;
const INGEST_CHUNK = 500;

const floorPrefix = (runId: string) => `alertline-${runId}-floor`;

/** The infrastructure floor of a run (src/bench/README.md), measured with the run's own stack settings. */
export function runFloors(
  o: BenchOptions,
  stack: DevStack,
  db: BenchDatabase,
  runId: string,
  log: (line: string) => void,
) {
  log('== infrastructure floor (each alone, same machine)');
  const config = loadConfig({ ...process.env, ...stack.env });
  return measureFloors(
    {
      items: o.events,
      ingestProcesses: o.ingest,
      dispatchers: o.dispatchers,
      concurrency: o.concurrency,
      ingestConcurrency: INGEST_PARTITIONS_AT_ONCE,
      kafka: {
        brokers: config.get('KAFKA_BROKERS'),
        topic: stack.topics.transactions,
        groupId: `${runId}-floor`,
      },
      pg: { url: db.url, batch: INGEST_CHUNK },
      database: db.name,
      sandboxPid: stack.sandbox.pid,
      bull: {
        redisUrl: config.get('REDIS_URL'),
        prefix: floorPrefix(runId),
        queue: 'sms',
        batch: INGEST_CHUNK,
      },
      http: {
        baseUrl: stack.sandbox.baseUrl,
        accountSid: config.vendor(twilioSettings).TWILIO_ACCOUNT_SID,
        authToken: config.vendor(twilioSettings).TWILIO_AUTH_TOKEN,
        from: config.vendor(twilioSettings).TWILIO_FROM,
        timeoutMs: config.get('PROVIDER_TIMEOUT_MS'),
      },
    },
    log,
  );
}

/** A run leaves nothing behind in Kafka or Redis (the database is dropped by BenchDatabase). */
export async function cleanupRun(stack: DevStack, runId: string): Promise<void> {
  const t = stack.topics;
  await deleteKafkaState(
    stack.kafka,
    [t.transactions, `${t.transactions}.dlq`, t.contacts, `${t.contacts}.dlq`],
    [stack.env.KAFKA_GROUP_ID, stack.env.KAFKA_CONTACTS_GROUP_ID, `${runId}-floor`],
  );
  const redisUrl = loadConfig({ ...process.env, ...stack.env }).get('REDIS_URL');
  await deleteRedisKeys(redisUrl, [stack.env.QUEUE_PREFIX, floorPrefix(runId)]);
}
