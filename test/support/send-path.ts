import { randomUUID } from 'node:crypto';
import { testCipher } from '../../src/crypto/testing/test-cipher';
import pino from 'pino';
import { loadConfig } from '../../src/providers/provider-config';
import { ContactsRepository } from '../../src/contacts/contacts.repository';
import { Database } from '../../src/database/database.service';
import { WriteBatches } from '../../src/database/write-batches';
import { LeaseFence } from '../../src/delivery/lease-fence';
import { MessagePartsRepository } from '../../src/receipts/message-parts.repository';
import { MultipartReceipts } from '../../src/receipts/multipart-receipts';
import { SendAcceptance } from '../../src/delivery/send-acceptance';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository';
import { SendBatches } from '../../src/delivery/send-batches';
import { SendRecorder } from '../../src/delivery/send-recorder';
import { Metrics } from '../../src/metrics/metrics.service';
import { AttemptsRepository } from '../../src/notifications/attempts.repository';
import { EventsRepository } from '../../src/notifications/events.repository';
import { NotificationsRepository } from '../../src/notifications/notifications.repository';
import { IntermediateReceiptsWriter } from '../../src/receipts/intermediate-receipts.writer';
import { ReceiptApplier } from '../../src/receipts/receipt-applier';
import { ReceiptsRepository } from '../../src/receipts/receipts.repository';
import { ReceiptsService } from '../../src/receipts/receipts.service';
import { newNotification } from './notification-fixture';

/**
 * The send path's durable side wired by hand on a real database (what Nest wires in the dispatcher and
 * api), for integration specs of the recorder, the grouped writes and receipt correlation.
 */
export function sendPathOn(db: Database, metrics: Metrics, config = loadConfig({})) {
  const batches = new WriteBatches(config, metrics, pino({ level: 'silent' }));
  const cipher = testCipher();
  const notifications = new NotificationsRepository(db, cipher);
  const attempts = new AttemptsRepository(db);
  const events = new EventsRepository(db);
  const locks = new ReceiptsRepository();
  const receipts = new ReceiptsService(
    db,
    locks,
    attempts,
    notifications,
    new ReceiptApplier(notifications, events, metrics),
    metrics,
    new IntermediateReceiptsWriter(db, locks, batches),
    batches,
  );
  const sendBatches = new SendBatches(batches, db, new SendBatchRepository(db), receipts, locks);
  const parts = new MessagePartsRepository(db);
  const multipart = new MultipartReceipts(parts, receipts, locks, events, metrics, db);
  const fence = new LeaseFence(db, notifications);
  const acceptance = new SendAcceptance(
    fence,
    sendBatches,
    notifications,
    attempts,
    events,
    locks,
    receipts,
    parts,
    multipart,
    cipher,
  );
  const recorder = new SendRecorder(
    fence,
    notifications,
    attempts,
    events,
    new ContactsRepository(db, testCipher()),
    metrics,
    sendBatches,
    acceptance,
  );
  return { notifications, attempts, events, receipts, multipart, batches: sendBatches, recorder };
}

export type SendPath = ReturnType<typeof sendPathOn> & { db: Database; metrics: Metrics };

/**
 * The send path on the test database for a whole describe block: wired in beforeAll, closed in afterAll.
 * The returned object is filled in when the block's tests run.
 */
export function useSendPath(): SendPath {
  const ctx = { metrics: new Metrics() } as SendPath;
  beforeAll(async () => {
    const { testDatabaseService } = await import('./db');
    const db = await testDatabaseService();
    Object.assign(ctx, sendPathOn(db, ctx.metrics), { db });
  });
  afterAll(() => ctx.db?.onModuleDestroy());
  return ctx;
}

/** A new alert, claimed, with an attempt in flight at `provider`: the start of every send-path spec. */
export async function claimedAttempt(
  path: Pick<SendPath, 'db' | 'notifications' | 'recorder'>,
  provider: string,
  now = new Date(),
) {
  const id = randomUUID();
  await path.db.transaction((tx) =>
    path.notifications.insertMany([newNotification({ id, receivedAt: now })], tx),
  );
  const claimed = (await path.recorder.claim(id, 60000, now))!;
  const attempt = await path.recorder.startAttempt(claimed, provider, now);
  return { id, claimed, attempt };
}
