import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ProvidersModule } from '../providers/providers.module';
import { QueueModule } from '../queue/queue.module';
import { ReceiptsCoreModule } from '../receipts/receipts-core.module';
import { DeliveryService } from './delivery.service';
import { SendRecorder } from './send-recorder';
import { SmsProcessor } from './sms.processor';

@Module({
  imports: [QueueModule, NotificationsModule, ContactsModule, ProvidersModule, ReceiptsCoreModule],
  providers: [SendRecorder, DeliveryService, SmsProcessor],
  exports: [DeliveryService],
})
export class DeliveryModule {}
