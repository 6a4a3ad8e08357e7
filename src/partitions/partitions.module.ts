import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { PartitionMaintenance } from './partition-maintenance';
import { PartitionMaintenanceScheduler } from './partition-maintenance.scheduler';
import { PartitionsRepository } from './partitions.repository';

/** Month partitions made ahead and dropped behind the history retention (dispatcher role). */
@Module({
  providers: [Clock, PartitionsRepository, PartitionMaintenance, PartitionMaintenanceScheduler],
  exports: [PartitionMaintenance],
})
export class PartitionsModule {}
