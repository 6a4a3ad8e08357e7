import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppLogger, LOGGER } from '../common/logger.module';
import { AppConfig } from '../config/app-config';
import { RetentionService } from './retention.service';

/**
 * Starts a retention run every RETENTION_INTERVAL_MS on each dispatcher; the advisory lock lets one run at
 * a time across them, so no queue is needed (and a flushed Redis loses nothing). A run that is still going
 * when the timer fires again is not started twice in this process.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly every: number;
  private readonly enabled: boolean;

  constructor(
    private readonly retention: RetentionService,
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.every = config.get('RETENTION_INTERVAL_MS');
    this.enabled = config.get('RETENTION_ENABLED') ?? config.get('NODE_ENV') !== 'test';
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) {
      this.logger.info('retention purge and key walk disabled (RETENTION_ENABLED)');
      return;
    }
    this.timer = setInterval(() => this.tick(), this.every);
    this.timer.unref();
    this.tick();
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.retention
      .runOnce()
      .catch((err: Error) => {
        // Database away: readiness reports it; the next tick tries again.
        this.logger.warn({ err: err.message }, 'retention run failed');
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
