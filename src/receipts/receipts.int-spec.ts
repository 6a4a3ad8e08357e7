import { randomUUID } from 'node:crypto';
import { timelineTypes } from '../../test/support/db';
import { count, useReceiptPath } from '../../test/support/receipt-path';
import { ProviderMessageStatus as P } from '../providers/provider.interface';

describe('receipt correlation on PostgreSQL', () => {
  const { ctx, sentAlert, receipt, statusOf, accept, storedStatuses, counter } = useReceiptPath();

  it('moves SENT to DELIVERED and ignores a later UNDELIVERED or a repeat', async () => {
    const a = await sentAlert();
    await ctx.recorder.accepted(a.claimed, a.attempt, { messageId: a.messageId, segments: 1 }, new Date());
    expect(await ctx.receipts.record(receipt(a.messageId, P.SENT, 'sent'))).toBe('recorded');
    const { rows } = await ctx.db.pool.query(
      `SELECT notification_id FROM receipts WHERE provider_message_id = $1`,
      [a.messageId],
    );
    expect(rows).toEqual([{ notification_id: a.id }]);
    expect(await statusOf(a.id)).toBe('SENT');
    await ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'));
    await ctx.receipts.record(receipt(a.messageId, P.UNDELIVERED, 'undelivered'));
    await ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'));
    expect(await statusOf(a.id)).toBe('DELIVERED');
  });

  it('applies a receipt that arrived before the SENT record once SENT is written', async () => {
    const a = await sentAlert();
    expect(await ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))).toBe('unmatched');
    expect(await statusOf(a.id)).toBe('SENDING');
    await ctx.recorder.accepted(a.claimed, a.attempt, { messageId: a.messageId, segments: 1 }, new Date());
    expect(await statusOf(a.id)).toBe('DELIVERED');
    const { rows } = await ctx.db.pool.query(
      `SELECT notification_id FROM receipts WHERE provider_message_id = $1`,
      [a.messageId],
    );
    expect(rows).toEqual([{ notification_id: a.id }]);
  });

  it('out of order: UNDELIVERED then DELIVERED keeps the first final state', async () => {
    const a = await sentAlert();
    await ctx.recorder.accepted(a.claimed, a.attempt, { messageId: a.messageId, segments: 1 }, new Date());
    await ctx.receipts.record(receipt(a.messageId, P.UNDELIVERED, 'undelivered'));
    await ctx.receipts.record(receipt(a.messageId, P.SENT, 'sent'));
    expect(await statusOf(a.id)).toBe('UNDELIVERED');
  });

  it('keeps and counts a receipt for an unknown message id', async () => {
    const before =
      (await ctx.metrics.receipts.get()).values.find((v) => v.labels.status === 'UNMATCHED')?.value ?? 0;
    const unknown = `SM-unknown-${randomUUID()}`;
    expect(await ctx.receipts.record(receipt(unknown, P.DELIVERED, 'delivered'))).toBe('unmatched');
    const { rows } = await ctx.db.pool.query(
      `SELECT notification_id, status FROM receipts WHERE provider_message_id = $1`,
      [unknown],
    );
    expect(rows).toEqual([{ notification_id: null, status: 'DELIVERED' }]);
    const after =
      (await ctx.metrics.receipts.get()).values.find((v) => v.labels.status === 'UNMATCHED')?.value ?? 0;
    expect(after).toBe(before + 1);
  });

  it('a race between a receipt and the SENT write is matched by whichever commits second', async () => {
    const alerts = await Promise.all(Array.from({ length: 20 }, () => sentAlert()));
    await Promise.all(
      alerts.flatMap((a) => [
        ctx.recorder.accepted(a.claimed, a.attempt, { messageId: a.messageId, segments: 1 }, new Date()),
        ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered')),
      ]),
    );
    for (const a of alerts) expect(await statusOf(a.id)).toBe('DELIVERED');
  });

  describe('final receipts of concurrent requests, written in shared batches', () => {
    it('moves many alerts in a few transactions, with one history line each and the same metrics', async () => {
      const alerts = await Promise.all(Array.from({ length: 30 }, () => sentAlert()));
      await Promise.all(alerts.map((a) => accept(a)));
      const delivered = await counter(ctx.metrics.notifications, { status: 'DELIVERED' });
      const counted = await counter(ctx.metrics.receipts, { provider: 'twilio', status: 'DELIVERED' });
      const latencies = (await ctx.metrics.alertLatency.get()).values.find(
        (v) => v.metricName === 'alertline_alert_latency_seconds_count' && v.labels.stage === 'delivered',
      )?.value;
      const transactions = jest.spyOn(ctx.db, 'transaction');
      try {
        const results = await Promise.all(
          alerts.map((a) => ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))),
        );
        expect(results).toEqual(alerts.map(() => 'applied'));
        expect(transactions.mock.calls.length).toBeLessThanOrEqual(2);
      } finally {
        transactions.mockRestore();
      }
      for (const a of alerts) {
        expect(await statusOf(a.id)).toBe('DELIVERED');
        const types = await timelineTypes(ctx.db.pool, a.id);
        expect(types.slice(-1)).toEqual(['DELIVERED']);
        expect(count(types, 'DELIVERED') + count(types, 'RECEIPT')).toBe(1);
      }
      expect(await counter(ctx.metrics.notifications, { status: 'DELIVERED' })).toBe(delivered + 30);
      expect(await counter(ctx.metrics.receipts, { provider: 'twilio', status: 'DELIVERED' })).toBe(
        counted + 30,
      );
      const after = (await ctx.metrics.alertLatency.get()).values.find(
        (v) => v.metricName === 'alertline_alert_latency_seconds_count' && v.labels.stage === 'delivered',
      )?.value;
      expect(after).toBe((latencies ?? 0) + 30);
    });

    it('a second, different receipt for an alert in the same batch is applied after it: DELIVERED, then a RECEIPT', async () => {
      const a = await sentAlert();
      await accept(a);
      const transactions = jest.spyOn(ctx.db, 'transaction');
      try {
        const results = await Promise.all([
          ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered')),
          ctx.receipts.record(receipt(a.messageId, P.UNDELIVERED, 'undelivered')),
        ]);
        expect(results).toEqual(['applied', 'applied']);
        // The batch, then the second in a transaction of its own (one statement would judge both
        // against the state before either).
        expect(transactions).toHaveBeenCalledTimes(2);
      } finally {
        transactions.mockRestore();
      }
      const types = await timelineTypes(ctx.db.pool, a.id);
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
        alerts.map((a) => ctx.receipts.record(receipt(a.messageId, P.DELIVERED, 'delivered'))),
      );
      expect(results).toEqual([...early.map(() => 'applied'), ...late.map(() => 'unmatched')]);
      for (const a of late) expect(await statusOf(a.id)).toBe('SENDING');
      await Promise.all(late.map((a) => accept(a)));
      for (const a of alerts) expect(await statusOf(a.id)).toBe('DELIVERED');
      const { rows } = await ctx.db.pool.query(
        `SELECT count(*)::int AS n FROM receipts WHERE provider_message_id = ANY($1) AND notification_id IS NULL`,
        [alerts.map((a) => a.messageId)],
      );
      expect(rows).toEqual([{ n: 0 }]);
    });

    it("a failure of a message the alert no longer rests on is kept as history only; the current one's ends it", async () => {
      // Attempt 1 timed out and was requeued; attempt 2 was accepted; then attempt 1 turned out accepted too.
      const x = await sentAlert();
      await ctx.recorder.requeue(x.claimed, 'TIMEOUT', 'timed out', new Date());
      const claimed = (await ctx.recorder.claim(x.id, 60000, new Date()))!;
      const second = {
        ...x,
        claimed,
        attempt: await ctx.recorder.startAttempt(claimed, 'twilio', new Date()),
      };
      const current = `SM${randomUUID().replace(/-/g, '')}`;
      await accept(second, current);
      await accept(x);
      const y = await sentAlert();
      await accept(y);

      const failed = (id: string) => ({ ...receipt(id, P.UNDELIVERED, 'undelivered'), errorCode: '30003' });
      await Promise.all([ctx.receipts.record(failed(x.messageId)), ctx.receipts.record(failed(y.messageId))]);
      expect(await statusOf(x.id)).toBe('SENT');
      expect((await timelineTypes(ctx.db.pool, x.id)).slice(-1)).toEqual(['RECEIPT']);
      const ended = await ctx.notifications.findById(y.id);
      expect(ended).toMatchObject({
        status: 'UNDELIVERED',
        last_error_code: '30003',
        last_error_detail: 'undelivered',
        lease_until: null,
      });
      expect(ended?.final_at).toBeInstanceOf(Date);
      expect((await timelineTypes(ctx.db.pool, y.id)).slice(-1)).toEqual(['UNDELIVERED']);

      // Both messages of x in one batch: judged one after the other, so the late DELIVERED still counts.
      await Promise.all([
        ctx.receipts.record(failed(current)),
        ctx.receipts.record(receipt(x.messageId, P.DELIVERED, 'delivered')),
      ]);
      expect(await statusOf(x.id)).toBe('UNDELIVERED');
      expect((await timelineTypes(ctx.db.pool, x.id)).slice(-2)).toEqual(['UNDELIVERED', 'RECEIPT']);
    });

    it('a receipt that breaks the batch statement fails alone; the rest of its batch is written', async () => {
      const alerts = await Promise.all(Array.from({ length: 3 }, () => sentAlert()));
      await Promise.all(alerts.map((a) => accept(a)));
      const bad = { ...receipt(alerts[1].messageId, P.DELIVERED, 'delivered'), providerStatus: null };
      const settled = await Promise.allSettled([
        ctx.receipts.record(receipt(alerts[0].messageId, P.DELIVERED, 'delivered')),
        ctx.receipts.record(bad as unknown as ReturnType<typeof receipt>),
        ctx.receipts.record(receipt(alerts[2].messageId, P.DELIVERED, 'delivered')),
      ]);
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await statusOf(alerts[0].id)).toBe('DELIVERED');
      expect(await statusOf(alerts[1].id)).toBe('SENT');
      expect(await statusOf(alerts[2].id)).toBe('DELIVERED');
    });
  });
});
