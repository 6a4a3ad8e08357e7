import { Kafka, logLevel } from 'kafkajs';
import type { FloorJob, ReportProgress } from './floor.types';

/**
 * The raw consume rate: a consumer group of its own reads the run's transactions topic from the beginning
 * with eachBatch and does nothing with the messages. Fetch settings are the ingest's (src/kafka/batch-consumer).
 */
export async function kafkaConsumeFloor(
  job: FloorJob,
  report: ReportProgress,
  stopped: Promise<void>,
): Promise<void> {
  const { brokers, topic, groupId } = job.kafka!;
  const kafka = new Kafka({ clientId: 'alertline-bench-floor', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30000,
    heartbeatInterval: 3000,
    maxBytesPerPartition: 1024 * 1024,
  });
  let items = 0;
  let startedAt = 0;
  let lastAt = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    startedAt ||= Date.now();
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: job.concurrency,
    eachBatch: async ({ batch }) => {
      items += batch.messages.length;
      lastAt = Date.now();
    },
  });
  const timer = setInterval(() => report({ items, startedAt, lastAt }), 100);
  await stopped;
  clearInterval(timer);
  await consumer.disconnect();
  report({ items, startedAt, lastAt }, true);
}
