import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { SweeperService } from './sweeper.service';

// Its own queue, so a sweep never waits behind (or holds up) a backlog of sends.
export const SWEEPER_QUEUE = 'sweeper';
const SWEEP_JOB = 'sweep';
const REPEAT_ID = 'sweep';

/**
 * Triggers sweeps with a Bull repeatable job. A flushed Redis loses the repeatable job with everything
 * else, so each dispatcher re-adds it every interval (idempotent: the next run's job id is fixed by the
 * interval slot); the advisory lock, not Bull, is what keeps two sweeps from running together.
 */
@Injectable()
export class SweeperScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private readonly every: number;
  private readonly enabled: boolean;

  constructor(
    @InjectQueue(SWEEPER_QUEUE) private readonly queue: Queue,
    private readonly sweeper: SweeperService,
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.every = config.get('SWEEP_INTERVAL_MS');
    this.enabled = config.get('SWEEP_ENABLED') ?? config.get('NODE_ENV') !== 'test';
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) {
      this.logger.info('sweeper disabled (SWEEP_ENABLED)');
      return;
    }
    void this.queue.process(SWEEP_JOB, 1, () => this.sweeper.runOnce());
    await this.dropOtherIntervals();
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.every);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.queue.add(
        SWEEP_JOB,
        {},
        {
          repeat: { every: this.every },
          jobId: REPEAT_ID,
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
      await this.sweeper.refreshOverdueGauge();
    } catch (err) {
      // Redis or Postgres away: readiness reports it; the next tick tries again.
      this.logger.warn({ err: (err as Error).message }, 'could not schedule the sweeper');
    }
  }

  /** A changed SWEEP_INTERVAL_MS would otherwise leave the old schedule running beside the new one. */
  private async dropOtherIntervals(): Promise<void> {
    try {
      for (const job of await this.queue.getRepeatableJobs()) {
        if (job.name === SWEEP_JOB && job.every !== this.every)
          await this.queue.removeRepeatableByKey(job.key);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not read the sweeper schedule');
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue.close();
  }
}
