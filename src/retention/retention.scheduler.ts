import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppLogger, LOGGER } from '../common/logger.module';
import { PeriodicRun } from '../common/periodic-run';
import { AppConfig } from '../config/app-config';
import { RetentionService } from './retention.service';

/**
 * Starts a retention run every RETENTION_INTERVAL_MS on each dispatcher; the advisory lock lets one run at
 * a time across them, so no queue is needed (and a flushed Redis loses nothing).
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly run: PeriodicRun;
  private readonly every: number;
  private readonly enabled: boolean;

  constructor(
    retention: RetentionService,
    config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.every = config.get('RETENTION_INTERVAL_MS');
    this.enabled = config.get('RETENTION_ENABLED') ?? config.get('NODE_ENV') !== 'test';
    this.run = new PeriodicRun('retention run', () => retention.runOnce(), logger);
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) {
      this.logger.info('retention purge and key walk disabled (RETENTION_ENABLED)');
      return;
    }
    this.run.start(this.every);
  }

  async onModuleDestroy(): Promise<void> {
    await this.run.stop();
  }
}
