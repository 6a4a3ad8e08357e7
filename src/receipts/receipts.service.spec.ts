import pino from 'pino';
import { loadConfig } from '../providers/provider-config';
import { WriteBatches } from '../database/write-batches';
import { Database, Queryable } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationStatus } from '../notifications/notification-status';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { ProviderMessageStatus as P } from '../providers/provider.interface';
import { IntermediateReceiptsWriter } from './intermediate-receipts.writer';
import { DELIVERED_FROM, ReceiptApplier, UNDELIVERED_FROM } from './receipt-applier';
import { FinalReceiptRow, ReceiptInput, ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';

const authorisedAt = new Date('2026-01-01T00:00:00Z');
const receipt = (id: string, status = P.DELIVERED): ReceiptInput => ({
  provider: 'twilio',
  providerMessageId: id,
  status,
  providerStatus: status.toLowerCase(),
  receivedAt: new Date('2026-01-01T00:00:02Z'),
});
const applied = (moved: NotificationStatus | null): FinalReceiptRow => ({
  notification_id: 'n-1',
  deferred: false,
  moved,
  authorised_at: authorisedAt,
  duplicate: false,
});
const unmatched: FinalReceiptRow = {
  notification_id: null,
  deferred: false,
  moved: null,
  authorised_at: null,
  duplicate: false,
};
const deferred: FinalReceiptRow = {
  notification_id: 'n-1',
  deferred: true,
  moved: null,
  authorised_at: null,
  duplicate: false,
};

/** The service over fakes: the batch statement answers from `batchRows`, the one-by-one path from an attempt. */
function setup(
  batchRows: (items: readonly ReceiptInput[]) => FinalReceiptRow[] | Promise<FinalReceiptRow[]>,
) {
  const tx = {} as Queryable;
  const metrics = new Metrics();
  const db = { transaction: jest.fn(async (work: (q: Queryable) => Promise<unknown>) => work(tx)) };
  const repo = {
    lockMessages: jest.fn(async () => undefined),
    recordFinalMany: jest.fn(async (items: readonly ReceiptInput[]) => batchRows(items)),
    lockMessage: jest.fn(async () => undefined),
    insert: jest.fn(async (r: ReceiptInput) => {
      if (r.providerMessageId.startsWith('bad')) throw new Error('violates not-null constraint');
      return true;
    }),
  };
  const attempts = { byProviderMessage: jest.fn(async () => ({ notification_id: 'n-1' })) };
  const notifications = {
    findById: jest.fn(async () => ({
      provider: 'twilio',
      provider_message_id: 'SM1',
      authorised_at: authorisedAt,
    })),
    transition: jest.fn(async () => true),
  };
  const events = { insertMany: jest.fn(async () => undefined) };
  const applier = new ReceiptApplier(
    notifications as unknown as NotificationsRepository,
    events as unknown as EventsRepository,
    metrics,
  );
  const intermediate = { write: jest.fn(async () => true) };
  const service = new ReceiptsService(
    db as unknown as Database,
    repo as unknown as ReceiptsRepository,
    attempts as unknown as AttemptsRepository,
    notifications as unknown as NotificationsRepository,
    applier,
    metrics,
    intermediate as unknown as IntermediateReceiptsWriter,
    new WriteBatches(loadConfig({}), metrics, pino({ level: 'silent' })),
  );
  /** A counter's value, or with `series` one series of a histogram (e.g. its _sum). */
  const value = async (name: string, labels: Record<string, string>, series = name) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.find(
      (v) =>
        ((v as { metricName?: string }).metricName ?? name) === series &&
        Object.entries(labels).every(([k, x]) => v.labels[k] === x),
    )?.value ?? 0;
  return { service, db, repo, attempts, events, intermediate, value, tx };
}

describe('ReceiptsService: final receipts in batches', () => {
  it('records concurrent final receipts in one transaction: locks, one statement, per-receipt results', async () => {
    const s = setup(() => [applied(NotificationStatus.DELIVERED), unmatched, applied(null)]);
    const results = await Promise.all([
      s.service.record(receipt('SM1')),
      s.service.record(receipt('SM2')),
      s.service.record(receipt('SM3', P.UNDELIVERED)),
    ]);
    expect(results).toEqual(['applied', 'unmatched', 'applied']);
    expect(s.db.transaction).toHaveBeenCalledTimes(1);
    expect(s.repo.lockMessages).toHaveBeenCalledWith(['twilio:SM1', 'twilio:SM2', 'twilio:SM3'], s.tx);
    expect(s.repo.recordFinalMany).toHaveBeenCalledWith(
      [receipt('SM1'), receipt('SM2'), receipt('SM3', P.UNDELIVERED)],
      { deliveredFrom: DELIVERED_FROM, undeliveredFrom: UNDELIVERED_FROM },
      s.tx,
    );
    expect(s.repo.lockMessages.mock.invocationCallOrder[0]).toBeLessThan(
      s.repo.recordFinalMany.mock.invocationCallOrder[0],
    );
    // The same metrics as ReceiptApplier.apply and the unmatched path.
    expect(await s.value('alertline_receipts_total', { status: 'DELIVERED' })).toBe(1);
    expect(await s.value('alertline_receipts_total', { status: 'UNDELIVERED' })).toBe(1);
    expect(await s.value('alertline_receipts_total', { status: 'UNMATCHED' })).toBe(1);
    expect(await s.value('alertline_notifications_total', { status: 'DELIVERED' })).toBe(1);
    const latency = 'alertline_alert_latency_seconds';
    expect(await s.value(latency, { stage: 'delivered' }, `${latency}_sum`)).toBe(2);
  });

  it('records a deferred receipt (its alert had one earlier in the batch) on its own after the batch', async () => {
    const s = setup((items) => (items.length === 2 ? [applied(NotificationStatus.DELIVERED), deferred] : []));
    const results = await Promise.all([s.service.record(receipt('SM1')), s.service.record(receipt('SM1'))]);
    expect(results).toEqual(['applied', 'applied']);
    expect(s.db.transaction).toHaveBeenCalledTimes(2);
    expect(s.repo.recordFinalMany).toHaveBeenCalledTimes(1);
    expect(s.repo.lockMessage).toHaveBeenCalledWith('twilio', 'SM1', s.tx);
    expect(s.repo.lockMessage.mock.invocationCallOrder[0]).toBeGreaterThan(
      s.repo.recordFinalMany.mock.invocationCallOrder[0],
    );
    expect(s.repo.insert).toHaveBeenCalledWith(receipt('SM1'), 'n-1', s.tx);
    expect(s.events.insertMany).toHaveBeenCalledTimes(1);
  });

  it('when the batch statement fails, records each receipt on its own: only the bad one fails', async () => {
    const s = setup(() => Promise.reject(new Error('violates not-null constraint')));
    const settled = await Promise.allSettled([
      s.service.record(receipt('SM1')),
      s.service.record(receipt('bad-2')),
      s.service.record(receipt('SM3')),
    ]);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(s.repo.lockMessage).toHaveBeenCalledTimes(3);
    expect(s.db.transaction).toHaveBeenCalledTimes(4);
  });

  it('an intermediate receipt goes to the shared insert, not to the batch', async () => {
    const s = setup(() => []);
    await expect(s.service.record(receipt('SM1', P.SENT))).resolves.toBe('recorded');
    expect(s.intermediate.write).toHaveBeenCalledTimes(1);
    expect(s.db.transaction).not.toHaveBeenCalled();
  });
});
