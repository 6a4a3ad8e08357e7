import {
  Controller,
  Inject,
  Optional,
  Post,
  Req,
  Res,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { INBOUND_SMS_SINK, type InboundSmsSink } from '../providers/provider.interface';
import { ReceiptIntake } from './receipt-intake';
import { ReceiptWebhookGuard, webhookOf } from './receipt-webhook.guard';
import { ReceiptWebhooks } from './receipt-webhooks';

/**
 * Every provider's webhook, POST /webhooks/<provider>/<hook> (the provider registry lists them): the vendor
 * authenticates (the guard) and parses; receipts/ applies receipts, forward only, and hands inbound texts
 * (cardholders' replies) to the sink replies/ provides, so this folder never depends on replies/.
 */
@Controller('webhooks')
export class WebhookController {
  constructor(
    private readonly webhooks: ReceiptWebhooks,
    private readonly intake: ReceiptIntake,
    @Optional() @Inject(INBOUND_SMS_SINK) private readonly inbound?: InboundSmsSink,
  ) {}

  /** 204 once stored, or the answer the vendor expects (WebhookDefinition.reply). */
  @Post(':provider/:hook')
  @UseGuards(ReceiptWebhookGuard)
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    const webhook = webhookOf(this.webhooks, req);
    if (webhook.kind === 'inbound') {
      // A 503 makes the vendor redeliver: an inbound text is never acknowledged without being stored.
      if (!this.inbound) throw new ServiceUnavailableException('inbound texts are not received here');
      await this.inbound.accept(webhook.provider.name, webhook.handler.parse(req));
    } else {
      await this.intake.accept(webhook.provider, webhook.handler.parse(req));
    }
    const reply = webhook.definition.reply;
    if (!reply) res.status(204).end();
    else if (reply.contentType) res.status(reply.status).type(reply.contentType).send(String(reply.body));
    else res.status(reply.status).json(reply.body);
  }
}
