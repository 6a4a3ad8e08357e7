import Bull from 'bull';
import type { Kafka } from 'kafkajs';

// A run leaves nothing behind: its topics and consumer groups, and its Bull/rate-limiter keys in Redis
// (the database is dropped by BenchDatabase).

export async function deleteKafkaState(kafka: Kafka, topics: string[], groups: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups(groups).catch(() => undefined);
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((t) => existing.has(t));
    if (ours.length) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every key under each prefix (`<prefix>:*`), leaving the rest of Redis alone. */
export async function deleteRedisKeys(redisUrl: string, prefixes: string[]): Promise<number> {
  // Bull's own Redis client: ioredis is not a dependency of this package in its own right.
  const probe = new Bull('bench-cleanup', { redis: redisUrl });
  const redis = (await probe.isReady()).client;
  let deleted = 0;
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) deleted += await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    await probe.close();
  }
  return deleted;
}
