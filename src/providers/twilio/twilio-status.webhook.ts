import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { ZodValidationPipe } from '../../common/http/zod-validation.pipe';
import { AppConfig } from '../../config/app-config';
import type { ReceiptWebhook, WebhookRefused } from '../provider-definition';
import type { ParsedReceipt } from '../provider.interface';
import { mapTwilioStatus } from './twilio.codes';
import { twilioSettings } from './twilio.settings';

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
 * X-Twilio-Signature: HMAC-SHA1 of the public URL Twilio called plus the sorted form parameters, keyed with
 * the auth token. PUBLIC_BASE_URL is what Twilio sees (behind a proxy the local URL differs). Twilio signs
 * no time, so a captured callback stays valid for ever: what bounds its replay is the receipts' dedupe (the
 * same MessageSid, MessageStatus and ErrorCode add nothing; docs/design.md, receipt replays).
 */
@Injectable()
export class TwilioStatusWebhook implements ReceiptWebhook {
  constructor(private readonly config: AppConfig) {}

  authenticate(req: Request): WebhookRefused | null {
    const signature = req.header('x-twilio-signature');
    const url = `${this.config.get('PUBLIC_BASE_URL')}${req.originalUrl}`;
    const params = (req.body ?? {}) as Record<string, string>;
    if (!signature || !this.valid(signature, url, params)) {
      return { reason: 'BAD_SIGNATURE', message: 'invalid X-Twilio-Signature' };
    }
    return null;
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

  /**
   * Twilio signs the callback URL as it was given, so that is checked first, with one HMAC. The SDK's
   * validateRequest tries the URL without its port first (then with it, then normalised forms), one HMAC
   * each: with a port in PUBLIC_BASE_URL every genuine callback paid for two. It still decides whenever
   * the exact URL does not match.
   */
  private valid(signature: string, url: string, params: Record<string, string>): boolean {
    const token = this.config.vendor(twilioSettings).TWILIO_AUTH_TOKEN;
    const given = Buffer.from(signature);
    const expected = Buffer.from(twilio.getExpectedTwilioSignature(token, url, params));
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    return twilio.validateRequest(token, signature, url, params);
  }
}
