import { randomUUID } from 'node:crypto';
import type { DevStack } from '../../src/devstack/dev-stack';
import { waitFor } from '../../src/devstack/wait-for';

export interface DeadLetterRecord {
  value: string;
  headers: Record<string, string>;
}

/** A record read back from a topic: its key too (the replies are keyed by cardholder). */
export interface TopicRecord extends DeadLetterRecord {
  key: string | null;
}

/**
 * Reads a topic from the beginning until `done(records)` holds (or `count` records arrived), with a group
 * of its own so every record is seen.
 */
export async function readTopic(
  stack: DevStack,
  topic: string,
  done: number | ((records: TopicRecord[]) => boolean),
  timeoutMs = 30000,
): Promise<TopicRecord[]> {
  const consumer = stack.kafka.consumer({ groupId: `topic-reader-${randomUUID()}` });
  const records: TopicRecord[] = [];
  const enough = typeof done === 'number' ? () => records.length >= done : () => done(records);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        records.push({
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await waitFor(`records on ${topic}`, enough, timeoutMs);
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** Reads a topic's DLQ (the transactions' unless given) from the beginning until `count` records arrived. */
export async function readDeadLetters(
  stack: DevStack,
  count: number,
  timeoutMs = 30000,
  topic = stack.topics.transactions,
): Promise<DeadLetterRecord[]> {
  return readTopic(stack, `${topic}.dlq`, count, timeoutMs);
}
