import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { PeriodicRun } from '../common/periodic-run';
import { PartitionMaintenance } from './partition-maintenance';

/**
 * Runs partition maintenance at start and every PARTITION_MAINTENANCE_INTERVAL_MS in every dispatcher;
 * the advisory lock makes it one run at a time. A run that finds the work done costs a few catalogue
 * reads; months made ahead leave slack for runs that fail.
 */
@Injectable()
export class PartitionMaintenanceScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly run: PeriodicRun;

  constructor(
    maintenance: PartitionMaintenance,
    private readonly config: AppConfig,
    @Inject(LOGGER) logger: AppLogger,
  ) {
    this.run = new PeriodicRun('partition maintenance', () => maintenance.runOnce(), logger);
  }

  onApplicationBootstrap(): void {
    this.run.start(this.config.get('PARTITION_MAINTENANCE_INTERVAL_MS'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.run.stop();
  }
}
