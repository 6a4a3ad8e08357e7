import { randomUUID } from 'node:crypto';
import type { DevStack } from '../../src/devstack/dev-stack';
import { waitFor } from '../../src/devstack/wait-for';

export interface DeadLetterRecord {
  value: string;
  headers: Record<string, string>;
}

/** Reads a topic's DLQ (the transactions' unless given) from the beginning until `count` records arrived. */
export async function readDeadLetters(
  stack: DevStack,
  count: number,
  timeoutMs = 30000,
  topic = stack.topics.transactions,
): Promise<DeadLetterRecord[]> {
  const consumer = stack.kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
  const records: DeadLetterRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: `${topic}.dlq`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        records.push({
          value: message.value?.toString('utf8') ?? '',
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await waitFor(`${count} dead letters`, () => records.length >= count, timeoutMs);
    return records;
  } finally {
    await consumer.disconnect();
  }
}
