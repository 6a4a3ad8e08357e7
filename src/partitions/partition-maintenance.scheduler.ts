import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { PartitionMaintenance } from './partition-maintenance';

/**
 * Runs partition maintenance at start and every PARTITION_MAINTENANCE_INTERVAL_MS in every dispatcher;
 * the advisory lock makes it one run at a time. A timer rather than a Bull job: partitions must be made
 * ahead even while Redis is away (PostgreSQL alone must be enough), and a run that finds the work done
 * costs a few catalogue reads.
 */
@Injectable()
export class PartitionMaintenanceScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly maintenance: PartitionMaintenance,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.get('PARTITION_MAINTENANCE_INTERVAL_MS'));
    this.timer.unref();
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.maintenance
      .runOnce()
      .then(() => undefined)
      .catch((err: Error) => {
        // A lock timeout or the database away: the next run tries again; months ahead leave slack.
        this.logger.warn({ err: err.message }, 'partition maintenance failed');
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
