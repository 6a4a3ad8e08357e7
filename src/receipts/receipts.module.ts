import { Module } from '@nestjs/common';
import { ReceiptsCoreModule } from './receipts-core.module';
import { TwilioWebhookController } from './twilio-webhook.controller';
import { TwilioSignatureGuard } from './twilio-signature.guard';

/** Provider delivery-receipt webhooks (api role). */
@Module({
  imports: [ReceiptsCoreModule],
  controllers: [TwilioWebhookController],
  providers: [TwilioSignatureGuard],
})
export class ReceiptsModule {}
