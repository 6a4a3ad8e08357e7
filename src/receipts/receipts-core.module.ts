import { Global, Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { IntermediateReceiptsWriter } from './intermediate-receipts.writer';
import { ReceiptApplier } from './receipt-applier';
import { ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';

/** Receipt correlation, shared by the api (webhooks) and the dispatcher (SMPP receipts, SENT records). */
@Global()
@Module({
  imports: [NotificationsModule],
  providers: [ReceiptsRepository, ReceiptApplier, ReceiptsService, IntermediateReceiptsWriter],
  exports: [ReceiptsService, ReceiptsRepository],
})
export class ReceiptsCoreModule {}
