import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { CorrectionsCoreModule } from '../corrections/corrections.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ProvidersModule } from '../providers/providers.module';
import { QueueModule } from '../queue/queue.module';
import { ReceiptsCoreModule } from '../receipts/receipts-core.module';
import { SessionReceiptsListener } from '../receipts/session-receipts.listener';
import { RoutingModule } from '../routing/routing.module';
import { DeliveryService } from './delivery.service';
import { InFlightRecovery } from './in-flight-recovery';
import { LeaseFence } from './lease-fence';
import { LeaseKeeper } from './lease-keeper';
import { ProviderStep } from './provider-step';
import { UnknownOutcomes } from './unknown-outcome';
import { SendAcceptance } from './send-acceptance';
import { SendBatchRepository } from './send-batch.repository';
import { SendBatches } from './send-batches';
import { SendRecorder } from './send-recorder';
import { SmsProcessor } from './sms.processor';

@Module({
  imports: [
    QueueModule,
    NotificationsModule,
    ContactsModule,
    ProvidersModule,
    ReceiptsCoreModule,
    RoutingModule,
    CorrectionsCoreModule,
  ],
  providers: [
    SendBatchRepository,
    SendBatches,
    LeaseFence,
    SendAcceptance,
    SendRecorder,
    InFlightRecovery,
    LeaseKeeper,
    ProviderStep,
    UnknownOutcomes,
    DeliveryService,
    SmsProcessor,
    SessionReceiptsListener,
  ],
  exports: [DeliveryService],
})
export class DeliveryModule {}
