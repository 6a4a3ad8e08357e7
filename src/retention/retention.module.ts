import { Module } from '@nestjs/common';
import { KeyWalk } from './key-walk';
import { RetentionRepository } from './retention.repository';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/** The retention purge and the key re-wrap walk, in the dispatcher role. */
@Module({
  providers: [RetentionRepository, KeyWalk, RetentionService, RetentionScheduler],
  exports: [RetentionService],
})
export class RetentionModule {}
