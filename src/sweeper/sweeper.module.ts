import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { CorrectionsCoreModule } from '../corrections/corrections.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ProvidersModule } from '../providers/providers.module';
import { QueueModule } from '../queue/queue.module';
import { ReceiptsCoreModule } from '../receipts/receipts-core.module';
import { ReceiptDeadlines } from './receipt-deadlines';
import { SmsJobs } from '../queue/sms-jobs';
import { StuckAlertRecovery } from './stuck-alerts';
import { SweeperRepository } from './sweeper.repository';
import { SWEEPER_QUEUE, SweeperScheduler } from './sweeper.scheduler';
import { SweeperService } from './sweeper.service';

/** Missing-alert detection in the dispatcher role: lost queue jobs and receipts past their deadline. */
@Module({
  imports: [
    QueueModule,
    NotificationsModule,
    ProvidersModule,
    ReceiptsCoreModule,
    CorrectionsCoreModule,
    BullModule.registerQueue({ name: SWEEPER_QUEUE }),
  ],
  providers: [
    SweeperRepository,
    SmsJobs,
    StuckAlertRecovery,
    ReceiptDeadlines,
    SweeperService,
    SweeperScheduler,
  ],
  exports: [SweeperService],
})
export class SweeperModule {}
