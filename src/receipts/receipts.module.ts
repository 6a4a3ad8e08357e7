import { Module } from '@nestjs/common';
import { MessagePartsRepository } from '../delivery/message-parts.repository';
import { MultipartReceipts } from '../delivery/multipart-receipts';
import { ReceiptsCoreModule } from './receipts-core.module';
import { TwilioWebhookController } from './twilio-webhook.controller';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { VonageSignatureGuard } from './vonage-signature.guard';
import { VonageWebhookController } from './vonage-webhook.controller';

/** Provider delivery-receipt webhooks (api role). */
@Module({
  imports: [ReceiptsCoreModule],
  controllers: [TwilioWebhookController, VonageWebhookController],
  providers: [TwilioSignatureGuard, VonageSignatureGuard, MessagePartsRepository, MultipartReceipts],
})
export class ReceiptsModule {}
