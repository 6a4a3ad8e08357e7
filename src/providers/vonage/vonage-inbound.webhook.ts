import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { Clock } from '../../common/clock';
import { ZodValidationPipe } from '../../common/http/zod-validation.pipe';
import { AppConfig } from '../../config/app-config';
import { inboundFields, inboundSms } from '../inbound-sms';
import type { InboundWebhook, WebhookRefused } from '../provider-definition';
import type { InboundSms } from '../provider.interface';
import { vonageDlrParams, vonageSignedRefusal } from './vonage-dlr.webhook';

// Vonage's inbound SMS (SMS API): msisdn is the sender, to our virtual number. Only text and unicode
// messages carry `text`; a binary one (`data`, `udh`) is kept as an empty reply rather than refused.
const inbound = z.object({
  messageId: inboundFields.id,
  msisdn: inboundFields.number,
  to: inboundFields.number,
  text: inboundFields.text.optional(),
  type: z.string().max(16).optional(),
});
const pipe = new ZodValidationPipe(inbound);

/**
 * Vonage's inbound messages, POST /webhooks/vonage/inbound (the account's "Inbound SMS" webhook), signed
 * like its DLRs: `sig`, then the signed `timestamp` within RECEIPT_MAX_AGE_SECONDS. Vonage resends a
 * message it got no 2xx for during 24 hours; the replies' dedupe on messageId stores it once. A long
 * message comes as parts (concat-ref, concat-part), each with its own messageId: each part is kept as a
 * reply of its own (docs/design.md, "The cardholder's reply").
 */
@Injectable()
export class VonageInboundWebhook implements InboundWebhook {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  authenticate(req: Request): WebhookRefused | null {
    return vonageSignedRefusal(vonageDlrParams(req), this.config, this.clock);
  }

  parse(req: Request): InboundSms[] {
    const body = pipe.transform(vonageDlrParams(req));
    return [inboundSms(body.messageId, body.msisdn, body.to, body.text ?? '')];
  }
}
