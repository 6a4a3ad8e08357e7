import { Inject, Injectable } from '@nestjs/common';
import { AppLogger, LOGGER } from '../common/logger.module';
import { CorrectionRelease } from '../corrections/correction-release';
import { Metrics } from '../metrics/metrics.service';
import { PollSummary, ReceiptDeadlines } from './receipt-deadlines';
import { RequeueSummary, StuckAlertRecovery } from './stuck-alerts';
import { SweeperRepository } from './sweeper.repository';

export type SweepResult =
  | { outcome: 'locked' }
  | ({ outcome: 'ok' } & RequeueSummary & PollSummary & { overdue: number; correctionsReleased: number });

/** One sweep: recover alerts whose queue job is gone, then chase receipts past their deadline. */
@Injectable()
export class SweeperService {
  constructor(
    private readonly repository: SweeperRepository,
    private readonly stuck: StuckAlertRecovery,
    private readonly deadlines: ReceiptDeadlines,
    private readonly metrics: Metrics,
    private readonly corrections: CorrectionRelease,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async runOnce(): Promise<SweepResult> {
    try {
      const run = await this.repository.withRunLock(async () => {
        const requeue = await this.stuck.run();
        const poll = await this.deadlines.run();
        // The safety net for corrections whose trigger was lost, and for originals that never came.
        const correctionsReleased = await this.corrections.sweep();
        return { ...requeue, ...poll, overdue: await this.refreshOverdueGauge(), correctionsReleased };
      });
      if (run.locked) {
        this.metrics.sweeperRuns.inc({ outcome: 'locked' });
        return { outcome: 'locked' };
      }
      this.metrics.sweeperRuns.inc({ outcome: 'ok' });
      if (run.result.requeued || run.result.flagged) this.logger.info(run.result, 'sweep done');
      return { outcome: 'ok', ...run.result };
    } catch (err) {
      this.metrics.sweeperRuns.inc({ outcome: 'error' });
      this.logger.error({ err }, 'sweep failed');
      throw err;
    }
  }

  /** The gauge is set by every dispatcher, swept or not, so any one of them can be scraped. */
  async refreshOverdueGauge(): Promise<number> {
    const n = await this.repository.countOverdue();
    this.metrics.overdue.set(n);
    return n;
  }
}
