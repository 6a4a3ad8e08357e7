import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ReceiptWebhookGuard } from './receipt-webhook.guard';
import { receiptWebhooksProvider, WEBHOOK_HANDLERS } from './receipt-webhooks';
import { ReceiptsCoreModule } from './receipts-core.module';
import { WebhookController } from './webhook.controller';
import { WebhookRefusal } from './webhook-refusal';

/** Provider delivery-receipt webhooks (api role): every one the provider registry lists. */
@Module({
  imports: [ReceiptsCoreModule, AuthModule],
  controllers: [WebhookController],
  providers: [...WEBHOOK_HANDLERS, receiptWebhooksProvider, ReceiptWebhookGuard, WebhookRefusal],
})
export class ReceiptsModule {}
