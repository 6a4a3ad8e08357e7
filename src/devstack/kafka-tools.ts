import { Kafka, logLevel, Producer } from 'kafkajs';

export interface Topics {
  transactions: string;
  contacts: string;
  /** Reversals and refunds (correction alerts); the default topic when not given. */
  reversals?: string;
  /** The cardholders' replies Alertline publishes (for the bank's fraud system). */
  replies?: string;
}

export const DEFAULT_REVERSALS_TOPIC = 'card.transactions.reversed';
export const DEFAULT_REPLIES_TOPIC = 'card.alerts.replies';

export function kafkaFor(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'alertline-devstack', brokers, logLevel: logLevel.NOTHING });
}

/**
 * Creates the transactions and reversals topics, their DLQs, the compacted contacts topic (and its DLQ) and
 * the replies topic if missing.
 */
export async function ensureTopics(kafka: Kafka, topics: Topics, partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [
      { topic: topics.transactions, numPartitions: partitions },
      { topic: `${topics.transactions}.dlq`, numPartitions: 1 },
      {
        topic: topics.contacts,
        numPartitions: partitions,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
      { topic: `${topics.contacts}.dlq`, numPartitions: 1 },
      { topic: topics.reversals ?? DEFAULT_REVERSALS_TOPIC, numPartitions: partitions },
      { topic: `${topics.reversals ?? DEFAULT_REVERSALS_TOPIC}.dlq`, numPartitions: 1 },
      { topic: topics.replies ?? DEFAULT_REPLIES_TOPIC, numPartitions: partitions },
    ].filter((t) => !existing.has(t.topic));
    if (wanted.length) await admin.createTopics({ topics: wanted, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}
