import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { ZodValidationPipe } from '../../common/http/zod-validation.pipe';
import { AppConfig } from '../../config/app-config';
import type { ReceiptWebhook, WebhookRefused } from '../provider-definition';
import type { ParsedReceipt } from '../provider.interface';
import { mapTwilioStatus } from './twilio.codes';
import { twilioSignatureRefusal } from './twilio-signature';

// Twilio adds parameters without notice: only what we use is required, the rest is ignored.
const statusCallback = z.object({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().min(1),
  ErrorCode: z.string().optional(),
});
const pipe = new ZodValidationPipe(statusCallback);

/**
 * Twilio's message status callback, POST /webhooks/twilio/status.
 *
 * X-Twilio-Signature (twilio-signature.ts). Twilio signs
 * no time, so a captured callback stays valid for ever: what bounds its replay is the receipts' dedupe (the
 * same MessageSid, MessageStatus and ErrorCode add nothing; docs/design.md, receipt replays).
 */
@Injectable()
export class TwilioStatusWebhook implements ReceiptWebhook {
  constructor(private readonly config: AppConfig) {}

  authenticate(req: Request): WebhookRefused | null {
    return twilioSignatureRefusal(this.config, req);
  }

  parse(req: Request): ParsedReceipt[] {
    const body = pipe.transform(req.body);
    return [
      {
        providerMessageId: body.MessageSid,
        status: mapTwilioStatus(body.MessageStatus),
        providerStatus: body.MessageStatus,
        errorCode: body.ErrorCode || null,
      },
    ];
  }
}
