import { testCipher } from '../crypto/testing/test-cipher';
import { randomUUID } from 'node:crypto';
import Bull from 'bull';
import pino from 'pino';
import { correctionReleaseOn } from '../../test/support/corrections';
import { testDatabaseService } from '../../test/support/db';
import { Clock } from '../common/clock';
import { loadConfig } from '../providers/provider-config';
import { Database } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationStatus as S } from '../notifications/notification-status';
import { AttemptStatus } from '../notifications/notification.types';
import { NotificationsRepository } from '../notifications/notifications.repository';
import {
  ProviderMessageStatus as P,
  ProviderStatusReport,
  SmsProvider,
} from '../providers/provider.interface';
import { ProviderRoute } from '../providers/provider-route';
import { SmsQueue } from '../queue/sms-queue.service';
import { newNotification } from '../../test/support/notification-fixture';
import type { SendRecorder } from '../delivery/send-recorder';
import { sendPathOn } from '../../test/support/send-path';
import { ReceiptDeadlines } from './receipt-deadlines';
import { SmsJobs } from '../queue/sms-jobs';
import { StuckAlertRecovery } from './stuck-alerts';
import { SweeperRepository } from './sweeper.repository';
import { SweeperService } from './sweeper.service';

class TestClock extends Clock {
  // Somewhere in the 1990s, different each run: the sweeper's time-based queries then see only this
  // test's rows, never the live alerts other tests keep in the shared database.
  t = Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 3000) * 86_400_000;
  override now(): Date {
    return new Date(this.t);
  }
}

/** The provider's side of a status lookup: per message id, an answer or a failure. */
class ScriptedProvider implements SmsProvider {
  readonly name = 'twilio' as const;
  readonly answers = new Map<string, ProviderStatusReport | null | Error>();
  send(): never {
    throw new Error('not used');
  }
  async findSent() {
    return null;
  }
  async fetchStatus(id: string) {
    const a = this.answers.get(id);
    if (a instanceof Error) throw a;
    return a ?? null;
  }
}

describe('sweeper on PostgreSQL and Redis', () => {
  const clock = new TestClock();
  const metrics = new Metrics();
  const provider = new ScriptedProvider();
  const config = loadConfig({
    PROVIDERS: 'twilio',
    SWEEP_QUEUED_GRACE_MS: '10000',
    RECEIPT_SLA_SECONDS: '300',
    SWEEP_RECHECK_SECONDS: '300',
  });
  const logger = pino({ level: 'silent' });
  const ids: string[] = [];
  let db: Database;
  let queue: Bull.Queue;
  let notifications: NotificationsRepository;
  let recorder: SendRecorder;
  let events: EventsRepository;
  let attempts: AttemptsRepository;
  let repository: SweeperRepository;
  let sweeper: SweeperService;

  beforeAll(async () => {
    db = await testDatabaseService();
    queue = new Bull('sms', { redis: config.get('REDIS_URL'), prefix: `alertline-int-${randomUUID()}` });
    const path = sendPathOn(db, metrics, config);
    ({ notifications, events, attempts, recorder } = path);
    repository = new SweeperRepository(db);
    const route = new ProviderRoute(config, [provider]);
    const jobs = new SmsJobs(new SmsQueue(queue));
    sweeper = new SweeperService(
      repository,
      new StuckAlertRecovery(config, clock, repository, jobs, events, metrics, logger),
      new ReceiptDeadlines(
        config,
        clock,
        db,
        repository,
        route,
        path.receipts,
        events,
        metrics,
        testCipher(),
        logger,
      ),
      metrics,
      correctionReleaseOn(db, new SmsQueue(queue), metrics, config),
      logger,
    );
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await db.query(`DELETE FROM receipts WHERE notification_id = ANY($1)`, [ids]);
    await db.query(`DELETE FROM notification_events WHERE notification_id = ANY($1)`, [ids]);
    await db.query(`DELETE FROM delivery_attempts WHERE notification_id = ANY($1)`, [ids]);
    await db.query(`DELETE FROM notifications WHERE id = ANY($1)`, [ids]);
    await db.onModuleDestroy();
  });

  async function queued(ageMs: number): Promise<string> {
    const id = randomUUID();
    ids.push(id);
    const at = new Date(clock.t - ageMs);
    await db.transaction((tx) =>
      notifications.insertMany([newNotification({ id, transactionId: `sweep-${id}`, receivedAt: at })], tx),
    );
    return id;
  }

  // The send path's writes, made directly so that only the sweeper is under test here.
  async function sending(ageMs: number, leaseMs: number): Promise<string> {
    const id = await queued(ageMs);
    await recorder.claim(id, leaseMs, new Date(clock.t - ageMs));
    return id;
  }

  async function sent(ageMs: number): Promise<{ id: string; messageId: string }> {
    const id = await sending(ageMs + 1000, 60000);
    const at = new Date(clock.t - ageMs);
    const messageId = `SM${randomUUID().replace(/-/g, '')}`;
    const attempt = await recorder.startAttempt((await notifications.findById(id))!, 'twilio', at);
    await attempts.finish(
      attempt.id,
      { status: AttemptStatus.ACCEPTED, providerMessageId: messageId },
      at,
      db.pool,
    );
    await notifications.transition(
      id,
      [S.SENDING],
      { status: S.SENT, provider: 'twilio', providerMessageId: messageId, at },
      db.pool,
    );
    // The attempt wrote the SENDING line.
    await events.insertMany([{ notificationId: id, at, type: S.SENT, status: S.SENT }]);
    return { id, messageId };
  }

  const eventTypes = async (id: string) => (await events.forNotification(id)).map((e) => e.type);
  const row = async (id: string) => (await notifications.findById(id))!;
  const polled = async (outcome: string) =>
    (await metrics.sweeperPolled.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

  it('re-enqueues QUEUED and lease-expired SENDING alerts whose job is gone or failed, and nothing else', async () => {
    const failed = await queued(60_000);
    await new SmsQueue(queue).enqueue([failed]);
    // As Bull ends a job that stalled twice: taken by a worker, then failed for good.
    const job = (await queue.getNextJob())!;
    expect(job.id).toBe(failed);
    await job.discard();
    await job.moveToFailed({ message: 'job stalled more than allowable limit' });
    expect(await job.isFailed()).toBe(true);
    const lost = await queued(60_000);
    const live = await queued(60_000);
    await new SmsQueue(queue).enqueue([live]);
    const young = await queued(2_000);
    const abandoned = await sending(120_000, 60_000);
    const leased = await sending(30_000, 60_000);

    const requeuedBefore = (await metrics.sweeperRequeued.get()).values[0]?.value ?? 0;
    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'ok' });

    for (const id of [lost, failed, abandoned]) {
      const j = await queue.getJob(id);
      expect(await j?.getState()).toBe('waiting');
      expect((await eventTypes(id)).filter((t) => t === 'REQUEUED')).toHaveLength(1);
    }
    expect(await queue.getJob(young)).toBeNull();
    expect(await queue.getJob(leased)).toBeNull();
    expect(await eventTypes(live)).not.toContain('REQUEUED');
    expect((await metrics.sweeperRequeued.get()).values[0].value).toBeGreaterThanOrEqual(requeuedBefore + 3);

    // A second run finds live jobs and adds nothing.
    await sweeper.runOnce();
    for (const id of [lost, failed, abandoned])
      expect((await eventTypes(id)).filter((t) => t === 'REQUEUED')).toHaveLength(1);
  });

  it('asks the provider about SENT alerts past the SLA: a final answer applies, anything else flags OVERDUE once', async () => {
    const delivered = await sent(400_000);
    const silent = await sent(400_000);
    const failing = await sent(400_000);
    const fresh = await sent(100_000);
    const report = (id: string, status: P, word: string) => ({
      providerMessageId: id,
      status,
      providerStatus: word,
    });
    provider.answers.set(delivered.messageId, report(delivered.messageId, P.DELIVERED, 'delivered'));
    provider.answers.set(silent.messageId, report(silent.messageId, P.SENT, 'sent'));
    provider.answers.set(failing.messageId, new Error('socket hang up'));
    provider.answers.set(fresh.messageId, report(fresh.messageId, P.DELIVERED, 'delivered'));
    const [pending0, error0] = [await polled('pending'), await polled('error')];

    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'ok' });
    expect(await row(delivered.id)).toMatchObject({ status: S.DELIVERED, overdue: false });
    expect(await eventTypes(delivered.id)).toEqual(['SENDING', 'SENT', 'DELIVERED']);
    const { rows } = await db.pool.query(`SELECT provider_status FROM receipts WHERE notification_id = $1`, [
      delivered.id,
    ]);
    expect(rows).toEqual([{ provider_status: 'delivered (polled)' }]);
    expect(await row(silent.id)).toMatchObject({ status: S.SENT, overdue: true });
    expect(await row(failing.id)).toMatchObject({ status: S.SENT, overdue: true });
    expect(await row(fresh.id)).toMatchObject({ status: S.SENT, overdue: false });
    expect(await polled('pending')).toBe(pending0 + 1);
    expect(await polled('error')).toBe(error0 + 1);
    expect(await sweeper.refreshOverdueGauge()).toBeGreaterThanOrEqual(2);

    // Not asked again before SWEEP_RECHECK_SECONDS; then asked, and an overdue alert can still be delivered.
    await sweeper.runOnce();
    expect(await polled('pending')).toBe(pending0 + 1);
    clock.t += 301_000;
    provider.answers.set(silent.messageId, report(silent.messageId, P.DELIVERED, 'delivered'));
    await sweeper.runOnce();
    expect(await row(silent.id)).toMatchObject({ status: S.DELIVERED, overdue: true });
    expect(await eventTypes(silent.id)).toEqual(['SENDING', 'SENT', 'OVERDUE', 'DELIVERED']);
    expect((await eventTypes(failing.id)).filter((t) => t === 'OVERDUE')).toHaveLength(1);
    expect(await row(fresh.id)).toMatchObject({ status: S.DELIVERED });
  });

  it('runs one sweep at a time: a second sweeper finds the lock taken and does nothing', async () => {
    const lost = await queued(60_000);
    const locked0 =
      (await metrics.sweeperRuns.get()).values.find((v) => v.labels.outcome === 'locked')?.value ?? 0;
    const inner = await repository.withRunLock(() => sweeper.runOnce());
    expect(inner).toEqual({ locked: false, result: { outcome: 'locked' } });
    expect(await queue.getJob(lost)).toBeNull();
    expect((await metrics.sweeperRuns.get()).values.find((v) => v.labels.outcome === 'locked')?.value).toBe(
      locked0 + 1,
    );
    expect(await sweeper.runOnce()).toMatchObject({ outcome: 'ok' });
    expect(await queue.getJob(lost)).not.toBeNull();
  });
});
