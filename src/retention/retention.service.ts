import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { AppConfig } from '../config/app-config';
import { RepliesRepository } from '../replies/replies.repository';
import { KeyWalk, WalkReport } from './key-walk';
import { RetentionRepository } from './retention.repository';

const RUN_LOCK = 'alertline:retention';
const DAY_MS = 86_400_000;

export interface PurgeReport {
  purged: number;
  /** Alerts past the retention that are not final yet: kept until they are (a sender may need them). */
  heldBack: number;
  /** More to purge than one run's batches: the next run goes on. */
  more: boolean;
  /** Cardholders' replies whose number and text were cleared (published ones only). */
  replies?: number;
}

export type RetentionRun = { outcome: 'locked' } | { outcome: 'ok'; purge: PurgeReport; keys: WalkReport[] };

/**
 * One retention run, on one dispatcher at a time (an advisory lock): the purge of personal data past
 * PERSONAL_DATA_RETENTION_DAYS, then the key walk. Every batch is its own short statement, so the send
 * path never waits behind the run; alerts a sender holds are skipped (SKIP LOCKED) and taken next time.
 */
@Injectable()
export class RetentionService {
  private readonly retentionMs: number;
  private readonly batch: number;
  private readonly maxBatches: number;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: RetentionRepository,
    private readonly keys: KeyWalk,
    @Inject(LOGGER) private readonly logger: AppLogger,
    // The replies' personal data goes with the alerts' (same retention); their repository holds the SQL.
    @Optional() private readonly replies?: RepliesRepository,
  ) {
    this.retentionMs = config.get('PERSONAL_DATA_RETENTION_DAYS') * DAY_MS;
    this.batch = config.get('RETENTION_BATCH_SIZE');
    this.maxBatches = config.get('RETENTION_MAX_BATCHES');
  }

  async runOnce(): Promise<RetentionRun> {
    const run = await this.repository.db.withSessionLock(RUN_LOCK, async () => {
      const purge = { ...(await this.purge()), replies: await this.purgeReplies() };
      const keys = [
        await this.keys.run('contacts'),
        await this.keys.run('notifications'),
        await this.keys.run('replies'),
      ];
      return { purge, keys };
    });
    if (run.locked) return { outcome: 'locked' };
    const { purge, keys } = run.result;
    if (purge.purged > 0 || keys.some((k) => k.changed > 0 || k.unreadable > 0)) {
      this.logger.info({ purge, keys }, 'retention run done');
    }
    return { outcome: 'ok', ...run.result };
  }

  async purge(): Promise<PurgeReport> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.retentionMs);
    let purged = 0;
    for (let i = 0; i < this.maxBatches; i++) {
      const n = await this.repository.purgeBatch(before, this.batch, this.clock.now());
      purged += n;
      if (n < this.batch)
        return { purged, heldBack: await this.repository.countHeldBack(before), more: false };
    }
    return { purged, heldBack: 0, more: true };
  }

  /** Replies received before the retention period, in the same bounded batches as the alerts. */
  async purgeReplies(): Promise<number> {
    if (!this.replies) return 0;
    const before = new Date(this.clock.now().getTime() - this.retentionMs);
    let purged = 0;
    for (let i = 0; i < this.maxBatches; i++) {
      const n = await this.replies.purgeBatch(before, this.batch, this.clock.now());
      purged += n;
      if (n < this.batch) break;
    }
    return purged;
  }
}
