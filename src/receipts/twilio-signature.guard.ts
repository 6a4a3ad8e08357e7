import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import twilio from 'twilio';
import { AppConfig } from '../config/app-config';
import { WebhookRefusal } from './webhook-refusal';

/**
 * X-Twilio-Signature: HMAC-SHA1 of the public URL Twilio called plus the sorted form parameters, keyed with
 * the auth token. PUBLIC_BASE_URL is what Twilio sees (behind a proxy the local URL differs). Twilio signs
 * no time, so a captured callback stays valid for ever: what bounds its replay is the receipts' dedupe (the
 * same MessageSid, MessageStatus and ErrorCode add nothing; docs/design.md, receipt replays).
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly refusal: WebhookRefusal,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const signature = req.header('x-twilio-signature');
    const url = `${this.config.get('PUBLIC_BASE_URL')}${req.originalUrl}`;
    const params = (req.body ?? {}) as Record<string, string>;
    if (!signature || !this.valid(signature, url, params)) {
      await this.refusal.refuse(context, 'twilio', 'BAD_SIGNATURE', 'invalid X-Twilio-Signature');
    }
    return true;
  }

  /**
   * Twilio signs the callback URL as it was given, so that is checked first, with one HMAC. The SDK's
   * validateRequest tries the URL without its port first (then with it, then normalised forms), one HMAC
   * each: with a port in PUBLIC_BASE_URL every genuine callback paid for two. It still decides whenever
   * the exact URL does not match.
   */
  private valid(signature: string, url: string, params: Record<string, string>): boolean {
    const token = this.config.get('TWILIO_AUTH_TOKEN');
    const given = Buffer.from(signature);
    const expected = Buffer.from(twilio.getExpectedTwilioSignature(token, url, params));
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    return twilio.validateRequest(token, signature, url, params);
  }
}
