import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MessagePartsRepository } from './message-parts.repository';
import { MultipartReceipts } from './multipart-receipts';
import { ReceiptsCoreModule } from './receipts-core.module';
import { TwilioWebhookController } from './twilio-webhook.controller';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { VonageSignatureGuard } from './vonage-signature.guard';
import { VonageWebhookController } from './vonage-webhook.controller';
import { WebhookRefusal } from './webhook-refusal';

/** Provider delivery-receipt webhooks (api role). */
@Module({
  imports: [ReceiptsCoreModule, AuthModule],
  controllers: [TwilioWebhookController, VonageWebhookController],
  providers: [
    TwilioSignatureGuard,
    VonageSignatureGuard,
    WebhookRefusal,
    MessagePartsRepository,
    MultipartReceipts,
  ],
})
export class ReceiptsModule {}
