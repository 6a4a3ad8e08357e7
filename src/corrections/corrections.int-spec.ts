import type { SealedColumns } from '../crypto/data-cipher';
import { openAlert } from '../../test/support/opened';
import { testCipher } from '../crypto/testing/test-cipher';
import { randomUUID } from 'node:crypto';
import Bull from 'bull';
import { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { correctionReleaseOn } from '../../test/support/corrections';
import { testDatabaseService } from '../../test/support/db';
import { newNotification } from '../../test/support/notification-fixture';
import { Clock } from '../common/clock';
import { loadConfig } from '../providers/provider-config';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Database } from '../database/database.service';
import { ensureTopics, kafkaFor } from '../devstack/kafka-tools';
import { DeadLetterPublisher } from '../kafka/dead-letter.publisher';
import { KafkaClient } from '../kafka/kafka.client';
import { Metrics } from '../metrics/metrics.service';
import { NotificationStatus as S } from '../notifications/notification-status';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { SmsQueue } from '../queue/sms-queue.service';
import { CorrectionRelease } from './correction-release';
import { CorrectionsRepository } from './corrections.repository';
import { ReversalsService } from './reversals.service';
import { baseReversal } from './testing/reversal-events';

class MovableClock extends Clock {
  offsetMs = 0;
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

// The reversal write path and the release decisions on the real PostgreSQL, Redis and Kafka.
describe('correction alerts on PostgreSQL', () => {
  const ns = `int-corr-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    QUEUE_PREFIX: `alertline-${ns}`,
    KAFKA_TOPIC_REVERSALS: `${ns}.reversed`,
    CORRECTION_ORIGINAL_WAIT_SECONDS: '60',
  });
  const clock = new MovableClock();
  let db: Database;
  let queue: Bull.Queue;
  let metrics: Metrics;
  let deadLetters: DeadLetterPublisher;
  let release: CorrectionRelease;
  let reversals: ReversalsService;
  let notifications: NotificationsRepository;
  let offset = 0;
  const cardholderId = `ch-${ns}`;

  const chunk = (events: Array<Record<string, unknown>>) =>
    reversals.handleChunk(
      events.map(
        (e) =>
          ({ key: null, value: Buffer.from(JSON.stringify(e)), offset: String(offset++) }) as KafkaMessage,
      ),
      { topic: `${ns}.reversed`, partition: 0 },
    );
  const state = async (reversalId: string) => {
    const { rows } = await db.pool.query(
      `SELECT r.state, r.reason, n.status, n.skip_reason, n.original_notification_id, n.body, n.id,
              n.data_key_id, n.wrapped_key, n.phone_enc, n.body_enc, n.phone_e164
       FROM reversals r JOIN notifications n ON n.id = r.notification_id WHERE r.reversal_id = $1`,
      [reversalId],
    );
    // The correction's text opened as the dispatcher opens it (sealed at rest, like every alert's).
    return (rows as Array<SealedColumns & { id: string }>).map((r) => ({
      ...r,
      body: openAlert(r).body,
    })) as Array<Record<string, unknown>>;
  };
  const reversal = (over: Record<string, unknown>) =>
    baseReversal({ reversalId: `rev-${randomUUID()}`, eventId: `e-${randomUUID()}`, cardholderId, ...over });
  const original = async (status = S.QUEUED, amountMinor = 10_000) => {
    const row = newNotification({ cardholderId, cardId: 'card-tok-1', amountMinor, currency: 'EUR' });
    await db.transaction((tx) => notifications.insertMany([row], tx));
    if (status !== S.QUEUED)
      await db.query(`UPDATE notifications SET status = $2 WHERE id = $1`, [row.id, status]);
    return row;
  };

  beforeAll(async () => {
    db = await testDatabaseService();
    await ensureTopics(
      kafkaFor(config.get('KAFKA_BROKERS')),
      { transactions: `${ns}.tx`, contacts: `${ns}.contacts`, reversals: `${ns}.reversed` },
      1,
    );
    queue = new Bull('sms', { redis: config.get('REDIS_URL'), prefix: `alertline-${ns}` });
    metrics = new Metrics();
    deadLetters = new DeadLetterPublisher(new KafkaClient(config, pino({ level: 'silent' })), metrics);
    notifications = new NotificationsRepository(db, testCipher());
    release = correctionReleaseOn(db, new SmsQueue(queue), metrics, config, clock);
    reversals = new ReversalsService(
      db,
      clock,
      new CorrectionsRepository(db, testCipher()),
      release,
      new SmsQueue(queue),
      deadLetters,
      metrics,
    );
    await new ContactsRepository(db, testCipher()).upsertMany([
      {
        cardholderId,
        version: 1,
        deleted: false,
        phoneE164: '+447911123456',
        phoneInvalidReason: null,
        smsAlerts: true,
        locale: 'zh-CN',
        minAmountMinor: null,
      },
    ]);
  });
  afterAll(async () => {
    await deadLetters.onModuleDestroy();
    await queue.obliterate({ force: true });
    await queue.close();
    await db.onModuleDestroy();
  });

  it('records a reversal without an original as waiting, once however often it is delivered', async () => {
    const rev = reversal({ transactionId: `txn-none-${ns}` });
    await chunk([rev, rev]);
    await chunk([rev]);
    const rows = await state(rev.reversalId as string);
    expect(rows).toEqual([
      expect.objectContaining({
        state: 'WAITING_FOR_ORIGINAL',
        status: 'RECEIVED',
        original_notification_id: null,
      }),
    ]);
    const { rows: events } = await db.pool.query(
      `SELECT type FROM notification_events WHERE notification_id = $1 ORDER BY id`,
      [rows[0].id],
    );
    expect(events.map((e: { type: string }) => e.type)).toEqual(['RECEIVED', 'WAITING_FOR_ORIGINAL']);
  });

  it('ends a reversal whose original never came after the window: SKIPPED NO_ORIGINAL', async () => {
    const rev = reversal({ transactionId: `txn-never-${ns}` });
    await chunk([rev]);
    clock.offsetMs = 61_000;
    try {
      // What the sweeper does for every waiting reversal; only this spec's here, since the test database is
      // shared with running stacks whose reversals must not age by this clock.
      await release.release([`txn-never-${ns}`]);
    } finally {
      clock.offsetMs = 0;
    }
    expect(await state(rev.reversalId as string)).toEqual([
      expect.objectContaining({
        state: 'SKIPPED',
        reason: 'NO_ORIGINAL',
        status: 'SKIPPED',
        skip_reason: 'NO_ORIGINAL',
      }),
    ]);
  });

  it('waits while the original is QUEUED (linked), and goes once the dispatcher reports it SENT', async () => {
    const orig = await original(S.QUEUED);
    const rev = reversal({ transactionId: orig.transactionId, kind: 'PARTIAL_REFUND', amountMinor: 2_500 });
    await chunk([rev]);
    expect(await state(rev.reversalId as string)).toEqual([
      expect.objectContaining({
        state: 'WAITING_FOR_ORIGINAL',
        status: 'RECEIVED',
        original_notification_id: orig.id,
      }),
    ]);
    await db.query(`UPDATE notifications SET status = 'SENT', accepted_at = now() WHERE id = $1`, [orig.id]);
    await release.afterAlertMoved(orig.id);
    const [row] = await state(rev.reversalId as string);
    expect(row).toMatchObject({ state: 'QUEUED', status: 'QUEUED' });
    expect(row.body).toContain('已退款EUR 25.00，累计EUR 25.00');
    expect(await queue.getJob(row.id as string)).not.toBeNull();
  });

  it('sends a self-contained correction when the original FAILED', async () => {
    const orig = await original(S.FAILED);
    const rev = reversal({ transactionId: orig.transactionId, amountMinor: 10_000 });
    await chunk([rev]);
    expect(await state(rev.reversalId as string)).toEqual([expect.objectContaining({ state: 'QUEUED' })]);
  });

  it('two deciders at once never let partial reversals exceed the original', async () => {
    const orig = await original(S.QUEUED);
    const parts = [6_000, 5_000, 4_000].map((amountMinor) =>
      reversal({ transactionId: orig.transactionId, kind: 'PARTIAL_REVERSAL', amountMinor }),
    );
    await chunk(parts);
    await db.query(`UPDATE notifications SET status = 'DELIVERED' WHERE id = $1`, [orig.id]);
    const other = correctionReleaseOn(db, new SmsQueue(queue), metrics, config, clock);
    await Promise.all([release.release([orig.transactionId]), other.release([orig.transactionId])]);
    const states = await Promise.all(parts.map(async (p) => (await state(p.reversalId as string))[0]));
    expect(states.map((s) => [s.state, s.reason])).toEqual([
      ['QUEUED', null],
      ['REFUSED', 'EXCEEDS_ORIGINAL'],
      ['QUEUED', null],
    ]);
  });

  it('refuses a reversal in another currency than its original, with the reason', async () => {
    const orig = await original(S.DELIVERED);
    const rev = reversal({ transactionId: orig.transactionId, currency: 'USD', amountMinor: 100 });
    await chunk([rev]);
    expect(await state(rev.reversalId as string)).toEqual([
      expect.objectContaining({ state: 'REFUSED', reason: 'CURRENCY_MISMATCH', status: 'SKIPPED' }),
    ]);
  });
});
