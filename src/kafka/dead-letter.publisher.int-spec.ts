import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../providers/provider-config';
import { freePort } from '../devstack/free-port';
import { ensureTopics, kafkaFor } from '../devstack/kafka-tools';
import { Metrics } from '../metrics/metrics.service';
import { DeadLetterPublisher } from './dead-letter.publisher';

describe('DeadLetterPublisher on the real broker', () => {
  const ns = `dlq-${randomUUID().slice(0, 8)}`;
  const topic = `${ns}.card.transactions.authorised`;
  const brokers = loadConfig({}).get('KAFKA_BROKERS');
  const real = kafkaFor(brokers);

  beforeAll(() => ensureTopics(real, { transactions: topic, contacts: `${ns}.contacts` }, 1));

  it('connects anew after a first connect that failed (the broker was down when ingest started)', async () => {
    // Nothing listens on a free port: the first connect is refused, as with a broker that is down.
    const down = new Kafka({
      brokers: [`127.0.0.1:${await freePort()}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const client = { kafka: down };
    const publisher = new DeadLetterPublisher(client, new Metrics());
    const letter = {
      message: {
        key: null,
        value: Buffer.from('not json'),
        offset: '7',
        timestamp: '0',
        attributes: 0,
        headers: {},
      },
      topic,
      partition: 0,
      code: 'INVALID_JSON',
      detail: 'value is not JSON',
    };
    await expect(publisher.publish([letter])).rejects.toThrow();

    client.kafka = real; // the broker is back
    await publisher.publish([letter]);
    const admin = real.admin();
    await admin.connect();
    try {
      const [dlq] = await admin.fetchTopicOffsets(`${topic}.dlq`);
      expect(Number(dlq.high)).toBe(1);
    } finally {
      await admin.disconnect();
      await publisher.onModuleDestroy();
    }
  });
});
