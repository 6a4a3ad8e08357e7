import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { Metrics } from '../metrics/metrics.service';
import { EventsRepository } from '../notifications/events.repository';
import { HistoryEvent, NotificationStatus as S } from '../notifications/notification-status';
import { SmsJobs } from '../queue/sms-jobs';
import { StuckCursor, SweeperRepository } from './sweeper.repository';

export const SWEEP_BATCH = 500;

export interface RequeueSummary {
  checked: number;
  requeued: number;
}

/**
 * Postgres is the record, Redis only the schedule: every alert that should be waiting for a dispatcher
 * but has no live Bull job is put back on the queue. Re-adding is safe even if a job reappears meanwhile:
 * the dispatcher's claim and lease decide who sends, and an in-flight attempt is checked with the provider.
 */
@Injectable()
export class StuckAlertRecovery {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: SweeperRepository,
    private readonly jobs: SmsJobs,
    private readonly events: EventsRepository,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async run(): Promise<RequeueSummary> {
    const summary: RequeueSummary = { checked: 0, requeued: 0 };
    let budget = this.config.get('SWEEP_SCAN_LIMIT');
    for (const status of [S.QUEUED, S.SENDING] as const) {
      const now = this.clock.now();
      const olderThan = new Date(now.getTime() - this.config.get('SWEEP_QUEUED_GRACE_MS'));
      let after: StuckCursor | null = null;
      while (budget > 0) {
        const page = await this.repository.stuckPage(
          status,
          olderThan,
          now,
          after,
          Math.min(SWEEP_BATCH, budget),
        );
        if (page.length === 0) break;
        budget -= page.length;
        summary.checked += page.length;
        summary.requeued += await this.requeueWithoutJob(
          page.map((a) => a.id),
          status,
        );
        const last = page[page.length - 1];
        after = { updatedAt: last.updated_at, id: last.id };
        if (page.length < SWEEP_BATCH) break;
      }
    }
    return summary;
  }

  private async requeueWithoutJob(ids: string[], status: S): Promise<number> {
    const checks = await this.jobs.check(ids);
    const missing = ids.filter((id) => checks.get(id) === 'missing');
    const finished = ids.filter((id) => checks.get(id) === 'finished');
    const lost = [...missing, ...finished];
    if (lost.length === 0) return 0;
    await this.jobs.requeue(lost, finished);
    const now = this.clock.now();
    await this.events.insertMany([
      ...missing.map((id) => ({
        notificationId: id,
        at: now,
        type: HistoryEvent.REQUEUED,
        detail: `sweeper: ${status} alert had no queue job`,
      })),
      ...finished.map((id) => ({
        notificationId: id,
        at: now,
        type: HistoryEvent.REQUEUED,
        detail: `sweeper: ${status} alert's queue job had ended (failed or stalled)`,
      })),
    ]);
    this.metrics.sweeperRequeued.inc(lost.length);
    this.logger.warn(
      { status, missing: missing.length, finished: finished.length },
      'sweeper re-enqueued alerts',
    );
    return lost.length;
  }
}
