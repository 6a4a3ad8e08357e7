import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { PartitionsRepository } from './partitions.repository';

/** Months created ahead of the current one: a month of slack if maintenance stops running. */
export const MONTHS_AHEAD = 2;
// transactionId keys deleted per statement: each a short transaction, so the purge never holds many locks.
const KEY_TRIM_BATCH = 10_000;

export type MaintenanceResult =
  | { outcome: 'locked' }
  | { outcome: 'ok'; created: number; dropped: string[]; keysTrimmed: number; cutoff: string | null };

/** First day of the UTC month `offset` months from `at`, as YYYY-MM-DD. */
export function monthStart(at: Date, offset = 0): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

/**
 * The day before which the anonymous history need not be kept (`HISTORY_RETENTION_DAYS` before `now`,
 * rounded down to a day), or null when it is kept for ever (0). A month partition goes only once its whole
 * month is before this day, so nothing younger than the retention is ever dropped.
 */
export function retentionCutoff(now: Date, retentionDays: number): string | null {
  if (retentionDays === 0) return null;
  return new Date(now.getTime() - retentionDays * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Partition maintenance, one runner at a time (an advisory lock): creates this month's and the next
 * MONTHS_AHEAD months' partitions, drops the months wholly older than the history retention, and trims
 * their transactionId dedupe keys.
 */
@Injectable()
export class PartitionMaintenance {
  private readonly retentionDays: number;

  constructor(
    private readonly repository: PartitionsRepository,
    private readonly clock: Clock,
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.retentionDays = config.get('HISTORY_RETENTION_DAYS');
  }

  async runOnce(): Promise<MaintenanceResult> {
    const now = this.clock.now();
    const run = await this.repository.withMaintenanceLock(async (client) => {
      let created = 0;
      for (let m = 0; m <= MONTHS_AHEAD; m++)
        created += await this.repository.createMonth(client, monthStart(now, m));
      const cutoff = retentionCutoff(now, this.retentionDays);
      const dropped: string[] = [];
      let keysTrimmed = 0;
      if (cutoff) {
        for (const p of await this.repository.expired(client, cutoff)) {
          await this.repository.dropPartition(client, p);
          dropped.push(p.partition);
        }
        for (;;) {
          const n = await this.repository.trimTransactionKeys(client, cutoff, KEY_TRIM_BATCH);
          keysTrimmed += n;
          if (n < KEY_TRIM_BATCH) break;
        }
      }
      return { created, dropped, keysTrimmed, cutoff };
    });
    if (run.locked) return { outcome: 'locked' };
    if (run.result.created || run.result.dropped.length || run.result.keysTrimmed)
      this.logger.info(run.result, 'partition maintenance done');
    return { outcome: 'ok', ...run.result };
  }
}
