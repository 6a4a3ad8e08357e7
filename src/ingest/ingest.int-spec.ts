import { randomUUID } from 'node:crypto';
import { testCipher } from '../crypto/testing/test-cipher';
import Bull from 'bull';
import fc from 'fast-check';
import { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { correctionReleaseOn } from '../../test/support/corrections';
import { testDatabaseService } from '../../test/support/db';
import { Clock } from '../common/clock';
import { loadConfig } from '../providers/provider-config';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Database } from '../database/database.service';
import { ensureTopics, kafkaFor } from '../devstack/kafka-tools';
import { DeadLetterPublisher } from '../kafka/dead-letter.publisher';
import { KafkaClient } from '../kafka/kafka.client';
import { Metrics } from '../metrics/metrics.service';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { SmsQueue } from '../queue/sms-queue.service';
import { IngestService } from './ingest.service';
import { baseEvent, configureFuzz } from './testing/hostile-events';

// The ingest write path on the real PostgreSQL, Redis and Kafka: hostile but valid events are stored or
// dead-lettered, and the chunk is never thrown back (which would block the partition).
describe('ingest write path with hostile events (PostgreSQL)', () => {
  const ns = `int-${randomUUID().slice(0, 8)}`;
  const topic = `${ns}.card.transactions.authorised`;
  const config = loadConfig({ QUEUE_PREFIX: `alertline-${ns}`, KAFKA_TOPIC_TRANSACTIONS: topic });
  const constraint = `int_poison_${ns.replace(/-/g, '_')}`;
  const refused = `DB REFUSES ${ns}`;
  let db: Database;
  let queue: Bull.Queue;
  let metrics: Metrics;
  let deadLetters: DeadLetterPublisher;
  let ingest: IngestService;
  let offset = 0;

  const build = (database: Database) =>
    new IngestService(
      config,
      database,
      new Clock(),
      new ContactsRepository(database, testCipher()),
      new NotificationsRepository(database, testCipher()),
      new EventsRepository(database),
      new SmsQueue(queue),
      deadLetters,
      metrics,
      correctionReleaseOn(database, new SmsQueue(queue), metrics, config),
    );
  const messages = (values: string[]): KafkaMessage[] =>
    values.map((v) => ({ key: null, value: Buffer.from(v), offset: String(offset++) }) as KafkaMessage);
  const dlqCount = async (reason?: string) =>
    (await metrics.dlqMessages.get()).values
      .filter((v) => !reason || v.labels.reason === reason)
      .reduce((n, v) => n + v.value, 0);
  const stored = async (txIds: string[]) => {
    const { rows } = await db.pool.query<{ transaction_id: string; events: number }>(
      `SELECT n.transaction_id, (SELECT count(*)::int FROM notification_events e WHERE e.notification_id = n.id) AS events
       FROM notifications n WHERE n.transaction_id = ANY($1)`,
      [txIds],
    );
    return rows;
  };

  beforeAll(async () => {
    configureFuzz();
    db = await testDatabaseService();
    await ensureTopics(
      kafkaFor(config.get('KAFKA_BROKERS')),
      { transactions: topic, contacts: `${ns}.contacts` },
      1,
    );
    queue = new Bull('sms', { redis: config.get('REDIS_URL'), prefix: `alertline-${ns}` });
    metrics = new Metrics();
    deadLetters = new DeadLetterPublisher(new KafkaClient(config, pino({ level: 'silent' })), metrics);
    ingest = build(db);
    await db.query(
      `ALTER TABLE notifications ADD CONSTRAINT ${constraint} CHECK (merchant_name <> '${refused}') NOT VALID`,
    );
  });
  afterAll(async () => {
    await db.query(`ALTER TABLE notifications DROP CONSTRAINT IF EXISTS ${constraint}`);
    await deadLetters.onModuleDestroy();
    await queue.obliterate({ force: true });
    await queue.close();
    await db.onModuleDestroy();
  });

  it('stores or dead-letters every hostile but valid event, never throwing the chunk', async () => {
    const oddText = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 100 })
      .filter((s) => s.length <= 100);
    const eventArb = fc.record({
      merchantName: oddText,
      merchantCity: fc.option(
        fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => s.length <= 60),
        {
          nil: undefined,
        },
      ),
      amountMinor: fc.oneof(fc.constant(Number.MAX_SAFE_INTEGER), fc.nat()),
      currency: fc.constantFrom('EUR', 'JPY', 'KWD', 'CNY', 'XAU'),
      authorisedAt: fc.constantFrom(
        '0000-01-01T00:00:00+14:00',
        '9999-12-31T23:59:59-14:00',
        '2026-11-22T14:03:00.123456789Z',
      ),
      cardholderId: fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 64 })
        .filter((s) => s.length <= 64),
    });
    let storedTotal = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 30 }), async (events) => {
        const values = events.map((e) =>
          JSON.stringify({ ...baseEvent(), transactionId: `txn-${randomUUID()}`, ...e }),
        );
        const before = await dlqCount();
        await ingest.handleChunk(messages(values), { topic, partition: 0 });
        const ids = values.map((v) => (JSON.parse(v) as { transactionId: string }).transactionId);
        const rows = await stored(ids);
        expect(rows.length + (await dlqCount()) - before).toBe(values.length);
        for (const r of rows) expect(r.events).toBe(2);
        storedTotal += rows.length;
      }),
      { numRuns: Math.min(30, Number(process.env.FUZZ_RUNS ?? 30)) },
    );
    // Odd but valid text is stored, not dead-lettered wholesale.
    expect(storedTotal).toBeGreaterThan(0);
  });

  it('bisects a chunk the database refuses: the culprits go to the DLQ, the rest is written once', async () => {
    const values = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        ...baseEvent(),
        transactionId: `txn-${randomUUID()}`,
        merchantName: i === 3 || i === 31 ? refused : `SHOP ${i}`,
      }),
    );
    const before = await dlqCount('DB_INTEGRITY_VIOLATION');
    await ingest.handleChunk(messages(values), { topic, partition: 0 });
    const ids = values.map((v) => (JSON.parse(v) as { transactionId: string }).transactionId);
    const rows = await stored(ids);
    expect(rows.map((r) => r.transaction_id).sort()).toEqual(
      ids.filter((_, i) => i !== 3 && i !== 31).sort(),
    );
    for (const r of rows) expect(r.events).toBe(2);
    expect((await dlqCount('DB_INTEGRITY_VIOLATION')) - before).toBe(2);
  });

  it('rethrows an infrastructure failure and dead-letters nothing', async () => {
    const down = new Database(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }));
    const before = await dlqCount();
    try {
      await expect(
        build(down).handleChunk(
          messages([
            JSON.stringify({ ...baseEvent(), merchantName: 'NUL\u0000' }),
            JSON.stringify(baseEvent()),
          ]),
          {
            topic,
            partition: 0,
          },
        ),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(await dlqCount()).toBe(before);
    } finally {
      await down.onModuleDestroy();
    }
  });
});
