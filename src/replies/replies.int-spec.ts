import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { testDatabaseService } from '../../test/support/db';
import { newNotification } from '../../test/support/notification-fixture';
import { Clock } from '../common/clock';
import { ContactsRepository } from '../contacts/contacts.repository';
import { DataCipher } from '../crypto/data-cipher';
import { Database } from '../database/database.service';
import { ensureTopics, kafkaFor } from '../devstack/kafka-tools';
import { waitFor } from '../devstack/wait-for';
import { KafkaClient } from '../kafka/kafka.client';
import { KafkaPublisher } from '../kafka/kafka.publisher';
import { Metrics } from '../metrics/metrics.service';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { loadConfig } from '../providers/provider-config';
import { RepliesRepository } from './replies.repository';
import { RepliesService } from './replies.service';
import { ReplyOutboxPublisher } from './reply-outbox.publisher';

const HOUR = 3_600_000;

// Replies on the real PostgreSQL and Kafka: linking by number within the window, the dedupe, the outbox
// written with the reply and published once per round by one publisher.
describe('replies and their outbox on PostgreSQL and Kafka', () => {
  const ns = `int-replies-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({ KAFKA_TOPIC_REPLIES: `${ns}.replies`, REPLY_LINK_WINDOW_HOURS: '72' });
  const logger = pino({ level: process.env.E2E_ECHO ? 'debug' : 'silent' });
  const clock = new Clock();
  const phone = `+4477009${String(Date.now()).slice(-5)}`;
  const cardholderId = `ch-${ns}`;
  const strangerPhone = '+861380013' + String(Date.now()).slice(-4);
  const cipher = new DataCipher(config);
  let db: Database;
  let repository: RepliesRepository;
  let metrics: Metrics;
  let service: RepliesService;
  let kafka: KafkaClient;
  let publisher: KafkaPublisher;

  const sentAlert = async (
    acceptedAgoMs: number,
    over: { phoneE164?: string; cardholderId?: string } = {},
  ) => {
    const row = newNotification({ cardholderId, phoneE164: phone, cardLast4: '4242', ...over });
    await db.transaction((tx) => new NotificationsRepository(db, cipher).insertMany([row], tx));
    const acceptedAt = new Date(Date.now() - acceptedAgoMs);
    await db.query(`UPDATE notifications SET status = 'DELIVERED', accepted_at = $2 WHERE id = $1`, [
      row.id,
      acceptedAt,
    ]);
    return { id: row.id, transactionId: row.transactionId, acceptedAt };
  };
  const sentIds: string[] = [];
  const reply = (from: string, text: string, id = `SM${randomUUID()}`) => ({
    providerMessageId: (sentIds.push(id), id),
    from,
    to: '+15005550006',
    text,
  });
  const replyRows = async (providerMessageId: string) =>
    (await repository.fromNumber(phone))
      .concat(await repository.fromNumber(strangerPhone))
      .filter((r) => r.provider_message_id === providerMessageId) as unknown as Array<
      Record<string, unknown>
    >;
  const counted = async (labels: Record<string, string>) =>
    (await metrics.replies.get()).values.find((v) =>
      Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x),
    )?.value ?? 0;

  beforeAll(async () => {
    db = await testDatabaseService();
    await ensureTopics(
      kafkaFor(config.get('KAFKA_BROKERS')),
      {
        transactions: `${ns}.tx`,
        contacts: `${ns}.contacts`,
        reversals: `${ns}.reversed`,
        replies: `${ns}.replies`,
      },
      1,
    );
    repository = new RepliesRepository(db, cipher);
    metrics = new Metrics();
    service = new RepliesService(config, repository, clock, metrics, logger);
    kafka = new KafkaClient(config, logger);
    publisher = new KafkaPublisher(kafka);
    await new ContactsRepository(db, cipher).upsertMany([
      {
        cardholderId,
        version: 1,
        deleted: false,
        phoneE164: phone,
        phoneInvalidReason: null,
        smsAlerts: true,
        locale: 'en',
        minAmountMinor: null,
      },
    ]);
  });
  afterAll(async () => {
    await publisher.onModuleDestroy();
    await db.onModuleDestroy();
  });

  it('links a reply to the latest alert sent to the number within the window, with both times', async () => {
    await sentAlert(100 * HOUR); // outside the window
    await sentAlert(5 * HOUR);
    const latest = await sentAlert(1 * HOUR);
    await sentAlert(0.5 * HOUR, { phoneE164: '+447700900999' }); // the cardholder's, to another number
    const sms = reply(phone, 'NOT ME');
    await service.accept('twilio', [sms]);
    const [row] = await replyRows(sms.providerMessageId);
    expect(row).toEqual(
      expect.objectContaining({
        notification_id: latest.id,
        transaction_id: latest.transactionId,
        cardholder_id: cardholderId,
        card_last4: '4242',
        classification: 'NOT_RECOGNISED',
        keyword: 'not me',
        alert_sent_at: latest.acceptedAt,
      }),
    );
    expect((row.received_at as Date).getTime()).toBeGreaterThan(latest.acceptedAt.getTime());
    const history = await db.query<{ type: string; detail: string }>(
      `SELECT type, detail FROM notification_events WHERE notification_id = $1 ORDER BY id`,
      [latest.id],
    );
    expect(history.at(-1)).toEqual({ type: 'REPLY_RECEIVED', detail: 'NOT_RECOGNISED' });
    expect(await counted({ provider: 'twilio', classification: 'NOT_RECOGNISED', linked: 'true' })).toBe(1);
  });

  it('stores a provider redelivery once, with one outbox row, and counts it as a duplicate', async () => {
    const sms = reply(phone, '不是我');
    await service.accept('vonage', [sms]);
    await service.accept('vonage', [sms, sms]);
    const rows = await replyRows(sms.providerMessageId);
    expect(rows).toHaveLength(1);
    const outbox = await db.query(`SELECT * FROM reply_outbox WHERE reply_id = $1`, [rows[0].id]);
    expect(outbox).toHaveLength(1);
    // Every provider's series exists from start (at 0): the one for vonage counted both redeliveries.
    const duplicates = (await metrics.repliesDuplicate.get()).values;
    expect(duplicates.find((v) => v.labels.provider === 'vonage')?.value).toBe(2);
    expect(duplicates.filter((v) => v.labels.provider !== 'vonage').every((v) => v.value === 0)).toBe(true);
  });

  it('keeps and counts a reply from a number no alert was sent to, and one after the window', async () => {
    const stranger = reply(strangerPhone, 'who is this?');
    await service.accept('smpp', [stranger]);
    const [row] = await replyRows(stranger.providerMessageId);
    expect(row).toEqual(
      expect.objectContaining({
        notification_id: null,
        alert_sent_at: null,
        classification: 'OTHER',
        text: 'who is this?',
      }),
    );
    expect(await counted({ provider: 'smpp', classification: 'OTHER', linked: 'false' })).toBe(1);

    const narrow = new RepliesService(
      loadConfig({ REPLY_LINK_WINDOW_HOURS: '1' }),
      repository,
      { now: () => new Date(Date.now() + 2 * HOUR) },
      metrics,
      logger,
    );
    const late = reply(phone, 'fraud');
    await narrow.accept('twilio', [late]);
    expect((await replyRows(late.providerMessageId))[0].notification_id).toBeNull();
  });

  it('publishes each outbox row to the topic with its stable id, marks it, and lets one publisher run', async () => {
    const seen: Array<{ key: string; value: Record<string, unknown>; replyId: string }> = [];
    const consumer = kafka.kafka.consumer({ groupId: `${ns}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${ns}.replies`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({
          key: message.key!.toString(),
          value: JSON.parse(message.value!.toString()) as Record<string, unknown>,
          replyId: String(message.headers?.['reply-id']),
        });
      },
    });
    try {
      // A second publisher finds the round taken while the first one's batch is in flight.
      let second: number | null | undefined;
      // Its Kafka send failing rolls the round back: the row stays unpublished.
      await expect(
        repository.publishBatch(1, async () => {
          second = await repository.publishBatch(10, () => Promise.resolve());
          throw new Error('broker away');
        }),
      ).rejects.toThrow('broker away');
      expect(second).toBeNull();

      const rounds = new ReplyOutboxPublisher(
        loadConfig({ KAFKA_TOPIC_REPLIES: `${ns}.replies`, REPLY_PUBLISH_BATCH: '2' }),
        repository,
        publisher,
        clock,
        metrics,
        logger,
      );
      await rounds.tick();
      expect(await repository.backlog()).toEqual({ count: 0, oldest: null });
      const stored = await db.query<{ id: string; cardholder_id: string | null }>(
        `SELECT id, cardholder_id FROM replies WHERE provider_message_id = ANY($1)`,
        [sentIds],
      );
      await waitFor('every reply on the topic', () => {
        return stored.every((r) => seen.some((s) => s.replyId === r.id));
      });
      const linked = seen.find((s) => s.value.keyword === 'not me')!;
      expect(linked.key).toBe(cardholderId);
      expect(linked.value).toEqual(
        expect.objectContaining({
          version: 1,
          replyId: linked.replyId,
          provider: 'twilio',
          from: phone,
          text: 'NOT ME',
          classification: 'NOT_RECOGNISED',
          linked: true,
          alert: expect.objectContaining({ cardholderId, cardLast4: '4242' }) as unknown,
        }),
      );
      const unlinked = seen.find((s) => s.value.text === 'who is this?')!;
      expect(unlinked).toEqual(expect.objectContaining({ key: unlinked.replyId }));
      expect(unlinked.value).toEqual(expect.objectContaining({ linked: false, alert: null }));
      const before = seen.length;
      await rounds.tick();
      expect(seen.length).toBe(before);
    } finally {
      await consumer.disconnect();
    }
  });

  it('purges the number and text of published replies past retention, holding back unpublished ones', async () => {
    const waiting = reply(phone, 'held back');
    await service.accept('twilio', [waiting]);
    const future = new Date(Date.now() + 10 * HOUR);
    const purged = await repository.purgeBatch(future, 1000, new Date());
    expect(purged).toBeGreaterThan(0);
    const rows = await repository.fromNumber(phone);
    // Purged rows lose their keyed hash too, so only the held-back one is still found by the number.
    expect(rows.map((r) => r.text)).toEqual(['held back']);
    const [gone] = await db.query<{
      phone_enc: Buffer | null;
      text_enc: Buffer | null;
      purged_at: Date | null;
    }>(`SELECT phone_enc, text_enc, purged_at FROM replies WHERE provider_message_id = $1`, [sentIds[0]]);
    expect(gone).toEqual({ phone_enc: null, text_enc: null, purged_at: expect.any(Date) as unknown });
  });
});
