import { randomUUID } from 'node:crypto';
import { testDatabaseService } from '../../test/support/db';
import { newNotification } from '../../test/support/notification-fixture';
import { AppConfig } from '../config/app-config';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Database } from '../database/database.service';
import { MessagePartsRepository } from '../delivery/message-parts.repository';
import { MultipartReceipts } from '../delivery/multipart-receipts';
import { SendBatchRepository } from '../delivery/send-batch.repository';
import { SendBatches } from '../delivery/send-batches';
import { SendRecorder } from '../delivery/send-recorder';
import { Metrics } from '../metrics/metrics.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { ProviderMessageStatus as P } from '../providers/provider.interface';
import { IntermediateReceiptsWriter } from './intermediate-receipts.writer';
import { ReceiptApplier } from './receipt-applier';
import { ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';

describe('receipt correlation on PostgreSQL', () => {
  let db: Database;
  let notifications: NotificationsRepository;
  let receipts: ReceiptsService;
  let recorder: SendRecorder;
  const metrics = new Metrics();

  beforeAll(async () => {
    db = await testDatabaseService();
    notifications = new NotificationsRepository(db);
    const attempts = new AttemptsRepository(db);
    const events = new EventsRepository(db);
    const locks = new ReceiptsRepository();
    receipts = new ReceiptsService(
      db,
      locks,
      attempts,
      notifications,
      new ReceiptApplier(notifications, events, metrics),
      metrics,
      new IntermediateReceiptsWriter(db),
    );
    const parts = new MessagePartsRepository(db);
    const multipart = new MultipartReceipts(parts, receipts, locks, events, metrics);
    recorder = new SendRecorder(
      db,
      notifications,
      attempts,
      events,
      new ContactsRepository(db),
      locks,
      receipts,
      parts,
      multipart,
      metrics,
      new SendBatches(AppConfig.fromEnv({}), db, new SendBatchRepository(db), receipts),
    );
  });
  afterAll(() => db.onModuleDestroy());

  async function sentAlert(provider = 'twilio') {
    const id = randomUUID();
    const now = new Date();
    await db.transaction((tx) => notifications.insertMany([newNotification({ id, receivedAt: now })], tx));
    const claimed = (await recorder.claim(id, 60000, now))!;
    const attempt = await recorder.startAttempt(claimed, provider, now);
    const messageId = `SM${randomUUID().replace(/-/g, '')}`;
    return { id, claimed, attempt, messageId };
  }
  const receipt = (messageId: string, status: P, providerStatus: string) => ({
    provider: 'twilio',
    providerMessageId: messageId,
    status,
    providerStatus,
    receivedAt: new Date(),
  });
  const statusOf = async (id: string) => (await notifications.findById(id))?.status;

  it('moves SENT to DELIVERED and ignores a later UNDELIVERED or a repeat', async () => {
    const a = await sentAlert();
    await recorder.accepted(a.claimed, a.attempt, { messageId: a.messageId, segments: 1 }, new Date());
    expect(await receipts.record(receipt(a.messageId, P.SENT, 'sent'))).toBe('recorded');
    const { rows } = await db.pool.query(
      `SELECT notification_id FROM receipts WHERE provider_message_id = $1`,
      [a.messageId],
    );
    expect(rows).toEqual([{ notification_id: a.id }]);
    expect(await statusOf(a.id)).toBe('SENT');
    await receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'));
    await receipts.record(receipt(a.messageId, P.UNDELIVERED, 'undelivered'));
    await receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'));
    expect(await statusOf(a.id)).toBe('DELIVERED');
  });

  it('applies a receipt that arrived before the SENT record once SENT is written', async () => {
    const a = await sentAlert();
    expect(await receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('unmatched');
    expect(await statusOf(a.id)).toBe('SENDING');
    await recorder.accepted(a.claimed, a.attempt, { messageId: a.messageId, segments: 1 }, new Date());
    expect(await statusOf(a.id)).toBe('DELIVERED');
    const { rows } = await db.pool.query(
      `SELECT notification_id FROM receipts WHERE provider_message_id = $1`,
      [a.messageId],
    );
    expect(rows).toEqual([{ notification_id: a.id }]);
  });

  it('out of order: UNDELIVERED then DELIVERED keeps the first final state', async () => {
    const a = await sentAlert();
    await recorder.accepted(a.claimed, a.attempt, { messageId: a.messageId, segments: 1 }, new Date());
    await receipts.record(receipt(a.messageId, P.UNDELIVERED, 'undelivered'));
    await receipts.record(receipt(a.messageId, P.SENT, 'sent'));
    expect(await statusOf(a.id)).toBe('UNDELIVERED');
  });

  it('keeps and counts a receipt for an unknown message id', async () => {
    const before =
      (await metrics.receipts.get()).values.find((v) => v.labels.status === 'UNMATCHED')?.value ?? 0;
    const unknown = `SM-unknown-${randomUUID()}`;
    expect(await receipts.record(receipt(unknown, P.DELIVERED, 'delivered'))).toBe('unmatched');
    const { rows } = await db.pool.query(
      `SELECT notification_id, status FROM receipts WHERE provider_message_id = $1`,
      [unknown],
    );
    expect(rows).toEqual([{ notification_id: null, status: 'DELIVERED' }]);
    const after =
      (await metrics.receipts.get()).values.find((v) => v.labels.status === 'UNMATCHED')?.value ?? 0;
    expect(after).toBe(before + 1);
  });

  it('a race between a receipt and the SENT write is matched by whichever commits second', async () => {
    const alerts = await Promise.all(Array.from({ length: 20 }, () => sentAlert()));
    await Promise.all(
      alerts.flatMap((a) => [
        recorder.accepted(a.claimed, a.attempt, { messageId: a.messageId, segments: 1 }, new Date()),
        receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered')),
      ]),
    );
    for (const a of alerts) expect(await statusOf(a.id)).toBe('DELIVERED');
  });
});
