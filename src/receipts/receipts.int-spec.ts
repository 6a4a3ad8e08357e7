import { randomUUID } from 'node:crypto';
import { testDatabaseService, timelineTypes } from '../../test/support/db';
import { newNotification } from '../../test/support/notification-fixture';
import { sendPathOn } from '../../test/support/send-path';
import { Database } from '../database/database.service';
import { SendRecorder } from '../delivery/send-recorder';
import { Metrics } from '../metrics/metrics.service';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { ProviderMessageStatus as P } from '../providers/provider.interface';
import { ReceiptsService } from './receipts.service';

describe('receipt correlation on PostgreSQL', () => {
  let db: Database;
  let notifications: NotificationsRepository;
  let receipts: ReceiptsService;
  let recorder: SendRecorder;
  const metrics = new Metrics();

  beforeAll(async () => {
    db = await testDatabaseService();
    ({ notifications, receipts, recorder } = sendPathOn(db, metrics));
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
  const accept = (a: Awaited<ReturnType<typeof sentAlert>>, messageId = a.messageId) =>
    recorder.accepted(a.claimed, a.attempt, { messageId, segments: 1 }, new Date());
  const count = (types: string[], type: string) => types.filter((t) => t === type).length;
  const storedStatuses = async (messageId: string) =>
    (
      await db.pool.query<{ provider_status: string }>(
        `SELECT provider_status FROM receipts WHERE provider_message_id = $1 ORDER BY id`,
        [messageId],
      )
    ).rows.map((r) => r.provider_status);
  const counter = async (c: typeof metrics.receipts, labels: Record<string, string>) =>
    (await c.get()).values.find((v) =>
      Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x),
    )?.value ?? 0;

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

  describe('final receipts of concurrent requests, written in shared batches', () => {
    it('moves many alerts in a few transactions, with one history line each and the same metrics', async () => {
      const alerts = await Promise.all(Array.from({ length: 30 }, () => sentAlert()));
      await Promise.all(alerts.map((a) => accept(a)));
      const delivered = await counter(metrics.notifications, { status: 'DELIVERED' });
      const counted = await counter(metrics.receipts, { provider: 'twilio', status: 'DELIVERED' });
      const latencies = (await metrics.alertLatency.get()).values.find(
        (v) => v.metricName === 'alertline_alert_latency_seconds_count' && v.labels.stage === 'delivered',
      )?.value;
      const transactions = jest.spyOn(db, 'transaction');
      try {
        const results = await Promise.all(
          alerts.map((a) => receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))),
        );
        expect(results).toEqual(alerts.map(() => 'applied'));
        expect(transactions.mock.calls.length).toBeLessThanOrEqual(2);
      } finally {
        transactions.mockRestore();
      }
      for (const a of alerts) {
        expect(await statusOf(a.id)).toBe('DELIVERED');
        const types = await timelineTypes(db.pool, a.id);
        expect(types.slice(-1)).toEqual(['DELIVERED']);
        expect(count(types, 'DELIVERED') + count(types, 'RECEIPT')).toBe(1);
      }
      expect(await counter(metrics.notifications, { status: 'DELIVERED' })).toBe(delivered + 30);
      expect(await counter(metrics.receipts, { provider: 'twilio', status: 'DELIVERED' })).toBe(counted + 30);
      const after = (await metrics.alertLatency.get()).values.find(
        (v) => v.metricName === 'alertline_alert_latency_seconds_count' && v.labels.stage === 'delivered',
      )?.value;
      expect(after).toBe((latencies ?? 0) + 30);
    });

    it('a second, different receipt for an alert in the same batch is applied after it: DELIVERED, then a RECEIPT', async () => {
      const a = await sentAlert();
      await accept(a);
      const transactions = jest.spyOn(db, 'transaction');
      try {
        const results = await Promise.all([
          receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered')),
          receipts.record(receipt(a.messageId, P.UNDELIVERED, 'undelivered')),
        ]);
        expect(results).toEqual(['applied', 'applied']);
        // The batch, then the second in a transaction of its own (one statement would judge both
        // against the state before either).
        expect(transactions).toHaveBeenCalledTimes(2);
      } finally {
        transactions.mockRestore();
      }
      const types = await timelineTypes(db.pool, a.id);
      expect(count(types, 'DELIVERED')).toBe(1);
      expect(types.slice(-2)).toEqual(['DELIVERED', 'RECEIPT']);
      expect(await statusOf(a.id)).toBe('DELIVERED');
      expect(await storedStatuses(a.messageId)).toEqual(['delivered', 'undelivered']);
    });

    it('receipts ahead of their SENT write are stored unmatched beside applied ones, and applied by it', async () => {
      const alerts = await Promise.all(Array.from({ length: 10 }, () => sentAlert()));
      const [early, late] = [alerts.slice(0, 5), alerts.slice(5)];
      await Promise.all(early.map((a) => accept(a)));
      const results = await Promise.all(
        alerts.map((a) => receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))),
      );
      expect(results).toEqual([...early.map(() => 'applied'), ...late.map(() => 'unmatched')]);
      for (const a of late) expect(await statusOf(a.id)).toBe('SENDING');
      await Promise.all(late.map((a) => accept(a)));
      for (const a of alerts) expect(await statusOf(a.id)).toBe('DELIVERED');
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM receipts WHERE provider_message_id = ANY($1) AND notification_id IS NULL`,
        [alerts.map((a) => a.messageId)],
      );
      expect(rows).toEqual([{ n: 0 }]);
    });

    it("a failure of a message the alert no longer rests on is kept as history only; the current one's ends it", async () => {
      // Attempt 1 timed out and was requeued; attempt 2 was accepted; then attempt 1 turned out accepted too.
      const x = await sentAlert();
      await recorder.requeue(x.claimed, 'TIMEOUT', 'timed out', new Date());
      const claimed = (await recorder.claim(x.id, 60000, new Date()))!;
      const second = { ...x, claimed, attempt: await recorder.startAttempt(claimed, 'twilio', new Date()) };
      const current = `SM${randomUUID().replace(/-/g, '')}`;
      await accept(second, current);
      await accept(x);
      const y = await sentAlert();
      await accept(y);

      const failed = (id: string) => ({ ...receipt(id, P.UNDELIVERED, 'undelivered'), errorCode: '30003' });
      await Promise.all([receipts.record(failed(x.messageId)), receipts.record(failed(y.messageId))]);
      expect(await statusOf(x.id)).toBe('SENT');
      expect((await timelineTypes(db.pool, x.id)).slice(-1)).toEqual(['RECEIPT']);
      const ended = await notifications.findById(y.id);
      expect(ended).toMatchObject({
        status: 'UNDELIVERED',
        last_error_code: '30003',
        last_error_detail: 'undelivered',
        lease_until: null,
      });
      expect(ended?.final_at).toBeInstanceOf(Date);
      expect((await timelineTypes(db.pool, y.id)).slice(-1)).toEqual(['UNDELIVERED']);

      // Both messages of x in one batch: judged one after the other, so the late DELIVERED still counts.
      await Promise.all([
        receipts.record(failed(current)),
        receipts.record(receipt(x.messageId, P.DELIVERED, 'delivered')),
      ]);
      expect(await statusOf(x.id)).toBe('UNDELIVERED');
      expect((await timelineTypes(db.pool, x.id)).slice(-2)).toEqual(['UNDELIVERED', 'RECEIPT']);
    });

    it('a receipt that breaks the batch statement fails alone; the rest of its batch is written', async () => {
      const alerts = await Promise.all(Array.from({ length: 3 }, () => sentAlert()));
      await Promise.all(alerts.map((a) => accept(a)));
      const bad = { ...receipt(alerts[1].messageId, P.DELIVERED, 'delivered'), providerStatus: null };
      const settled = await Promise.allSettled([
        receipts.record(receipt(alerts[0].messageId, P.DELIVERED, 'delivered')),
        receipts.record(bad as unknown as ReturnType<typeof receipt>),
        receipts.record(receipt(alerts[2].messageId, P.DELIVERED, 'delivered')),
      ]);
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await statusOf(alerts[0].id)).toBe('DELIVERED');
      expect(await statusOf(alerts[1].id)).toBe('SENT');
      expect(await statusOf(alerts[2].id)).toBe('DELIVERED');
    });
  });

  describe('replays: the same receipt again adds no row, history line or receipts_total count', () => {
    const duplicates = () => counter(metrics.receiptsDuplicate, { provider: 'twilio' });
    const delivered = () => counter(metrics.receipts, { provider: 'twilio', status: 'DELIVERED' });

    it('a final receipt twice, one after the other: one row, one count; the replay counted as duplicate', async () => {
      const a = await sentAlert();
      await accept(a);
      const [counted, replays] = [await delivered(), await duplicates()];
      expect(await receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('applied');
      const history = await timelineTypes(db.pool, a.id);
      expect(await receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('duplicate');
      expect(await storedStatuses(a.messageId)).toEqual(['delivered']);
      expect(await timelineTypes(db.pool, a.id)).toEqual(history);
      expect(await delivered()).toBe(counted + 1);
      expect(await duplicates()).toBe(replays + 1);
    });

    it('the same final receipt five times in one batch: one row, applied once, four duplicates', async () => {
      const a = await sentAlert();
      await accept(a);
      const [counted, replays] = [await delivered(), await duplicates()];
      const results = await Promise.all(
        Array.from({ length: 5 }, () => receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))),
      );
      expect(results.filter((r) => r === 'applied')).toHaveLength(1);
      expect(results.filter((r) => r === 'duplicate')).toHaveLength(4);
      expect(await storedStatuses(a.messageId)).toEqual(['delivered']);
      const types = await timelineTypes(db.pool, a.id);
      expect(count(types, 'DELIVERED') + count(types, 'RECEIPT')).toBe(1);
      expect(await delivered()).toBe(counted + 1);
      expect(await duplicates()).toBe(replays + 4);
    });

    it('an intermediate receipt replayed, alone and within one shared insert: one row, one count', async () => {
      const a = await sentAlert();
      await accept(a);
      const sent = () => counter(metrics.receipts, { provider: 'twilio', status: 'SENT' });
      const [counted, replays] = [await sent(), await duplicates()];
      expect(await receipts.record(receipt(a.messageId, P.SENT, 'sent'))).toBe('recorded');
      expect(await receipts.record(receipt(a.messageId, P.SENT, 'sent'))).toBe('duplicate');
      const b = await sentAlert();
      const together = await Promise.all(
        Array.from({ length: 3 }, () => receipts.record(receipt(b.messageId, P.SENT, 'sent'))),
      );
      expect(together.sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
      expect(await storedStatuses(a.messageId)).toEqual(['sent']);
      expect(await storedStatuses(b.messageId)).toEqual(['sent']);
      expect(await sent()).toBe(counted + 2);
      expect(await duplicates()).toBe(replays + 3);
    });

    it('a different status or error code is a new receipt: a new row', async () => {
      const a = await sentAlert();
      await accept(a);
      const failed = (code: string) => ({
        ...receipt(a.messageId, P.UNDELIVERED, 'undelivered'),
        errorCode: code,
      });
      expect(await receipts.record(receipt(a.messageId, P.SENT, 'sent'))).toBe('recorded');
      expect(await receipts.record(failed('30003'))).toBe('applied');
      expect(await receipts.record(failed('30005'))).toBe('applied');
      expect(await receipts.record(failed('30003'))).toBe('duplicate');
      expect(await receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('applied');
      expect(await storedStatuses(a.messageId)).toEqual(['sent', 'undelivered', 'undelivered', 'delivered']);
      expect(await statusOf(a.id)).toBe('UNDELIVERED');
    });

    it('a receipt replayed before its SENT write is stored once and applied once by it', async () => {
      const a = await sentAlert();
      const replays = await duplicates();
      expect(await receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('unmatched');
      expect(await receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('duplicate');
      await accept(a);
      expect(await statusOf(a.id)).toBe('DELIVERED');
      expect(await storedStatuses(a.messageId)).toEqual(['delivered']);
      expect(count(await timelineTypes(db.pool, a.id), 'DELIVERED')).toBe(1);
      expect(await duplicates()).toBe(replays + 1);
    });
  });
});
