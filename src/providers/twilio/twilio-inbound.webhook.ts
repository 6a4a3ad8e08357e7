import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { ZodValidationPipe } from '../../common/http/zod-validation.pipe';
import { AppConfig } from '../../config/app-config';
import { inboundFields, inboundSms } from '../inbound-sms';
import type { InboundWebhook, WebhookRefused } from '../provider-definition';
import type { InboundSms } from '../provider.interface';
import { twilioSignatureRefusal } from './twilio-signature';

// Twilio's incoming-message webhook carries many more parameters (NumMedia, FromCity, ...): only what we
// use is required, the rest is ignored. An MMS without text has an empty Body: kept, as an empty reply.
const incoming = z.object({
  MessageSid: inboundFields.id,
  From: inboundFields.number,
  To: inboundFields.number,
  Body: inboundFields.text.default(''),
});
const pipe = new ZodValidationPipe(incoming);

/** Twilio's answer to an incoming message: empty TwiML, so Twilio sends nothing back to the cardholder. */
export const TWILIO_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * Twilio's incoming-message webhook (the number's "A message comes in" URL), POST /webhooks/twilio/inbound:
 * signed with X-Twilio-Signature exactly as status callbacks are. Twilio signs no time; a replayed message
 * is stopped by the replies' dedupe on its MessageSid.
 */
@Injectable()
export class TwilioInboundWebhook implements InboundWebhook {
  constructor(private readonly config: AppConfig) {}

  authenticate(req: Request): WebhookRefused | null {
    return twilioSignatureRefusal(this.config, req);
  }

  parse(req: Request): InboundSms[] {
    const body = pipe.transform(req.body);
    return [inboundSms(body.MessageSid, body.From, body.To, body.Body)];
  }
}
