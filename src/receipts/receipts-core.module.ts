import { Global, Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { IntermediateReceiptsWriter } from './intermediate-receipts.writer';
import { MessagePartsRepository } from './message-parts.repository';
import { MultipartReceipts } from './multipart-receipts';
import { ReceiptApplier } from './receipt-applier';
import { ReceiptIntake } from './receipt-intake';
import { ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';

/**
 * Receipt correlation, shared by the api (webhooks) and the dispatcher (receipts on a provider's session,
 * SENT records).
 */
@Global()
@Module({
  imports: [NotificationsModule],
  providers: [
    ReceiptsRepository,
    ReceiptApplier,
    ReceiptsService,
    IntermediateReceiptsWriter,
    MessagePartsRepository,
    MultipartReceipts,
    ReceiptIntake,
  ],
  exports: [ReceiptsService, ReceiptsRepository, MessagePartsRepository, MultipartReceipts, ReceiptIntake],
})
export class ReceiptsCoreModule {}
