import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ReceiptIntake } from './receipt-intake';
import { ReceiptWebhookGuard, webhookOf } from './receipt-webhook.guard';
import { ReceiptWebhooks } from './receipt-webhooks';

/**
 * Every provider's receipt webhook, POST /webhooks/<provider>/<hook> (the provider registry lists them):
 * the vendor authenticates (the guard) and parses, receipts/ applies, forward only.
 */
@Controller('webhooks')
export class WebhookController {
  constructor(
    private readonly webhooks: ReceiptWebhooks,
    private readonly intake: ReceiptIntake,
  ) {}

  /** 204 once stored, or the answer the vendor expects (WebhookDefinition.reply). */
  @Post(':provider/:hook')
  @UseGuards(ReceiptWebhookGuard)
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    const webhook = webhookOf(this.webhooks, req);
    await this.intake.accept(webhook.provider, webhook.handler.parse(req));
    const reply = webhook.definition.reply;
    if (reply) res.status(reply.status).json(reply.body);
    else res.status(204).end();
  }
}
