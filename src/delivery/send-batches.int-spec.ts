import { randomUUID } from 'node:crypto';
import { timelineTypes } from '../../test/support/db';
import { newNotification } from '../../test/support/notification-fixture';
import { useSendPath } from '../../test/support/send-path';
import { HistoryEvent, NotificationStatus as S } from '../notifications/notification-status';
import { AttemptStatus } from '../notifications/notification.types';

describe('grouped send-path writes on PostgreSQL', () => {
  const path = useSendPath();

  async function queued(n: number): Promise<string[]> {
    const now = new Date();
    const rows = Array.from({ length: n }, () => newNotification({ id: randomUUID(), receivedAt: now }));
    await path.db.transaction((tx) => path.notifications.insertMany(rows, tx));
    return rows.map((r) => r.id);
  }
  const flushes = async (batch: string) =>
    (await path.metrics.writeBatchSize.get()).values.find(
      (v) => v.labels.batch === batch && (v as { metricName?: string }).metricName?.endsWith('_count'),
    )?.value ?? 0;

  it('claims, starts and records SENT for concurrent jobs in shared statements, each with its own row', async () => {
    const ids = await queued(40);
    const before = await flushes('claim');
    const now = new Date();
    const claimed = await Promise.all(ids.map((id) => path.recorder.claim(id, 60000, now)));
    expect(claimed.map((c) => c?.id)).toEqual(ids);
    expect(claimed.every((c) => c?.status === S.SENDING && !c.has_in_flight)).toBe(true);
    // Forty jobs at once take far fewer than forty statements.
    expect((await flushes('claim')) - before).toBeLessThanOrEqual(3);

    const attempts = await Promise.all(claimed.map((c) => path.recorder.startAttempt(c!, 'twilio', now)));
    expect(attempts.map((a) => a.notification_id)).toEqual(ids);
    expect(attempts.every((a) => a.attempt_no === 1 && a.status === AttemptStatus.IN_FLIGHT)).toBe(true);

    const messageIds = ids.map(() => `SM${randomUUID().replace(/-/g, '')}`);
    await Promise.all(
      claimed.map((c, i) =>
        path.recorder.accepted(c!, attempts[i], { messageId: messageIds[i], segments: 2 }, new Date()),
      ),
    );
    const { rows } = await path.db.pool.query<{ id: string; status: string; provider_message_id: string }>(
      `SELECT id, status, provider_message_id FROM notifications WHERE id = ANY($1)`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    ids.forEach((id, i) =>
      expect(byId.get(id)).toMatchObject({ status: 'SENT', provider_message_id: messageIds[i] }),
    );
    expect(await timelineTypes(path.db.pool, ids[7])).toEqual(['SENDING', 'SENT']);
    const { rows: events } = await path.db.pool.query<{ detail: string }>(
      `SELECT detail FROM notification_events WHERE notification_id = $1 AND type = 'SENT'`,
      [ids[7]],
    );
    expect(events).toEqual([{ detail: '2 segment(s)' }]);
  });

  it('gives a job handed out twice at the same moment the alert only once', async () => {
    const [id] = await queued(1);
    const now = new Date();
    const results = await Promise.all([
      path.recorder.claim(id, 60000, now),
      path.recorder.claim(id, 60000, now),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    // Taken and leased: a third claim gets nothing until the lease runs out.
    expect(await path.recorder.claim(id, 60000, new Date())).toBeNull();
  });

  it("writes each alert's route notes before its SENDING line, in the order given, in a shared statement", async () => {
    const ids = await queued(3);
    const now = new Date();
    const claimed = await Promise.all(ids.map((id) => path.recorder.claim(id, 60000, now)));
    const note = (i: number, type: HistoryEvent, detail: string) => ({
      notificationId: ids[i],
      at: now,
      type,
      provider: 'twilio',
      detail,
    });
    await Promise.all([
      path.recorder.startAttempt(claimed[0]!, 'vonage', now, [
        note(0, HistoryEvent.CIRCUIT_OPEN, 'twilio circuit open: skipped'),
        note(0, HistoryEvent.FAILOVER, 'twilio did not take it'),
      ]),
      path.recorder.startAttempt(claimed[1]!, 'twilio', now),
      path.recorder.startAttempt(claimed[2]!, 'twilio', now, [
        note(2, HistoryEvent.CIRCUIT_HALF_OPEN, 'twilio circuit half-open'),
      ]),
    ]);
    expect(await timelineTypes(path.db.pool, ids[0])).toEqual(['CIRCUIT_OPEN', 'FAILOVER', 'SENDING']);
    expect(await timelineTypes(path.db.pool, ids[1])).toEqual(['SENDING']);
    expect(await timelineTypes(path.db.pool, ids[2])).toEqual(['CIRCUIT_HALF_OPEN', 'SENDING']);
  });

  it('numbers a second attempt after the first and keeps other alerts of the batch apart', async () => {
    const ids = await queued(3);
    const now = new Date();
    const claimed = await Promise.all(ids.map((id) => path.recorder.claim(id, 60000, now)));
    await path.recorder.startAttempt(claimed[0]!, 'twilio', now);
    const [second, ...others] = await Promise.all(
      claimed.map((c) => path.recorder.startAttempt(c!, 'vonage', now)),
    );
    expect(second.attempt_no).toBe(2);
    expect(others.map((a) => a.attempt_no)).toEqual([1, 1]);
  });

  it('a batch one item breaks is redone item by item: only that item fails', async () => {
    const ids = await queued(3);
    const now = new Date();
    const claimed = await Promise.all(ids.map((id) => path.recorder.claim(id, 60000, now)));
    // A number, not the sample: prom-client hands out its live objects, and the series exists from the start.
    const before =
      (await path.metrics.writeBatchFallbacks.get()).values.find((v) => v.labels.batch === 'attempt')
        ?.value ?? 0;
    // Two attempts for one alert in one statement would get the same attempt number: the unique
    // constraint fails the statement, then each is written alone and numbered in turn.
    const results = await Promise.allSettled([
      path.recorder.startAttempt(claimed[0]!, 'twilio', now),
      path.recorder.startAttempt(claimed[0]!, 'twilio', now),
      path.recorder.startAttempt(claimed[1]!, 'twilio', now),
      path.recorder.startAttempt({ ...claimed[2]!, id: randomUUID() }, 'twilio', now),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const numbers = results
      .slice(0, 2)
      .map((r) => (r as PromiseFulfilledResult<{ attempt_no: number }>).value.attempt_no);
    expect(numbers.sort()).toEqual([1, 2]);
    const after = (await path.metrics.writeBatchFallbacks.get()).values.find(
      (v) => v.labels.batch === 'attempt',
    );
    expect((after?.value ?? 0) - before).toBe(1);
  });
});
